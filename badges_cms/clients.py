"""Who is asking: the client's address (believing a proxy's header only when the proxy is
trusted) and per-client rate limits kept in the shared cache, for any public form that needs one
(the verify page here; the feedback app builds its own limit on these).

No address is ever stored: a rate limit is keyed by an HMAC of the address made with the site's
SECRET_KEY, and that key lives only in the cache, for one window.
"""

import ipaddress
import logging
import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac

# IPv6 clients get a whole /64 from their provider and can pick any address in it; counting
# per /64 stops one client from using a fresh address for every request.
IPV6_PREFIX = 64
OUTAGE_LOG_SECONDS = 60

logger = logging.getLogger("badges_cms")


def parse_networks(values):
    """A trusted proxies setting as networks; raises ValueError on anything unreadable."""
    if isinstance(values, str):
        raise TypeError("a list is needed, not a string")
    return [ipaddress.ip_network(str(value).strip(), strict=False) for value in values]


def parse_address(value):
    """An IP address from a header or REMOTE_ADDR, tolerating ports ("1.2.3.4:80",
    "[2001:db8::1]:443"); None if it is not one."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(request, trusted_proxies):
    """The address of the client behind any trusted proxies (a list of addresses or networks).

    Without trusted proxies, or when the request does not come from one, this is REMOTE_ADDR
    and X-Forwarded-For is ignored: anyone can send that header. Behind trusted proxies, the
    header is read from the right (each proxy appends the address it saw) and the first
    address that is not a trusted proxy is the client. The left-most entry is never trusted
    as such, since the client wrote it.
    """
    remote = parse_address(request.META.get("REMOTE_ADDR", ""))
    trusted = parse_networks(trusted_proxies)

    def is_trusted(address):
        return any(address in network for network in trusted)

    if remote is None or not is_trusted(remote):
        return remote
    nearest = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # Garbage where a proxy should have written an address: it came from the client,
            # so stop at the last proxy we trust.
            return nearest
        if not is_trusted(address):
            return address
        nearest = address
    return nearest


def client_key(request, trusted_proxies, salt):
    """A keyed hash standing for the client: stable for one client, useless to anyone without
    SECRET_KEY, and never the address itself."""
    address = client_address(request, trusted_proxies)
    if address is None:
        subject = "unknown"
    elif address.version == 6:
        subject = str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    else:
        subject = str(address)
    return salted_hmac(salt, subject, algorithm="sha256").hexdigest()


class RateLimit:
    """A fixed window of ``limit`` attempts per client, counted in the shared cache.

    ``take()`` counts an attempt atomically (cache ``incr``) before anything else happens, so
    concurrent requests cannot slip past the limit together; ``give_back()`` returns the count
    of an attempt that should not use up the allowance. The cache must be shared by all
    processes (REDIS_URL) for the limit to hold site-wide. While the cache is down the limit
    fails open (every attempt is allowed and the outage logged, once a minute per process):
    refusing everyone would turn a Redis restart into an outage of the form.
    """

    what = "rate limit"  # for the outage message
    _outage_logged_at = {}  # what -> monotonic time it was last logged, per process

    def __init__(self, request, *, prefix, salt, limit, window, trusted_proxies):
        self.cache_key = prefix + client_key(request, trusted_proxies, salt)
        self.limit = limit
        self.window = window

    def take(self):
        """Count one attempt; False when the client has used up its allowance."""
        try:
            if cache.add(self.cache_key, 1, timeout=self.window):
                return True
            try:
                count = cache.incr(self.cache_key)
            except ValueError:  # expired between add() and incr(): a new window starts
                cache.add(self.cache_key, 1, timeout=self.window)
                return True
        except Exception as error:  # a cache backend that raises when its server is away
            count, reason = None, error
        else:
            reason = "the cache answered nothing"
        if count is None:  # django-redis answers None for a call it could not make
            self.log_outage(reason)
            return True
        return count <= self.limit

    def give_back(self):
        try:
            cache.decr(self.cache_key)
        except ValueError:  # the window has ended meanwhile: nothing to give back
            pass
        except Exception as error:  # the cache is down: there is no count to give back
            self.log_outage(error)

    def log_outage(self, reason):
        """Say once a minute (per process) that the limit is not applied, not once a request."""
        now = time.monotonic()
        last = self._outage_logged_at.get(self.what)
        if last is None or now - last >= OUTAGE_LOG_SECONDS:
            self._outage_logged_at[self.what] = now
            logger.warning("The %s is not applied while the cache is down: %s.", self.what, reason)
