"""Sync health, and the emails that tell badge managers when it is poor.

Health is read from the log of *full* syncs (the nightly command and "Sync now"): a webhook
refreshes one template and says nothing about whether the nightly sync works. States:

- never:   no full sync has finished yet (nothing to alert about: Credly may not be set up);
- failed:  the last finished full sync failed;
- stale:   the last success is older than BADGES_CMS_SYNC_STALE_AFTER_HOURS (36);
- healthy: otherwise.

A failed or stale sync opens an incident (CredlySyncIncident) and emails the members of the
"Badge managers" group once; the next success closes it. Staleness and the token reminders
(CREDLY_TOKEN_EXPIRES) need a clock, so `manage.py check_credly_health` runs from cron; it is
safe to run as often as you like.
"""

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import conf
from ..models import CredlySyncIncident, CredlySyncRun, CredlyTokenReminder
from ..times import site_time
from .locking import LEASE

logger = logging.getLogger("badges_cms.credly")

FULL_SYNC_TRIGGERS = CredlySyncRun.FULL_TRIGGERS


class HealthState(models.TextChoices):
    NEVER = "never", gettext_lazy("Never synced")
    HEALTHY = "healthy", gettext_lazy("Healthy")
    STALE = "stale", gettext_lazy("Out of date")
    FAILED = "failed", gettext_lazy("Failed")


@dataclass(frozen=True)
class SyncHealth:
    state: str
    checked_at: datetime
    stale_after: timedelta
    last_run: CredlySyncRun | None = None  # the last full sync that finished, either way
    last_success: CredlySyncRun | None = None
    running: CredlySyncRun | None = None  # a full sync started within the lock's lease

    @property
    def state_label(self):
        return HealthState(self.state).label

    @property
    def needs_attention(self):
        return self.state in (HealthState.STALE, HealthState.FAILED)

    @property
    def warning(self):
        """What went wrong after the last sync saved its figures (it still succeeded)."""
        run = self.last_run
        if run is None or run.status != CredlySyncRun.Status.SUCCEEDED or not run.warning:
            return ""
        return _("The last sync saved its figures, but %(warning)s.") % {"warning": run.warning}

    @property
    def last_success_at(self):
        run = self.last_success
        return (run.finished_at or run.started_at) if run else None

    def describe(self):
        """One or two sentences for the dashboard and the emails."""
        if self.state == HealthState.NEVER:
            return _("No full sync with Credly has finished yet.")
        since = self._since_last_success()
        if self.state == HealthState.FAILED:
            return _("The last sync failed: %(message)s %(since)s") % {
                "message": self.last_run.message or _("no reason was recorded."),
                "since": since,
            }
        if self.state == HealthState.STALE:
            return _("No sync has succeeded for more than %(hours)d hours. %(since)s") % {
                "hours": self.stale_after.total_seconds() // 3600,
                "since": since,
            }
        return _("The figures are up to date. %(since)s") % {"since": since}

    def _since_last_success(self):
        if self.last_success_at is None:
            return _("No sync has succeeded yet.")
        return _("The last successful sync finished %(when)s (%(ago)s ago).") % {
            "when": format_time(self.last_success_at),
            "ago": timesince(self.last_success_at, self.checked_at),
        }


def stale_after():
    return timedelta(hours=conf.get("BADGES_CMS_SYNC_STALE_AFTER_HOURS"))


def sync_health(now=None):
    now = now or timezone.now()
    runs = CredlySyncRun.objects.filter(trigger__in=FULL_SYNC_TRIGGERS, dry_run=False).order_by(
        "-started_at", "-id"
    )
    finished = (CredlySyncRun.Status.SUCCEEDED, CredlySyncRun.Status.FAILED)
    last_run = runs.filter(status__in=finished).first()
    if last_run is not None and last_run.status == CredlySyncRun.Status.SUCCEEDED:
        last_success = last_run
    else:
        last_success = runs.filter(status=CredlySyncRun.Status.SUCCEEDED).first()
    # A run left "running" by a process that died stops counting when the lock's lease ends.
    running = runs.filter(status=CredlySyncRun.Status.RUNNING, started_at__gte=now - LEASE).first()

    health = SyncHealth(
        state=HealthState.HEALTHY,
        checked_at=now,
        stale_after=stale_after(),
        last_run=last_run,
        last_success=last_success,
        running=running,
    )
    if last_run is None:
        state = HealthState.NEVER
    elif last_run.status == CredlySyncRun.Status.FAILED:
        state = HealthState.FAILED
    elif now - health.last_success_at > health.stale_after:
        state = HealthState.STALE
    else:
        return health
    return replace(health, state=state)


