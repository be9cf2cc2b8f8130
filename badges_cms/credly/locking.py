"""One Credly sync at a time, across processes and machines.

On PostgreSQL a session-level advisory lock: the server drops it if the process dies, so it
can never be left behind. Elsewhere (SQLite in development) a row in CredlySyncLock with an
expiry, so a crashed holder blocks the next sync only until its lease runs out.
"""

import os
import socket
import time
import uuid
import zlib
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

LOCK_NAME = "credly-sync"
# Longer than a sync may take (the client's overall deadline is 15 minutes).
LEASE = timedelta(minutes=30)
# Advisory-lock keys are 64-bit integers; derive a stable one from the name.
ADVISORY_KEY = zlib.crc32(b"badges_cms:" + LOCK_NAME.encode())


class LockTimeout(Exception):
    """The lock was still held by another sync when waiting gave up."""


@contextmanager
def sync_lock(wait=0.0, poll=0.25):
    """Yield True while holding the sync lock, or False when another holder has it.

    ``wait`` is how many seconds to keep trying before answering False: 0 for the nightly
    sync (skip if busy), longer for a webhook update that must not be lost.
    """
    if connection.vendor == "postgresql":
        acquire, release = _advisory_acquire, _advisory_release
        token = None
    else:
        token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        acquire, release = _row_acquire, _row_release

    give_up_at = time.monotonic() + wait
    held = acquire(token)
    while not held and time.monotonic() < give_up_at:
        time.sleep(poll)
        held = acquire(token)
    try:
        yield held
    finally:
        if held:
            release(token)


def _advisory_acquire(_token):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
        return bool(cursor.fetchone()[0])


def _advisory_release(_token):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])


def _row_acquire(token):
    from ..models import CredlySyncLock

    now = timezone.now()
    try:
        with transaction.atomic():
            # A lease that ran out belongs to a holder that died: take it over.
            CredlySyncLock.objects.filter(name=LOCK_NAME, expires_at__lt=now).delete()
            CredlySyncLock.objects.create(name=LOCK_NAME, holder=token, expires_at=now + LEASE)
    except IntegrityError:
        return False
    return True


def _row_release(token):
    from ..models import CredlySyncLock

    CredlySyncLock.objects.filter(name=LOCK_NAME, holder=token).delete()


def _lock_model():
    from ..models import CredlySyncLock

    return CredlySyncLock


def lock_is_held():
    """Whether a sync holds the lock now, found without taking the lock: taking it even for a
    moment could make a sync starting at that instant record itself as skipped."""
    if connection.vendor == "postgresql":
        # A one-key advisory lock shows in pg_locks with the key's low 32 bits in objid.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND classid::bigint = 0 AND objid::bigint = %s AND objsubid = 1 AND granted)",
                [ADVISORY_KEY],
            )
            return bool(cursor.fetchone()[0])
    return _lock_model().objects.filter(name=LOCK_NAME, expires_at__gt=timezone.now()).exists()
