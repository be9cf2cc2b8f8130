"""Background work on the django-tasks queue (run by `manage.py db_worker`).

Webhook events are routed here by ``route_event``: each new event id refreshes its template,
up to ``BADGES_CMS_WEBHOOK_REFRESHES_PER_MINUTE``; beyond that, events fold into one "refresh
soon" full sync, however many arrive. A repeated id queues nothing. Webhook work yields to full
syncs (see locking.py), so the nightly sync is never skipped because of it.

"Sync now" in the admin calls ``queue_sync``, which never puts two syncs in motion: it refuses
while another process holds the sync lock or while the sync it queued earlier is still waiting
for the worker, and the queued task itself takes the lock without waiting (so a sync that
starts meanwhile makes it record "skipped").
"""

import logging
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import default_task_backend, task
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from .. import conf
from ..conf import credly_config
from ..models import CredlySyncRun, CredlyWebhookEvent
from .alerts import sync_health
from .client import CredlyClient, CredlyConfigError, CredlyNotFound
from .locking import INTENT_LOCK, LEASE, claim_once, lock_is_held, release_claim, sync_lock
from .sync import CredlySync, refresh_template

logger = logging.getLogger("badges_cms.credly")

# A webhook update waits this long for running syncs to finish, then gives up.
LOCK_WAIT_SECONDS = 600
REFRESH_SOON_CLAIM = "credly-refresh-soon"

# The id of the task queue_sync() queued last, to tell a second press of Sync now that one is
# waiting. In the shared cache where there is one (REDIS_URL); with per-process caches the sync
# lock still keeps a second sync from running alongside the first.
QUEUED_TASK_KEY = "badges_cms:sync-now:task"
QUEUED_TASK_TIMEOUT = 60 * 60


class SyncBusy(Exception):
    """The sync lock stayed taken; the event's update was not applied."""


def template_id_of(event):
    """The badge template an event is about, from the event Credly itself gave us."""
    event_type = str(event.get("event_type", ""))
    if event_type.startswith("badge_template."):
        holder = event.get("badge_template")
    elif event_type.startswith("badge."):
        holder = (event.get("badge") or {}).get("badge_template")
    else:
        return None
    try:
        return uuid.UUID(str((holder or {}).get("id")))
    except ValueError:
        return None


def route_event(event_id, now=None):
    """Decide what a new webhook event costs us, and queue it. Returns "refresh", "folded" or
    "duplicate". The event id is recorded first, so a second delivery of it queues nothing."""
    now = now or timezone.now()
    recent = CredlyWebhookEvent.objects.filter(
        received_at__gte=now - timedelta(minutes=1),
        handling=CredlyWebhookEvent.Handling.REFRESH,
    ).count()
    if recent < conf.get("BADGES_CMS_WEBHOOK_REFRESHES_PER_MINUTE"):
        handling = CredlyWebhookEvent.Handling.REFRESH
    else:
        handling = CredlyWebhookEvent.Handling.FOLDED
    try:
        with transaction.atomic():
            CredlyWebhookEvent.objects.create(id=event_id, received_at=now, handling=handling)
    except IntegrityError:
        return "duplicate"
    if handling == CredlyWebhookEvent.Handling.REFRESH:
        process_credly_event.enqueue(str(event_id), now.isoformat())
    else:
        schedule_refresh_soon(now)
    return str(handling)


def schedule_refresh_soon(now):
    """Queue one full refresh a little later, unless one is queued already: a burst of events
    beyond the per-minute budget costs one listing of the templates, not a request each."""
    run_after = now + timedelta(seconds=conf.get("BADGES_CMS_WEBHOOK_REFRESH_DELAY"))
    if not claim_once(REFRESH_SOON_CLAIM, until=run_after + LEASE):
        return False
    queued = refresh_credly_soon
    if default_task_backend.supports_defer:
        queued = queued.using(run_after=run_after)
    queued.enqueue()
    return True


@contextmanager
def webhook_turn(wait=None, poll=0.25):
    """Yield True while this webhook task may write figures: it holds the sync lock and no
    full sync wants it. A full sync that shows its intent is let go first."""
    give_up_at = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
    while True:
        if not lock_is_held(INTENT_LOCK):
            with sync_lock() as held:
                if held and not lock_is_held(INTENT_LOCK):
                    yield True
                    return
        if time.monotonic() >= give_up_at:
            yield False
            return
        time.sleep(poll)


def covered_by_full_sync(received_at):
    """Whether a full sync that started after the event arrived has succeeded: its figures
    are at least as new as the event's, so refreshing again would spend a request for nothing."""
    if not received_at:
        return False
    return CredlySyncRun.objects.filter(
        trigger__in=CredlySyncRun.FULL_TRIGGERS,
        dry_run=False,
        status=CredlySyncRun.Status.SUCCEEDED,
        started_at__gte=datetime.fromisoformat(received_at),
    ).exists()


