"""A Redis connection pool that lets the site carry on, quickly, while Redis is away.

django-redis (IGNORE_EXCEPTIONS) already turns a failed cache call into a miss. On its own,
that still leaves every cache call of a request paying for a fresh connection attempt (Wagtail
alone asks the cache for the site's root paths and for each image rendition), and logs each
failure. This pool, named by ``CONNECTION_POOL_CLASS`` in settings, adds a circuit breaker:
once connecting fails, every call fails at once for ``REDIS_RETRY_AFTER`` seconds without
touching the network, so a request is slowed by at most one connect timeout; and the outage is
logged once a minute per process, not once per call.
"""

import logging
import threading
import time

from redis.connection import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("alasite.cache")

# How long the cache is left alone after a failed connection, and how often an outage that
# goes on is logged again.
RETRY_AFTER_SECONDS = 5.0
LOG_EVERY_SECONDS = 60.0

FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)


class Breaker:
    """Per process: whether Redis is to be left alone for now, and when the outage was last
    logged. Shared by every pool of the process (one per Redis address)."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.open_until = 0.0
        self.logged_at = None
        self.down_since = None

    def check(self, where):
        if self.clock() < self.open_until:
            raise RedisConnectionError(f"Redis at {where} is not answering; not trying yet.")

    def trip(self, where, error):
        with self.lock:
            now = self.clock()
            self.open_until = now + RETRY_AFTER_SECONDS
            if self.down_since is None:
                self.down_since = now
            if self.logged_at is None or now - self.logged_at >= LOG_EVERY_SECONDS:
                self.logged_at = now
                logger.warning(
                    "The cache (Redis at %s) is not answering: %s. Pages are served without "
                    "it; the next try is in %gs.",
                    where,
                    error,
                    RETRY_AFTER_SECONDS,
                )

    def closed(self, where):
        """A connection succeeded: say so once if there had been an outage."""
        if self.down_since is None:
            return
        with self.lock:
            if self.down_since is not None:
                logger.warning(
                    "The cache (Redis at %s) answers again after %.0fs.",
                    where,
                    self.clock() - self.down_since,
                )
                self.reset()


breaker = Breaker()


class ResilientConnectionPool(ConnectionPool):
    """redis-py's pool with the breaker above in front of every connection it hands out."""

    def get_connection(self, *args, **kwargs):
        where = self.where()
        breaker.check(where)
        try:
            connection = super().get_connection(*args, **kwargs)
        except FAILURES as error:
            breaker.trip(where, error)
            raise
        breaker.closed(where)
        return connection

    def where(self):
        kwargs = self.connection_kwargs
        if "path" in kwargs:
            return kwargs["path"]
        return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"
