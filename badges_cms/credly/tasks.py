"""Background work on the django-tasks queue (run by `manage.py db_worker`).

Webhook events are routed here by ``route_event``: each new event id refreshes its template,
up to ``BADGES_CMS_WEBHOOK_REFRESHES_PER_MINUTE``; beyond that, events fold into one "refresh
soon" full sync, however many arrive. A repeated id queues nothing. Webhook work yields to full
syncs (see locking.py), so the nightly sync is never skipped because of it.
"""

import logging
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from .. import conf
from ..conf import credly_config
from ..models import CredlySyncRun, CredlyWebhookEvent
from .client import CredlyClient, CredlyNotFound
from .locking import INTENT_LOCK, LEASE, claim_once, lock_is_held, release_claim, sync_lock
from .sync import CredlySync, refresh_template

logger = logging.getLogger("badges_cms.credly")

# A webhook update waits this long for running syncs to finish, then gives up.
LOCK_WAIT_SECONDS = 600
REFRESH_SOON_CLAIM = "credly-refresh-soon"


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
