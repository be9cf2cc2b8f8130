"""Share links for badge pages: plain links to each network's own share address.

No third-party script is loaded: each link opens the network's share page with the badge's
address (and title, where the network takes one) in the query string. Mastodon has no single
address, so visitors name their instance in a small GET form and ``mastodon_share_url`` sends
them there; the name is checked to be a public host name first.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _

MAX_INSTANCE_LENGTH = 253
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# A last label a browser takes for a number makes the whole host an IPv4 address (127.1, 0x7f.1).
NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")
# Names that only resolve inside someone's own network: never a Mastodon instance to send
# visitors to from a public page.
PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa")


@dataclass(frozen=True)
class ShareLink:
    network: str  # a stable key, e.g. for a CSS class
    label: str
    url: str


def query(**params):
    """A query string with every character outside RFC 3986's unreserved set percent-encoded.
    Spaces become %20, not "+": mail clients read "+" in a mailto: body literally."""
    return urlencode(params, quote_via=quote, safe="")


def share_links(title, url, summary=""):
    """The plain share links for a page, in the order shown."""
    mail_body = f"{summary}\r\n\r\n{url}" if summary else url
    networks = [
        (
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + query(url=url),
        ),
        ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + query(u=url)),
        ("x", "X", "https://x.com/intent/post?" + query(text=title, url=url)),
        ("bluesky", "Bluesky", "https://bsky.app/intent/compose?" + query(text=f"{title} {url}")),
    ]
    links = [
        ShareLink(key, _("Share on %(network)s") % {"network": name}, share_url)
        for key, name, share_url in networks
    ]
    links.append(
        ShareLink("email", _("Send by email"), "mailto:?" + query(subject=title, body=mail_body))
    )
    return links


def mastodon_instance(value):
    """The host name of the Mastodon server a visitor typed, or None if it is not a bare,
    public host name.

    Read the way a browser reads an address (WHATWG URL): tabs and newlines vanish, a backslash
    counts as a slash, the host ends at the first of ``/ \\ ? #``, anything before an ``@`` is
    user info. So ``mastodon.social`` and ``https://mastodon.social/`` are taken, and anything
    with user info, a backslash, a port, a path, a query, percent-encoding or an IP address is
    refused: what the visitor sees as the server is then always where the link goes.
    Internationalised names come back in their ASCII (punycode) form.
    """
    value = (value or "").strip()
    if not value or len(value) > MAX_INSTANCE_LENGTH + 20 or any(c.isspace() for c in value):
        return None  # a browser would drop tabs and newlines; here they only hide something
    if "\\" in value or "%" in value:
        return None
    scheme, sep, rest = value.partition("://")
    if sep:
        if scheme.lower() not in {"http", "https"}:
            return None
        value = rest
    elif ":" in value:  # "host:port", "javascript:..." or an IPv6 address
        return None
    host, slash, path = value.partition("/")
    if (slash and path) or any(c in host for c in "@:?#[]"):
        return None  # user info, a port, a path or query, an IPv6 literal
    host = host.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = host.split(".")
    if (
        len(host) > MAX_INSTANCE_LENGTH
        or len(labels) < 2
        or not all(HOST_LABEL.match(label) for label in labels)
        or NUMERIC_LABEL.match(labels[-1])  # browsers read such a host as an IPv4 address
        or host == "localhost"
        or host.endswith(PRIVATE_SUFFIXES)
    ):
        return None
    return host


def mastodon_share_url(instance, title, url):
    return f"https://{instance}/share?" + query(text=f"{title} {url}")
