"""Reading what an editor pastes for a Credly badge: its id, its address or Credly's embed code.

Only the badge's UUID is kept. Nothing pasted is ever rendered, so a snippet carrying anything
beyond Credly's own markup is refused with a message naming what was found, rather than being
cleaned and half-trusted: an editor who pasted a tampered snippet should hear about it.

The id is an *issued* badge's id, the one in ``https://www.credly.com/badges/<uuid>``; Credly
has no embed for a badge template. youracclaim.com is Credly's name before 2020 (Acclaim), and
old snippets and links still use it.
"""

import re
import uuid
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

# Where pages render from: links, iframes and Credly's script always use the current hosts,
# whatever host the editor's paste named. The CSP in alasite/settings/base.py allows exactly these.
CREDLY_ORIGIN = "https://www.credly.com"
EMBED_SCRIPT_URL = "https://cdn.credly.com/assets/utilities/embed.js"

# Exact host names, compared after parsing: never a prefix, suffix or substring test, so
# www.credly.com.evil.example or evilcredly.com cannot pass.
BADGE_HOSTS = frozenset({"www.credly.com", "credly.com", "www.youracclaim.com", "youracclaim.com"})
EMBED_SCRIPT_HOSTS = frozenset({"cdn.credly.com", "cdn.youracclaim.com"})
EMBED_SCRIPT_PATH = "/assets/utilities/embed.js"
# data-share-badge-host as Credly writes it: an origin, nothing more.
SHARE_HOSTS = frozenset(f"https://{host}" for host in BADGE_HOSTS)

SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.I)
UUID_FORM = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
# /badges/<id> and /badges/<id>/public_url are the badge's public page; an earner signed in to
# Credly sees the same badge at /earner/earned/badge/<id>.
BADGE_PATHS = (
    re.compile(r"/badges/(?P<id>[^/]+)(?:/public_url)?/?"),
    re.compile(r"/earner/earned/badge/(?P<id>[^/]+)/?"),
)
DIV_ATTRIBUTES = frozenset(
    {"data-iframe-width", "data-iframe-height", "data-share-badge-id", "data-share-badge-host"}
)
SCRIPT_ATTRIBUTES = frozenset({"src", "type", "async", "defer", "charset"})
SCRIPT_TYPES = frozenset({"", "text/javascript", "application/javascript"})
# Credly's snippet is about 250 characters; anything far longer is not one.
MAX_LENGTH = 2000
EXAMPLE_ID = "1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d"

MESSAGES = {
    "empty": _(
        "Paste the badge's embed code from Credly, the address of its page on Credly "
        "(https://www.credly.com/badges/…) or its id."
    ),
    "too_long": _(
        "This is too long to be a Credly badge's address or embed code. Paste only what "
        "Credly gives you."
    ),
    "bad_id": _(
        "“%(value)s” is not a Credly badge id. A badge id looks like %(example)s: 32 letters "
        "and digits in five groups, joined by hyphens."
    ),
    "bad_address": _("“%(value)s” is not a web address that can be read."),
    "bad_scheme": _(
        "Only https:// addresses on credly.com can be used; this one starts with “%(scheme)s:”."
    ),
    "bad_host": _(
        "The address is on %(host)s, not on credly.com. Paste the address of the badge's page "
        "on Credly (https://www.credly.com/badges/…)."
    ),
    "credentials_or_port": _(
        "The address has a user name, a password or a port in it, which a Credly badge's "
        "address never has."
    ),
    "not_a_badge_page": _(
        "This credly.com address is not an earned badge's page. Open the badge on Credly and "
        "copy the address of its page (https://www.credly.com/badges/…) or its embed code."
    ),
    "bad_element": _(
        "The embed code contains <%(tag)s>, which Credly's embed code does not: it has only a "
        "<div> for the badge and a <script> that loads Credly's embed.js."
    ),
    "event_handler": _(
        "The embed code's <%(tag)s> has an event handler, %(attribute)s, which Credly's embed "
        "code never has."
    ),
    "bad_attribute": _(
        "The embed code's <%(tag)s> has a %(attribute)s attribute, which Credly's embed code "
        "does not have."
    ),
    "inline_script": _(
        "The embed code contains a script with code in it. Credly's embed code only loads "
        "embed.js from cdn.credly.com."
    ),
    "script_host": _(
        "The embed code loads a script from %(host)s. Credly's embed code loads embed.js from "
        "cdn.credly.com."
    ),
    "script_path": _("The embed code loads “%(src)s”, which is not Credly's embed.js."),
    "no_badge": _(
        "The embed code has no badge in it: Credly's code has a <div> with a "
        "data-share-badge-id attribute."
    ),
    "several_badges": _(
        "The embed code holds %(count)s badges. Add one Credly badge block for each of them."
    ),
    "share_host": _(
        "The embed code gives the badge's host as “%(value)s”; Credly's code says "
        "https://www.credly.com."
    ),
    "markup": _("The embed code contains markup that Credly's code does not have (“%(text)s”)."),
    "text": _(
        "There is text around the embed code (“%(text)s”). Paste only the code Credly gives you."
    ),
}


