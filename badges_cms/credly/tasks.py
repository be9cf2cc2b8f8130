"""Background work on the django-tasks queue (run by `manage.py db_worker`)."""

import logging
import uuid

from django_tasks import task

from ..conf import credly_config
from .client import CredlyClient, CredlyNotFound
from .locking import sync_lock

logger = logging.getLogger("badges_cms.credly")

# A webhook update waits this long for a running nightly sync to finish, then gives up.
LOCK_WAIT_SECONDS = 600


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


@task()
def process_credly_event(event_id):
    """Refresh the template a Credly webhook event is about.

    The webhook body is not trusted (Credly signs nothing): only its id is used, to fetch
    the event from Credly with our own token. An id Credly does not know changes nothing.
    """
    from .sync import refresh_template

    config = credly_config()
    client = CredlyClient(config)
    with sync_lock(wait=LOCK_WAIT_SECONDS) as held:
        if not held:
            raise SyncBusy(f"The sync lock stayed taken; event {event_id} was not applied.")
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
def run_credly_sync():
    """The full sync, queued by "Sync now" in the admin. Like the nightly command it takes the
    sync lock without waiting: if another sync holds it, this run is recorded as skipped."""
    from ..models import CredlySyncRun
    from .sync import CredlySync

    report = CredlySync(CredlyClient(credly_config()), trigger=CredlySyncRun.Trigger.ADMIN).run()
    return {
        "status": str(report.status),
        "run": report.run.pk if report.run else None,
        "summary": report.summary(),
    }
