"""Every setting of the plugin, declared once: its name, default, meaning and valid values.

A site overrides any of them in its Django settings. Nothing else in badges_cms reads them from
django.conf.settings: code asks ``get(name)``, ``credly_config()`` or ``credly_image_hosts()``,
and ``manage.py check`` (checks.py) reports each malformed value by name. Missing Credly
settings are not malformed: development runs without Credly. The BADGES_FEEDBACK_* settings
live in feedback/conf.py.
"""

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .clients import parse_networks
from .credly.client import DEFAULT_BASE_URL, CredlyConfig, CredlyConfigError

# How a Credly badge block may render (BADGES_CMS_CREDLY_EMBED_MODE, blocks.embed_mode).
EMBED_MODES = ("script", "iframe")
SHARE_IMAGE_KEYS = ("path", "width", "height", "alt")
# CredlyConfig's tuning fields, which CREDLY_CLIENT_OPTIONS may set.
CLIENT_OPTIONS = tuple(
    f.name for f in fields(CredlyConfig) if f.name not in {"token", "organization_id", "base_url"}
)
HOST = re.compile(
    r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*(:[0-9]{1,5})?", re.IGNORECASE
)
HEX_COLOUR = re.compile(r"#?([0-9a-f]{3}|[0-9a-f]{6})", re.IGNORECASE)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    meaning: str
    expected: str  # what a valid value looks like, for the check's hint and the docs
    validate: Callable[[Any], str | None]  # what is wrong with a value ("is ..."), or None
    check_id: str  # of the system check error a malformed value raises

    def problem(self, value):
        """One sentence naming the setting and what is wrong with the value, or None."""
        problem = self.validate(value)
        return f"{self.name} {problem}." if problem else None


# Validators: each answers what is wrong with a value, or None. Values that may be secret
# (the token, the API address) are never repeated.