def invalid(code, **params):
    return ValidationError(MESSAGES[code], code=code, params=params)


def shorten(text, length=60):
    """Quote what the editor pasted in a message, cut short so the message stays readable."""
    return Truncator(" ".join(str(text).split())).chars(length)


def parse_badge_id(pasted):
    """The badge's UUID from an id, a badge address or an embed snippet, as a lower-case string.

    Raises ValidationError with a message for the editor, saying what was wrong.
    """
    text = (pasted or "").strip()
    if not text:
        raise invalid("empty")
    if len(text) > MAX_LENGTH:
        raise invalid("too_long")
    if "<" in text:  # no address or id has one; a snippet always does
        return badge_id_from_snippet(text)
    if any(character in text for character in ":/."):
        return badge_id_from_url(text)
    return normalised_id(text)


def normalised_id(value):
    if not UUID_FORM.fullmatch(value):
        raise invalid("bad_id", value=shorten(value), example=EXAMPLE_ID)
    return str(uuid.UUID(value))


def split_url(text, as_pasted=None):
    """urlsplit, and the port, refusing what cannot be read instead of guessing at it."""
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise invalid("bad_address", value=shorten(as_pasted or text)) from None
    if any(character.isspace() for character in text):
        raise invalid("bad_address", value=shorten(as_pasted or text))
    return parts, port


def badge_id_from_url(pasted):
    text = pasted
    if text.startswith("//"):
        text = f"https:{text}"
    elif not SCHEME.match(text):
        # Copied without its scheme, e.g. "www.credly.com/badges/…": read it as https.
        text = f"https://{text}"
    parts, port = split_url(text, as_pasted=pasted)
    if parts.scheme.lower() not in {"https", "http"}:
        raise invalid("bad_scheme", scheme=shorten(parts.scheme, 20))
    host = parts.hostname or ""
    if host not in BADGE_HOSTS:
        raise invalid("bad_host", host=shorten(host or parts.netloc or pasted))
    if parts.username is not None or parts.password is not None or port is not None:
        raise invalid("credentials_or_port")
    for pattern in BADGE_PATHS:
        match = pattern.fullmatch(parts.path)
        if match:
            return normalised_id(match["id"])
    raise invalid("not_a_badge_page")


def badge_id_from_snippet(text):
    soup = BeautifulSoup(text, "html.parser")
    badge_divs = []
    for node in soup.descendants:
        if isinstance(node, Tag):
            check_element(node)
            if node.name == "div":
                badge_divs.append(node)
        elif isinstance(node, Comment):
            continue  # never rendered, so harmless
        elif node.parent is not None and node.parent.name == "script":
            if node.strip():
                raise invalid("inline_script")
        elif type(node) is not NavigableString:
            # A doctype, a processing instruction or CDATA: bs4 keeps them as strings too.
            raise invalid("markup", text=shorten(node))
        elif node.strip():
            raise invalid("text", text=shorten(node))
    if not badge_divs:
        raise invalid("no_badge")
    if len(badge_divs) > 1:
        raise invalid("several_badges", count=len(badge_divs))
    div = badge_divs[0]
    share_host = div.get("data-share-badge-host", "").strip()
    if share_host and share_host.rstrip("/").lower() not in SHARE_HOSTS:
        raise invalid("share_host", value=shorten(share_host))
    return normalised_id(div.get("data-share-badge-id", "").strip())


def check_element(element):
    if element.name not in {"div", "script"}:
        raise invalid("bad_element", tag=shorten(element.name, 30))
    allowed = DIV_ATTRIBUTES if element.name == "div" else SCRIPT_ATTRIBUTES
    for attribute in element.attrs:
        if attribute.startswith("on"):
            raise invalid("event_handler", tag=element.name, attribute=shorten(attribute, 30))
        if attribute not in allowed:
            raise invalid("bad_attribute", tag=element.name, attribute=shorten(attribute, 30))
    if element.name == "div":
        if "data-share-badge-id" not in element.attrs:
            raise invalid("no_badge")
    else:
        check_script(element)


def check_script(script):
    if script.get("type", "").strip().lower() not in SCRIPT_TYPES:
        raise invalid("bad_attribute", tag="script", attribute=f"type=“{shorten(script['type'])}”")
    src = script.get("src", "").strip()
    if not src:
        raise invalid("inline_script")
    parts, port = split_url(src)
    host = parts.hostname or ""
    # Credly's snippet writes src="//cdn.credly.com/…", which takes the page's scheme.
    scheme_ok = parts.scheme.lower() in {"", "https", "http"}
    if not scheme_ok or host not in EMBED_SCRIPT_HOSTS or port is not None or parts.username:
        raise invalid("script_host", host=shorten(host or src))
    if parts.path != EMBED_SCRIPT_PATH:
        raise invalid("script_path", src=shorten(src))


def badge_url(badge_id):
    """The badge's public page on Credly: a link that works without JavaScript."""
    return f"{CREDLY_ORIGIN}/badges/{badge_id}"


def embedded_badge_url(badge_id):
    """The page Credly's embed.js frames; the iframe mode frames it directly."""
    return f"{CREDLY_ORIGIN}/embedded_badge/{badge_id}"