# Incidents


def sync_run_recorded(run):
    """Called by the sync once a full run's outcome is saved: a failure opens an incident (and
    emails, unless one is already open), a success closes it."""
    if run.dry_run or run.trigger not in FULL_SYNC_TRIGGERS:
        return
    try:
        if run.status == CredlySyncRun.Status.SUCCEEDED:
            close_incident(run)
        elif run.status == CredlySyncRun.Status.FAILED:
            open_incident(CredlySyncIncident.Reason.FAILED, run=run, summary=run.message)
    except Exception:
        # An alert must never change what the sync reports or how the command exits; the
        # health check retries an incident whose email did not go out.
        logger.exception("Could not record or send the Credly sync alert for run %s", run.pk)


def open_incident(reason, run=None, summary=""):
    """Open an incident and email the badge managers; None if one is already open."""
    try:
        with transaction.atomic():
            incident = CredlySyncIncident.objects.create(
                reason=reason, opened_by_run=run, summary=summary
            )
    except IntegrityError:
        return None  # already open: its email went out (or is being retried)
    notify_incident(incident)
    return incident


def close_incident(run, opened_before=None):
    incidents = CredlySyncIncident.objects.filter(is_open=True)
    if opened_before is not None:
        incidents = incidents.filter(opened_at__lte=opened_before)
    return incidents.update(is_open=False, closed_at=timezone.now(), closed_by_run=run)


def notify_incident(incident):
    """Email the incident unless that was done; True if it was sent now."""
    # Claim the incident first, so two processes never both send; release it if sending fails
    # or nobody could be told, so that the health check tries again.
    now = timezone.now()
    claim = CredlySyncIncident.objects.filter(pk=incident.pk, notified_at__isnull=True)
    if not claim.update(notified_at=now):
        return False
    sent = 0
    try:
        health = sync_health()
        if incident.reason == CredlySyncIncident.Reason.FAILED:
            subject = _("Credly sync failed")
            opening = _("The sync of badge figures from Credly failed.")
        else:
            subject = _("Credly figures are out of date")
            opening = _("The badge figures from Credly have not been refreshed for a while.")
        lines = [opening, "", health.describe()]
        if incident.summary and incident.summary not in lines[-1]:
            lines += ["", incident.summary]
        lines += [
            "",
            _(
                "Until a sync succeeds, the site keeps showing the figures of the last "
                "successful one. You will not get another email about this problem; the next "
                "successful sync closes it."
            ),
        ]
        sent = send_to_badge_managers(subject, lines, link=("badges_cms_sync_log:index",))
    finally:
        if not sent:
            CredlySyncIncident.objects.filter(pk=incident.pk).update(notified_at=None)
    incident.notified_at = now if sent else None
    return bool(sent)


# Token reminders


def reminder_days():
    return sorted({int(days) for days in conf.get("BADGES_CMS_TOKEN_REMINDER_DAYS")}, reverse=True)


def token_expiry():
    """CREDLY_TOKEN_EXPIRES as a date, None when unset; ValueError when it is not a date."""
    raw = str(conf.get("CREDLY_TOKEN_EXPIRES") or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"CREDLY_TOKEN_EXPIRES {raw[:40]!r} is not an ISO date such as 2026-09-30."
        ) from None


