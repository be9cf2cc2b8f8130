"""Is this Credly badge one of ours, and current? The Credly side of the verify page.

parse (embed.parse_badge_id, the project's one parser of what people paste) -> the shared cache,
or Credly through the client (``GET organizations/{org}/badges/{id}``, and for a 404 the badge's
public Open Badges assertion, which tells another organization's badge from an id that is
nobody's) -> a ``Verification``: a small answer holding only what the page shows.

Only those fields are kept, in the shared cache, for ``BADGES_CMS_VERIFY_CACHE_SECONDS``; never
in the database. An earner's name is kept only where the badge is public on Credly. When Credly
cannot be asked (unreachable, 429, 5xx, a refused token) the answer is ``unavailable`` with the
seconds to wait, never "not ours"; for that wait every check is held back without a request.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from .. import conf
from .client import (
    BADGE_STATES,
    CredlyAuthError,
    CredlyClient,
    CredlyConfigError,
    CredlyError,
    CredlyNotFound,
)
from .embed import badge_url, parse_badge_id

logger = logging.getLogger("badges_cms.credly")

OURS, NOT_OURS, UNKNOWN, INVALID, UNAVAILABLE = (
    "ours",
    "not_ours",
    "unknown",
    "invalid",
    "unavailable",
)
STATUSES = (OURS, NOT_OURS, UNKNOWN, INVALID, UNAVAILABLE)
CACHE_PREFIX = "badges_cms:verify:"
# Set while Credly asked us to wait (429 with Retry-After) or is down: no check asks it then.
BACK_OFF_KEY = CACHE_PREFIX + "back-off"
# A visitor is waiting: a check asks Credly at most twice and gives up within seconds. Shorter
# configured values (the tests') are kept. A Retry-After is waited for only if it ends within
# the deadline; a longer one is not waited for at all (the client gives up at once when the wait
# would pass its deadline): the visitor is told when to come back instead.
CLIENT_LIMITS = {"max_retries": 1, "read_timeout": 4, "connect_timeout": 3, "deadline": 6}
# When Credly is down without saying for how long; and the most we ever tell a visitor.
DEFAULT_RETRY_AFTER = 60
MAX_RETRY_AFTER = 3600


@dataclass(frozen=True)
class Verification:
    """What the verify page shows of a check, and nothing more."""

    status: str
    badge_id: str | None = None
    state: str | None = None  # pending, accepted, rejected or revoked (ours only)
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    earner: str | None = None  # only where the badge is public on Credly
    template_id: str | None = None
    retry_after: int | None = None  # seconds, when unavailable
    error_code: str | None = None  # embed.MESSAGES' code, when invalid
    error: str | None = None  # the parser's message, when invalid

    @property
    def expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def current(self):
        """Ours, accepted and not expired: a badge its earner may show."""
        return self.status == OURS and self.state == "accepted" and not self.expired

    @property
    def credly_url(self):
        return badge_url(self.badge_id) if self.badge_id else None

    @property
    def retry_after_minutes(self):
        return max(1, math.ceil((self.retry_after or 0) / 60))

    def to_cache(self):
        fields = asdict(self)
        for name in ("issued_at", "expires_at"):
            fields[name] = fields[name].isoformat() if fields[name] else None
        return fields

    @classmethod
    def from_cache(cls, fields):
        fields = dict(fields)
        for name in ("issued_at", "expires_at"):
            fields[name] = parse_time(fields[name])
        return cls(**fields)


def verify(pasted, make_client=None):
    """The Verification of what a visitor pasted (an address, embed code or id)."""
    try:
        badge_id = parse_badge_id(pasted)
    except ValidationError as error:
        return Verification(INVALID, error_code=error.code, error=" ".join(error.messages))
    cached = cache_get(CACHE_PREFIX + badge_id)
    if cached is not None:
        try:
            return Verification.from_cache(cached)
        except (TypeError, ValueError):
            pass  # written by another version of this module: ask Credly again
    backing_off = cache_get(BACK_OFF_KEY)
    if backing_off is not None:
        left = math.ceil(backing_off - timezone.now().timestamp())
        if left > 0:
            return Verification(UNAVAILABLE, badge_id=badge_id, retry_after=left)
    answer = ask_credly(badge_id, make_client or default_client)
    if answer.status == UNAVAILABLE:
        until = timezone.now().timestamp() + answer.retry_after
        cache_set(BACK_OFF_KEY, until, answer.retry_after)
    else:
        seconds = conf.get("BADGES_CMS_VERIFY_CACHE_SECONDS")
        if seconds:
            cache_set(CACHE_PREFIX + badge_id, answer.to_cache(), seconds)
    return answer


def default_client():
    configured = conf.get("CREDLY_CLIENT_OPTIONS")
    options = {
        name: min(limit, configured.get(name, limit)) for name, limit in CLIENT_LIMITS.items()
    }
    options["retry_after_cap"] = options["deadline"]
    return CredlyClient(conf.credly_config(**options))


def ask_credly(badge_id, make_client):
    try:
        client = make_client()
        try:
            badge = client.get_badge(badge_id)
        except CredlyNotFound:
            # Credly answers 404 for another organization's badge as for an unknown id.
            known = client.badge_is_known(badge_id)
            return Verification(NOT_OURS if known else UNKNOWN, badge_id=badge_id)
    except CredlyConfigError as error:
        logger.error("The verify page cannot ask Credly: %s", error)
        return unavailable(badge_id, None)
    except CredlyAuthError as error:
        logger.error("The verify page was refused by Credly: %s", error)
        return unavailable(badge_id, None)
    except (CredlyError, ValueError) as error:
        logger.warning("The verify page could not check badge %s: %s", badge_id, error)
        return unavailable(badge_id, getattr(error, "retry_after", None))
    return from_credly(badge_id, badge)


def unavailable(badge_id, retry_after):
    seconds = DEFAULT_RETRY_AFTER if retry_after is None else math.ceil(retry_after)
    return Verification(
        UNAVAILABLE, badge_id=badge_id, retry_after=min(max(seconds, 1), MAX_RETRY_AFTER)
    )


def from_credly(badge_id, badge):
    """Our badge as Credly described it, kept to the fields the page shows."""
    template = badge.get("badge_template")
    template_id = template.get("id") if isinstance(template, dict) else None
    state = badge.get("state")
    return Verification(
        OURS,
        badge_id=badge_id,
        state=state if state in BADGE_STATES else None,
        issued_at=parse_time(badge.get("issued_at")),
        expires_at=parse_time(badge.get("expires_at")),
        earner=earner_name(badge) if badge.get("public") is True else None,
        template_id=str(template_id) if template_id else None,
    )


def earner_name(badge):
    name = badge.get("issued_to")
    if not isinstance(name, str) or not name.strip():
        parts = [badge.get("issued_to_first_name"), badge.get("issued_to_last_name")]
        name = " ".join(part for part in parts if isinstance(part, str))
    return " ".join(name.split())[:200] or None


def parse_time(value):
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if timezone.is_naive(moment):  # Credly's times carry their offset; a bare date is UTC
        moment = moment.replace(tzinfo=UTC)
    return moment


# The shared cache may be away (Redis restarting): a check then goes to Credly, uncached.


def cache_get(key):
    try:
        return cache.get(key)
    except Exception as error:  # a cache backend that raises when its server is away
        logger.warning("The verify page's cache could not be read: %s", error)
        return None


def cache_set(key, value, seconds):
    try:
        cache.set(key, value, timeout=seconds)
    except Exception as error:
        logger.warning("The verify page's cache could not be written: %s", error)
