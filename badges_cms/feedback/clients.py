"""Who is submitting: the client's address (believing a proxy's header only when the proxy is
trusted) and a per-client rate limit kept in the shared cache, on the plugin's own
(badges_cms.clients) with the feedback settings.

No address is ever stored: the rate limit is keyed by an HMAC of the address made with the
site's SECRET_KEY, and that key lives only in the cache, for one window.
"""

import logging
import time

from .. import clients
from ..clients import IPV6_PREFIX, parse_address, parse_networks
from . import conf

__all__ = [
    "IPV6_PREFIX",
    "RateLimit",
    "client_address",
    "client_key",
    "parse_address",
    "parse_networks",
]

HMAC_SALT = "badges_cms.feedback.rate-limit"
CACHE_PREFIX = "badges_feedback:rate:"

logger = logging.getLogger("badges_cms.feedback")
OUTAGE_LOG_SECONDS = 60
_outage_logged_at = None


def log_outage(reason):
    """Say once a minute (per process) that submissions go unlimited, not once per submission."""
    global _outage_logged_at
    now = time.monotonic()
    if _outage_logged_at is None or now - _outage_logged_at >= OUTAGE_LOG_SECONDS:
        _outage_logged_at = now
        logger.warning(
            "The feedback rate limit is not applied while the cache is down: %s.", reason
        )


def client_address(request):
    """The address of the client behind BADGES_FEEDBACK_TRUSTED_PROXIES (clients.client_address)."""
    return clients.client_address(request, conf.get("BADGES_FEEDBACK_TRUSTED_PROXIES"))


def client_key(request):
    return clients.client_key(request, conf.get("BADGES_FEEDBACK_TRUSTED_PROXIES"), HMAC_SALT)


class RateLimit(clients.RateLimit):
    """A fixed window of ``BADGES_FEEDBACK_RATE_LIMIT`` submissions per client.

    ``give_back()`` returns the count of an attempt that stored nothing through the visitor's
    own mistake (a missing answer), so correcting a form does not use up the allowance. Bots
    tripping the honeypot keep theirs. While the cache is down every submission is allowed:
    refusing everyone would lose genuine answers, and the honeypot still applies.
    """

    def __init__(self, request):
        super().__init__(
            request,
            prefix=CACHE_PREFIX,
            salt=HMAC_SALT,
            limit=conf.get("BADGES_FEEDBACK_RATE_LIMIT"),
            window=conf.get("BADGES_FEEDBACK_RATE_WINDOW"),
            trusted_proxies=conf.get("BADGES_FEEDBACK_TRUSTED_PROXIES"),
        )

    def log_outage(self, reason):
        log_outage(reason)