def remind_token_expiry(now=None):
    """Send the reminder that is due, if any; the number of days left, when one was sent."""
    expires = token_expiry()
    if expires is None:
        return None
    days_left = (expires - timezone.localdate(now or timezone.now())).days
    due = [days for days in reminder_days() if days_left <= days]
    if not due:
        return None
    # Thresholds passed while nobody checked are marked without an email of their own: one
    # reminder, the most urgent, is enough.
    most_urgent = due[-1]
    CredlyTokenReminder.objects.bulk_create(
        [CredlyTokenReminder(expires_on=expires, days_before=days) for days in due[:-1]],
        ignore_conflicts=True,
    )
    try:
        with transaction.atomic():
            reminder = CredlyTokenReminder.objects.create(
                expires_on=expires, days_before=most_urgent
            )
    except IntegrityError:
        return None  # already sent
    sent = 0
    try:
        sent = send_to_badge_managers(*token_message(expires, days_left), link=None)
    finally:
        if not sent:
            reminder.delete()  # try again at the next check
    return days_left if sent else None


def token_message(expires, days_left):
    when = date_format(expires, "DATE_FORMAT")
    if days_left > 1:
        subject = _("The Credly API token expires in %(days)d days") % {"days": days_left}
    elif days_left == 1:
        subject = _("The Credly API token expires tomorrow")
    elif days_left == 0:
        subject = _("The Credly API token expires today")
    else:
        subject = _("The Credly API token has expired")
    lines = [
        _("The site's Credly API token (CREDLY_API_TOKEN) expires on %(date)s.") % {"date": when},
        "",
        _(
            "Create a new token in Credly's organization settings, put it in the server's "
            "environment with the new date in CREDLY_TOKEN_EXPIRES, and restart the site and "
            "its task worker. Until then the nightly sync keeps working; after that date it "
            "fails and the figures on the site stop changing."
        ),
    ]
    return subject, lines


# Email


def badge_manager_addresses():
    group = conf.get("BADGES_CMS_ALERT_GROUP")
    users = get_user_model().objects.filter(is_active=True, groups__name=group).exclude(email="")
    return list(users.order_by("email").values_list("email", flat=True).distinct())


def send_to_badge_managers(subject, lines, link=None):
    """One email per badge manager (no one sees the others' addresses); how many were sent."""
    addresses = badge_manager_addresses()
    if not addresses:
        logger.warning(
            "Nobody in the %r group has an email address; not sent: %s",
            conf.get("BADGES_CMS_ALERT_GROUP"),
            subject,
        )
        return 0
    body = list(lines)
    if link and (url := admin_url(*link)):
        body += ["", _("Sync log: %(url)s") % {"url": url}]
    site = getattr(settings, "WAGTAIL_SITE_NAME", "") or "badges_cms"
    messages = [
        EmailMessage(f"[{site}] {subject}", "\n".join(str(line) for line in body), to=[address])
        for address in addresses
    ]
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def admin_url(name, *args):
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    try:
        return base + reverse(name, args=args)
    except NoReverseMatch:  # a site without the Wagtail admin's URLs
        return ""


def format_time(value):
    return site_time(value)


# The periodic check


@dataclass
class HealthCheckReport:
    health: SyncHealth
    incident_opened: CredlySyncIncident | None = None
    incidents_closed: int = 0
    incidents_notified: int = 0
    token_reminder_days_left: int | None = None


def check_health(now=None, token_reminders=True):
    """Everything cron runs: open or close the incident to match the health, retry emails that
    did not go out, and send the token reminder that is due. Idempotent."""
    health = sync_health(now)
    report = HealthCheckReport(health=health)
    if health.needs_attention:
        report.incident_opened = open_incident(
            health.state,
            run=health.last_run if health.state == HealthState.FAILED else None,
            summary=health.describe(),
        )
    elif health.state == HealthState.HEALTHY:
        # A success recorded while alerts could not run; never an incident opened after it.
        report.incidents_closed = close_incident(
            health.last_success, opened_before=health.last_success_at
        )
    opened = report.incident_opened
    if opened is not None and opened.notified_at is not None:
        report.incidents_notified += 1
    unsent = CredlySyncIncident.objects.filter(is_open=True, notified_at__isnull=True)
    for incident in unsent.exclude(pk=opened.pk if opened else None):
        report.incidents_notified += notify_incident(incident)
    if token_reminders:
        report.token_reminder_days_left = remind_token_expiry(now)
    return report