@task()
def process_credly_event(event_id, received_at=None):
    """Refresh the template a Credly webhook event is about.

    The webhook body is not trusted (Credly signs nothing): only its id is used, to fetch
    the event from Credly with our own token. An id Credly does not know changes nothing.
    """
    config = credly_config()
    client = CredlyClient(config)
    with webhook_turn() as held:
        if not held:
            raise SyncBusy(f"The sync lock stayed taken; event {event_id} was not applied.")
        if covered_by_full_sync(received_at):
            return "covered by a full sync"
        try:
            event = client.get_event(event_id)
        except CredlyNotFound:
            logger.warning("Credly knows no event %s; webhook ignored.", event_id)
            return "unknown event"
        if str(event.get("organization_id", "")).lower() != config.organization_id:
            logger.warning("Event %s belongs to another organization; ignored.", event_id)
            return "another organization"
        template_id = template_id_of(event)
        if template_id is None:
            logger.info(
                "Event %s (%s) concerns no badge template.", event_id, event.get("event_type")
            )
            return "no template"
        run = refresh_template(client, template_id)
        return f"{run.status}: template {template_id}"


@task()
def refresh_credly_soon():
    """The full refresh that webhook events beyond the per-minute budget fold into. It waits
    for a running sync like the nightly one, and stands down if one succeeded meanwhile."""
    release_claim(REFRESH_SOON_CLAIM)  # events arriving from now on queue the next one
    report = CredlySync(
        CredlyClient(credly_config()),
        trigger=CredlySyncRun.Trigger.WEBHOOK_OVERFLOW,
        lock_wait=LOCK_WAIT_SECONDS,
    ).run()
    return {"status": str(report.status), "summary": report.summary()}


@task()
def run_credly_sync():
    """The full sync, queued by "Sync now" in the admin. It takes the sync lock without
    waiting: if another sync holds it, this run is recorded as skipped."""
    report = CredlySync(CredlyClient(credly_config()), trigger=CredlySyncRun.Trigger.ADMIN).run()
    return {
        "status": str(report.status),
        "run": report.run.pk if report.run else None,
        "summary": report.summary(),
    }


def queued_sync():
    """The task result of a sync queue_sync() queued that has not started yet, else None."""
    result_id = cache.get(QUEUED_TASK_KEY)
    if not result_id:
        return None
    try:
        result = run_credly_sync.get_result(result_id)
    except (NotImplementedError, TaskResultDoesNotExist, TaskResultMismatch):
        return None
    return result if result.status == TaskResultStatus.READY else None


class SyncQueueing(StrEnum):
    """What queue_sync() did."""

    NOT_CONFIGURED = "not_configured"  # nothing queued: Credly's settings are incomplete
    RUNNING = "running"  # nothing queued: another process holds the sync lock
    QUEUED_ALREADY = "queued_already"  # nothing queued: the last one still waits for the worker
    QUEUED = "queued"  # queued for the worker
    FINISHED = "finished"  # the task backend ran it at once (development, tests): see outcome
    FAILED = "failed"  # the task backend ran it at once and the task raised


@dataclass(frozen=True)
class QueueSyncResult:
    """What queue_sync() did (``kind``) and what goes with it: for NOT_CONFIGURED the
    ``problem``; for RUNNING ``running_since``, when the run holding the lock started (None when
    no recorded full sync is running: a webhook update, or a sync that has only just begun);
    for FINISHED the ``outcome``, run_credly_sync's return value ({"status", "run",
    "summary"}); for QUEUED, FINISHED and FAILED the task result's ``task_id``."""

    kind: SyncQueueing
    problem: CredlyConfigError | None = None
    running_since: datetime | None = None
    outcome: dict | None = None
    task_id: str | None = None


def queue_sync():
    """Queue the full sync (run_credly_sync) unless one is running or waiting already.

    Checks, in order: that Credly is configured, that no one holds the sync lock, and that the
    sync queued last has started; then enqueues, and remembers the task's id in the cache, so
    that a second call while the task waits for the worker queues nothing. Returns a
    QueueSyncResult.
    """
    try:
        credly_config()
    except CredlyConfigError as exc:
        return QueueSyncResult(SyncQueueing.NOT_CONFIGURED, problem=exc)
    if lock_is_held():
        running = sync_health().running
        return QueueSyncResult(
            SyncQueueing.RUNNING, running_since=running.started_at if running else None
        )
    if queued_sync() is not None:
        return QueueSyncResult(SyncQueueing.QUEUED_ALREADY)
    result = run_credly_sync.enqueue()
    if not result.is_finished:
        cache.set(QUEUED_TASK_KEY, result.id, QUEUED_TASK_TIMEOUT)
        return QueueSyncResult(SyncQueueing.QUEUED, task_id=result.id)
    if result.status == TaskResultStatus.SUCCESSFUL:
        return QueueSyncResult(
            SyncQueueing.FINISHED, outcome=result.return_value, task_id=result.id
        )
    return QueueSyncResult(SyncQueueing.FAILED, task_id=result.id)
