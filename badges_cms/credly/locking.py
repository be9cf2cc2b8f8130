"""One Credly sync at a time, across processes and machines, and full syncs before webhooks.

Two locks, each by name:

- ``SYNC_LOCK`` is held by whatever writes figures: a full sync, or a webhook task refreshing
  one template. Only one holds it at a time.
- ``INTENT_LOCK`` is held by a full sync from the moment it wants the sync lock until it is done.
  Webhook tasks do not take the sync lock while a full sync holds its intent: they yield, so a
  flood of webhook work never makes the nightly sync skip or wait for more than the one refresh
  in progress.

On PostgreSQL each is a session-level advisory lock: the server drops it if the process dies,
so it can never be left behind. Elsewhere (SQLite in development) a row in CredlySyncLock with
an expiry, so a crashed holder blocks the next sync only until its lease runs out.
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

from ..models import CredlySyncLock

SYNC_LOCK = "credly-sync"
INTENT_LOCK = "credly-full-sync"
LOCK_NAME = SYNC_LOCK  # the name earlier releases used
# Longer than a sync may take (the client's overall deadline is 15 minutes).
LEASE = timedelta(minutes=30)


def advisory_key(name):
    """Advisory-lock keys are 64-bit integers; derive a stable one from the name."""
    return zlib.crc32(b"badges_cms:" + name.encode())


ADVISORY_KEY = advisory_key(SYNC_LOCK)


class LockTimeout(Exception):
    """The lock was still held by another sync when waiting gave up."""


@contextmanager
def sync_lock(wait=0.0, poll=0.25, name=SYNC_LOCK):
    """Yield True while holding the lock ``name``, or False when another holder has it.

    ``wait`` is how many seconds to keep trying before answering False: 0 to skip at once if
    busy, longer for work that must not be lost.
    """
    if connection.vendor == "postgresql":
        acquire, release = _advisory_acquire, _advisory_release
        token = None
    else:
        token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        acquire, release = _row_acquire, _row_release

    give_up_at = time.monotonic() + wait
    held = acquire(name, token)
    while not held and time.monotonic() < give_up_at:
        time.sleep(poll)
        held = acquire(name, token)
    try:
        yield held
    finally:
        if held:
            release(name, token)


def _advisory_acquire(name, _token):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [advisory_key(name)])
        return bool(cursor.fetchone()[0])


def _advisory_release(name, _token):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [advisory_key(name)])


def _row_acquire(name, token):
    now = timezone.now()
    try:
        with transaction.atomic():
            # A lease that ran out belongs to a holder that died: take it over.
            CredlySyncLock.objects.filter(name=name, expires_at__lt=now).delete()
            CredlySyncLock.objects.create(name=name, holder=token, expires_at=now + LEASE)
    except IntegrityError:
        return False
    return True


def _row_release(name, token):
    CredlySyncLock.objects.filter(name=name, holder=token).delete()


def lock_is_held(name=SYNC_LOCK):
    """Whether someone holds the lock now, found without taking it: taking it even for a
    moment could make a sync starting at that instant record itself as skipped."""
    if connection.vendor == "postgresql":
        # A one-key advisory lock shows in pg_locks with the key's low 32 bits in objid.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND classid::bigint = 0 AND objid::bigint = %s AND objsubid = 1 AND granted)",
                [advisory_key(name)],
            )
            return bool(cursor.fetchone()[0])
    return CredlySyncLock.objects.filter(name=name, expires_at__gt=timezone.now()).exists()


def claim_once(name, until):
    """Take a one-off marker (no holder process) until ``until``: True for the first caller,
    False while another unexpired claim exists. Used to queue a single "refresh soon" task
    however many webhook events overflow into it."""
    now = timezone.now()
    try:
        with transaction.atomic():
            CredlySyncLock.objects.filter(name=name, expires_at__lt=now).delete()
            CredlySyncLock.objects.create(name=name, holder="claim", expires_at=until)
    except IntegrityError:
        return False
    return True


def release_claim(name):
    CredlySyncLock.objects.filter(name=name, holder="claim").delete()
