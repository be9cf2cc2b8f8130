"""The Redis cache client of the test settings (alasite/settings/test.py), when REDIS_URL is set.

django-redis's ``cache.clear()`` flushes the whole Redis database. Parallel test processes
(pytest-xdist workers) share that database, each under its own KEY_PREFIX, so one worker's
clear would empty the others' caches mid-test. Here a clear deletes only the keys under this
process's prefix, which is all a test means by emptying the cache.
"""

import re
import socket

from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

BATCH = 500
FAILURES = (RedisConnectionError, RedisTimeoutError, ResponseError, socket.timeout)


def glob_escape(text):
    return re.sub(r"([*?[])", r"[\1]", text)


class PrefixClearingClient(DefaultClient):
    def clear(self, client=None):
        if client is None:
            client = self.get_client(write=True)
        # Django's keys are "<prefix>:<version>:<key>"; every version of every key goes.
        pattern = glob_escape(self._backend.key_prefix) + ":*"
        try:
            batch = []
            for key in client.scan_iter(match=pattern, count=BATCH):
                batch.append(key)
                if len(batch) >= BATCH:
                    client.delete(*batch)
                    batch.clear()
            if batch:
                client.delete(*batch)
        except FAILURES as error:
            raise ConnectionInterrupted(connection=client) from error
