"""Invalidating cached copies of badge pages after their content or figures change."""

import functools
import logging
import os
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("badges_cms")

# Any whole-page cache keys its entries with this version, so bumping it drops them all.
CONTENT_VERSION_KEY = "badges_cms:content-version"


def _fresh_version():
    # Started from the clock, not 1: if the cache loses the key, the new version is still
    # above every version pages were stored under, so no old copy is served again.
    return time.time_ns() // 1000


def content_version():
    return cache.get_or_set(CONTENT_VERSION_KEY, _fresh_version, timeout=None)


def bump_content_version():
    try:
        return cache.incr(CONTENT_VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        version = _fresh_version()
        cache.set(CONTENT_VERSION_KEY, version, timeout=None)
        return version


def purge_badge_pages(pages):
    """Drop cached copies of these badge pages and of the indexes that list them."""
    bump_content_version()
    if not pages or not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    batch.add_pages(pages)
    batch.add_pages({page.get_parent() for page in pages})
    batch.purge()
    logger.info("Purged %d badge pages and their indexes from the front-end cache", len(pages))


# Reads on every request (the page and fragment caches), cheaper than Django's cache API.


class RedisReader:
    """Reads for a hit, with Django's Redis backend: one MGET on a connection this thread keeps.
    A hit is little more than that round trip, and Django's cache API (a new client object on
    each call, a connection taken from the pool and given back) costs as much again. Keys and
    values are the backend's own, so what Django's cache writes, this reads."""

    def __init__(self, backend):
        from redis import exceptions

        # Redis restarted, or dropped an idle connection: worth one more try on a new one.
        self.retry_on = (exceptions.ConnectionError, exceptions.TimeoutError, OSError)
        client = backend._cache.get_client(None, write=False)
        self.pool = client.connection_pool
        self.make_key = backend.make_key
        self.loads = backend._cache._serializer.loads
        self.local = threading.local()

    def connection(self, fresh=False):
        connection = getattr(self.local, "connection", None)
        if fresh or connection is None or connection.pid != os.getpid():
            if connection is not None:
                connection.disconnect()
            connection = self.local.connection = self.pool.connection_class(
                **self.pool.connection_kwargs
            )
        return connection

    def read_many(self, keys):
        keys = [self.make_key(key) for key in keys]
        try:
            connection = self.connection()
            connection.send_command("MGET", *keys)
            values = connection.read_response()
        except self.retry_on:
            connection = self.connection(fresh=True)
            connection.send_command("MGET", *keys)
            values = connection.read_response()
        return [None if value is None else self.loads(value) for value in values]


@functools.cache
def redis_reader():
    """A RedisReader with Django's Redis backend; None with any other backend."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    try:
        return RedisReader(backend)
    except AttributeError:  # Django's private API changed: use the public one
        return None


def read_many(keys):
    """The values of these keys (None where missing), in one round trip to the cache."""
    reader = redis_reader()
    if reader is None:
        found = cache.get_many(keys)
        return [found.get(key) for key in keys]
    return reader.read_many(keys)


class ProcessMemo:
    """A map one process keeps for itself (thread-safe), bounded: least recently used entries
    go first once there are more than ``max_entries``, or once the values' sizes (``size``)
    add up to more than ``max_bytes``; an entry older than ``max_age()`` seconds is dropped
    when asked for. ``entries`` maps each key to (stored at, value)."""

    def __init__(self, *, max_entries=None, max_bytes=None, size=len, max_age=None):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size_of = size if max_bytes is not None else (lambda value: 0)
        self.max_age = max_age
        self.entries = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            if self.max_age is not None and time.monotonic() - found[0] > self.max_age():
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key, value):
        size = self.size_of(value)
        if self.max_bytes is not None and size > self.max_bytes:
            return
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (time.monotonic(), value)
            self.size += size
            while (self.max_entries is not None and len(self.entries) > self.max_entries) or (
                self.max_bytes is not None and self.size > self.max_bytes
            ):
                self._drop(next(iter(self.entries)))

    def _drop(self, key):
        _, value = self.entries.pop(key)
        self.size -= self.size_of(value)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0