def _show(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_unset(value):
    """None or a blank string: a Credly setting left out, which is not a malformed one."""
    return value is None or (isinstance(value, str) and not value.strip())


def whole_number(minimum):
    def validate(value):
        if not _is_int(value):
            return f"is {_show(value)}, not a whole number"
        if value < minimum:
            return f"is {value}, less than {minimum}"
        return None

    return validate


def number(minimum, *, inclusive=True):
    def validate(value):
        if not _is_number(value):
            return f"is {_show(value)}, not a number"
        if value < minimum or (value == minimum and not inclusive):
            return f"is {value}, {'less than' if inclusive else 'not greater than'} {minimum}"
        return None

    return validate


def one_of(*choices):
    def validate(value):
        return None if value in choices else f"is {_show(value)}, not one of {choices}"

    return validate


def boolean(value):
    return None if isinstance(value, bool) else f"is {_show(value)}, not True or False"


def hex_colour(value):
    if not isinstance(value, str) or not HEX_COLOUR.fullmatch(value):
        return f"is {_show(value)}, not a hex RGB colour"
    return None


def share_image(value):
    if value is None:
        return None
    if not isinstance(value, Mapping):
        return f"is {_show(value)}, not None or a dict"
    missing = [key for key in SHARE_IMAGE_KEYS if key not in value]
    if missing:
        return "lacks " + ", ".join(repr(key) for key in missing)
    unknown = sorted(str(key) for key in value if key not in (*SHARE_IMAGE_KEYS, "type"))
    if unknown:
        return "has unknown keys " + ", ".join(repr(key) for key in unknown)
    if not isinstance(value["path"], str) or not value["path"].strip():
        return f"has the path {_show(value['path'])}, not a static file path"
    for key in ("width", "height"):
        if not _is_int(value[key]) or value[key] < 1:
            return f"has the {key} {_show(value[key])}, not a whole number of pixels"
    if not isinstance(value["alt"], str):
        return f"has the alt {_show(value['alt'])}, not a string"
    kind = value.get("type", "image/png")
    if not isinstance(kind, str) or not kind.startswith("image/"):
        return f"has the type {_show(kind)}, not an image/... media type"
    return None


def email_or_empty(value):
    if value == "":
        return None
    try:
        validate_email(value)
    except (ValidationError, TypeError):
        return f"is {_show(value)}, not an email address"
    return None


def group_name(value):
    if not isinstance(value, str) or not value.strip() or len(value) > 150:
        return f"is {_show(value)}, not the name of a group"
    return None


def reminder_days(value):
    if not isinstance(value, list | tuple | set | frozenset):
        return f"is {_show(value)}, not a list of days"
    for days in value:
        if not _is_int(days) or days < 0:
            return f"holds {_show(days)}, not a whole number of days (0 or more)"
    return None


def api_token(value):
    if is_unset(value):
        return None  # Credly is not configured
    if not isinstance(value, str):
        return f"is a {type(value).__name__}, not a string"
    token = value.strip()
    # A Basic-auth user name cannot hold ':'; requests encodes it as latin-1 (as in CredlyConfig).
    if ":" in token or not all("!" <= c <= "~" for c in token):
        return "holds spaces, ':' or characters other than printable ASCII (it is not shown)"
    return None


def organization_id(value):
    if is_unset(value):
        return None
    if isinstance(value, uuid.UUID):
        return None
    try:
        uuid.UUID(str(value))
    except ValueError:
        return "is not a UUID (it is not shown: it might be a misplaced secret)"
    return None


def api_base_url(value):
    if is_unset(value):
        return None  # the default
    if not isinstance(value, str):
        return f"is a {type(value).__name__}, not a string"
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return "has a malformed port"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an absolute http(s) URL (it is not shown: it might hold a secret)"
    if parts.username or parts.password:
        return "carries credentials"
    if parts.query:
        return "has a query"
    if parts.fragment:
        return "has a fragment"
    return None


def image_hosts(value):
    if isinstance(value, str) or not isinstance(value, list | tuple):
        return f"is {_show(value)}, not a list of host names"
    for host in value:
        if isinstance(host, str) and "/" in host:
            return f"holds {_show(host)}, a URL or path rather than a host name"
        if not isinstance(host, str) or not HOST.fullmatch(host):
            return f"holds {_show(host)}, not a host name"
        if ":" in host and not 0 < int(host.rsplit(":", 1)[1]) < 65536:
            return f"holds {_show(host)}, whose port is out of range"
    return None


def networks(value):
    try:
        parse_networks(value)
    except (TypeError, ValueError) as error:
        return f"is {_show(value)}, not a list of IP addresses or networks ({error})"
    return None


def iso_date(value):
    if is_unset(value) or (isinstance(value, date) and not isinstance(value, datetime)):
        return None
    try:
        date.fromisoformat(str(value).strip())
    except ValueError:
        return f"is {_show(value)}, not an ISO date"
    return None


def client_options(value):
    if not isinstance(value, Mapping):
        return f"is {_show(value)}, not a dict"
    unknown = sorted(str(key) for key in value if key not in CLIENT_OPTIONS)
    if unknown:
        return "has unknown keys " + ", ".join(repr(key) for key in unknown)
    try:  # the client's own rules, so that check and sync never disagree
        CredlyConfig("placeholder", str(uuid.UUID(int=0)), **value)
    except CredlyConfigError as error:
        return f"has a bad value: {error}"
    return None


SETTINGS = {
    setting.name: setting
    for setting in (
        Setting(
            "BADGES_CMS_PER_PAGE",
            24,
            "badges listed per page of a badge index",
            "a whole number of at least 1",
            whole_number(1),
            "badges_cms.E001",
        ),
        Setting(
            "BADGES_CMS_MAX_QUERY_LENGTH",
            200,
            "characters of a search query (?q=) that are used; longer input is cut, not refused",
            "a whole number of at least 1",
            whole_number(1),
            "badges_cms.E002",
        ),
        Setting(
            "BADGES_CMS_CREDLY_EMBED_MODE",
            "script",
            'how a Credly badge block renders: "script" (Credly\'s element and embed script, '
            'which swaps in the badge\'s iframe) or "iframe" (that iframe written directly, '
            "with no third-party script)",
            '"script" or "iframe"',
            one_of(*EMBED_MODES),
            "badges_cms.E003",
        ),
        Setting(
            "BADGES_CMS_SHARE_IMAGE_BACKGROUND",
            "f4f1ea",
            "colour of the 1200 x 630 canvas a badge is centred on in its link-preview image",
            'a hex RGB colour of 3 or 6 digits, "#" allowed: "f4f1ea", "#fff"',
            hex_colour,
            "badges_cms.E004",
        ),
        Setting(
            "BADGES_CMS_DEFAULT_SHARE_IMAGE",
            None,
            "link-preview image for pages without a badge image (or with an SVG one)",
            'None, or a dict with the static "path" of a 1200 x 630 image, its "width" and '
            '"height" in pixels, its "alt" text and optionally its "type" (default "image/png")',
            share_image,
            "badges_cms.E005",
        ),
        Setting(
            "BADGES_CMS_FEED_LENGTH",
            20,
            "entries in a badge index's Atom feed of newly published badges",
            "a whole number of at least 1",
            whole_number(1),
            "badges_cms.E006",
        ),
        Setting(
            "BADGES_CMS_ISSUER_FALLBACK_EMAIL",
            "",
            "email of an issuer's Open Badges Profile when neither the issuer nor any parent "
            "organisation has a contact address",
            'an email address, or "" for none',
            email_or_empty,
            "badges_cms.E007",
        ),
        Setting(
            "BADGES_CMS_SYNC_STALE_AFTER_HOURS",
            36,
            "hours after the last successful full sync at which the sync counts as stale "
            "(dashboard, alerts)",
            "a number of hours greater than 0",
            number(0, inclusive=False),
            "badges_cms.E008",
        ),
        Setting(
            "BADGES_CMS_ALERT_GROUP",
            "Badge managers",
            "the group whose members (those with an email address) get the sync alerts and "
            "token reminders",
            "the name of a group (at most 150 characters)",
            group_name,
            "badges_cms.E009",
        ),
        Setting(
            "BADGES_CMS_SYNC_LOCK_WAIT",
            300,
            "seconds sync_credly_badges waits for another sync to release the lock before it "
            "fails (exit 1)",
            "a number of seconds, 0 or more",
            number(0),
            "badges_cms.E010",
        ),
        Setting(
            "BADGES_CMS_WEBHOOK_REFRESHES_PER_MINUTE",
            30,
            "webhook events per minute that each refresh their own template; beyond it, "
            "events fold into one full refresh",
            "a whole number, 0 or more",
            whole_number(0),
            "badges_cms.E011",
        ),
        Setting(
            "BADGES_CMS_WEBHOOK_REFRESH_DELAY",
            60,
            "seconds after the first folded webhook event that the full refresh is queued for",
            "a number of seconds, 0 or more",
            number(0),
            "badges_cms.E012",
        ),
        Setting(
            "BADGES_CMS_TOKEN_REMINDER_DAYS",
            (14, 3),
            "days before CREDLY_TOKEN_EXPIRES on which a reminder is emailed, once each",
            "a list, tuple or set of whole numbers of days, 0 or more",
            reminder_days,
            "badges_cms.E013",
        ),
        Setting(
            "BADGES_CMS_CACHE_MAX_AGE",
            60,
            "max-age of public responses: seconds a browser may keep a page without asking "
            "again (browsers are never purged, so keep it short)",
            "a whole number of seconds, 0 or more",
            whole_number(0),
            "badges_cms.E014",
        ),
        Setting(
            "BADGES_CMS_CACHE_S_MAXAGE",
            86400,
            "s-maxage of public responses: seconds a shared cache (Varnish, a CDN) may keep "
            "them; long, because every change is purged",
            "a whole number of seconds, 0 or more",
            whole_number(0),
            "badges_cms.E015",
        ),
        Setting(
            "BADGES_CMS_DEMO_FIGURES",
            False,
            "True while the figures come from the project's stand-in for Credly (development "
            "without a Credly account): every page then says they are invented; production "
            "settings refuse to start with it",
            "True or False",
            boolean,
            "badges_cms.E022",
        ),
        Setting(
            "BADGES_CMS_VERIFY_CACHE_SECONDS",
            900,
            "seconds the verify page keeps what it shows of a badge checked with Credly (state, "
            "dates, earner's name when public, template) in the shared cache, never in the "
            "database; 0 asks Credly every time",
            "a whole number of seconds, 0 or more",
            whole_number(0),
            "badges_cms.E030",
        ),
        Setting(
            "BADGES_CMS_VERIFY_RATE_LIMIT",
            20,
            "badge checks per client per window on the verify page; beyond it the page answers "
            "429, so it cannot spend the Credly quota or enumerate badge ids",
            "a whole number of at least 1",
            whole_number(1),
            "badges_cms.E031",
        ),
        Setting(
            "BADGES_CMS_VERIFY_RATE_WINDOW",
            600,
            "the window of the verify page's rate limit, in seconds",
            "a whole number of seconds, at least 1",
            whole_number(1),
            "badges_cms.E032",
        ),
        Setting(
            "BADGES_CMS_TRUSTED_PROXIES",
            [],
            "addresses or networks of the reverse proxies in front of the site; only a request "
            "from one of them has its X-Forwarded-For believed (the verify page's rate limit)",
            'a list of IP addresses or networks: ["127.0.0.1", "10.0.0.0/8"]',
            networks,
            "badges_cms.E033",
        ),
        Setting(
            "CREDLY_API_TOKEN",
            "",
            "the Credly organization's API token, sent as the HTTP Basic user name with an empty "
            "password; needed by the sync, webhooks, Sync now and imports; it expires after about "
            "180 days",
            "a token of printable ASCII without spaces or ':', or \"\" when Credly is not used",
            api_token,
            "badges_cms.E016",
        ),
        Setting(
            "CREDLY_ORGANIZATION_ID",
            "",
            "the Credly organization's UUID, needed likewise; webhook events for any other "
            "organization are ignored",
            'a UUID, or "" when Credly is not used',
            organization_id,
            "badges_cms.E017",
        ),
        Setting(
            "CREDLY_API_BASE_URL",
            DEFAULT_BASE_URL,
            "the Credly API; the sandbox is https://sandbox-api.credly.com/v1",
            f"an absolute http(s) URL without credentials, query or fragment, such as "
            f'{DEFAULT_BASE_URL} ("" means the default)',
            api_base_url,
            "badges_cms.E018",
        ),
        Setting(
            "CREDLY_IMAGE_HOSTS",
            ("images.credly.com",),
            "hosts the images of imported drafts may be downloaded from",
            'a list or tuple of host names, each optionally with a port: ["images.credly.com"]',
            image_hosts,
            "badges_cms.E019",
        ),
        Setting(
            "CREDLY_TOKEN_EXPIRES",
            "",
            "the date the API token expires, for the reminders and the Credly settings screen",
            'an ISO date such as "2026-09-30", or "" for none',
            iso_date,
            "badges_cms.E020",
        ),
        Setting(
            "CREDLY_CLIENT_OPTIONS",
            {},
            "overrides of the Credly HTTP client's timeouts, retries, deadline, page size and "
            "concurrency (the tests shorten them)",
            "a dict with any of "
            + ", ".join(f"{name} ({getattr(CredlyConfig, name)})" for name in CLIENT_OPTIONS)
            + "; timeouts, caps and the deadline in seconds",
            client_options,
            "badges_cms.E021",
        ),
    )
}
DEFAULTS = {name: setting.default for name, setting in SETTINGS.items()}
# Settings of the whole Credly client configuration, checked by credly_config() before use.
CREDLY_CONFIG_SETTINGS = (
    "CREDLY_API_TOKEN",
    "CREDLY_ORGANIZATION_ID",
    "CREDLY_API_BASE_URL",
    "CREDLY_CLIENT_OPTIONS",
)


def get(name):
    return getattr(settings, name, DEFAULTS[name])


def problem(name):
    """What is wrong with the setting's value, one sentence naming it; None when nothing is."""
    return SETTINGS[name].problem(get(name))


def credly_config_problems():
    """Every reason the Credly client cannot be configured, one sentence each naming its
    settings (all the missing ones together): [] when it can be."""
    problems = []
    missing = [
        name for name in ("CREDLY_API_TOKEN", "CREDLY_ORGANIZATION_ID") if is_unset(get(name))
    ]
    if missing:
        problems.append(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set.")
    for name in CREDLY_CONFIG_SETTINGS:
        message = problem(name)
        if message:
            problems.append(f"{message} Expected {SETTINGS[name].expected}.")
    return problems


def credly_config(**overrides):
    """The Credly client's configuration from Django settings (themselves read from the
    environment). Raises CredlyConfigError, naming every setting that is missing or bad."""
    problems = credly_config_problems()
    if problems:
        raise CredlyConfigError(" ".join(problems))
    base_url = get("CREDLY_API_BASE_URL")
    # Timeouts, retries and the deadline can be tuned (tests shorten them); see CredlyConfig.
    options = {**get("CREDLY_CLIENT_OPTIONS"), **overrides}
    return CredlyConfig(
        get("CREDLY_API_TOKEN"),
        get("CREDLY_ORGANIZATION_ID"),
        base_url=DEFAULT_BASE_URL if is_unset(base_url) else base_url,
        **options,
    )


def credly_image_hosts():
    return [host.lower() for host in get("CREDLY_IMAGE_HOSTS")]
