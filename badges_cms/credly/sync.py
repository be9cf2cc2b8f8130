"""The Credly sync: fetch every badge template, validate all of it, then write once.

Nothing is written until everything has been fetched and checked, and then all of it is
written in one transaction, so a failure at any point leaves every figure as it was.
Credly's data is validated here, at the boundary, into TemplateData; the rest of the
code never sees a raw Credly dict.
"""

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from ..http_cache.purge import PurgePlan, purge_configured, purge_now
from ..models import (
    BadgePage,
    CredlyBadgeTemplate,
    CredlyIssuanceSnapshot,
    CredlySyncRun,
    CredlyWebhookEvent,
)
from .alerts import sync_run_recorded
from .client import CredlyBadResponse, CredlyError, CredlyNotFound, count_badges_many
from .drafts import create_draft_page
from .images import attach_template_images
from .locking import INTENT_LOCK, sync_lock

logger = logging.getLogger("badges_cms.credly")

FIGURE_FIELDS = ("name", "url", "image_url", "state", "badges_count")
# Webhook event ids are kept this long, to recognise a repeated delivery.
WEBHOOK_EVENTS_KEPT = timedelta(days=7)
# The figures are stored as 32-bit integers (PositiveIntegerField): anything beyond is refused
# while validating, alike on every database, rather than failing the write on one of them.
MAX_FIGURE = 2**31 - 1


def checked_count(value, template, field_name):
    """A figure Credly sent for a template, if it is a whole number the database can hold."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FIGURE:
        raise CredlyBadResponse(
            f"Credly sent badge template {template} a {field_name} of {value!r}: not a whole "
            f"number from 0 to {MAX_FIGURE}."
        )
    return value


def counted(number, noun, plural=None):
    """A count with its noun, for the summaries operators read: "1 template", "2 templates"."""
    shown = f"{number:g}" if isinstance(number, float) else str(number)  # 2.5 minutes, 5 minutes
    return f"{shown} {noun if number == 1 else plural or noun + 's'}"


def _http_url(value):
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else ""


@dataclass(frozen=True)
class TemplateData:
    """One badge template as we keep it, validated. Unknown fields Credly adds are ignored."""

    id: uuid.UUID
    name: str
    state: str
    badges_count: int
    url: str = ""
    image_url: str = ""
    description: str = ""
    criteria_url: str = ""
    activity_url: str = ""
    activities: tuple = ()  # (title, url) pairs
    skills: tuple = ()

    @classmethod
    def from_credly(cls, raw):
        def bad(problem):
            shown = raw.get("id") if isinstance(raw, dict) else None
            return CredlyBadResponse(f"Credly sent a badge template ({shown!r}) {problem}.")

        if not isinstance(raw, dict):
            raise bad("that is not an object")
        try:
            template_id = uuid.UUID(str(raw.get("id")))
        except ValueError:
            raise bad("whose id is not a UUID") from None
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise bad("without a name")
        state = raw.get("state")
        if not isinstance(state, str) or not state.isidentifier() or len(state) > 20:
            raise bad(f"with an unreadable state {state!r}")
        label = f"{name.strip()[:80]!r} ({template_id})"
        count = checked_count(raw.get("badges_count"), label, "badges_count")
        activities = []
        for activity in raw.get("badge_template_activities") or []:
            if isinstance(activity, dict) and isinstance(activity.get("title"), str):
                activities.append(
                    (activity["title"].strip()[:255], _http_url(activity.get("activity_url")))
                )
        skills = []
        for skill in raw.get("skills") or []:
            name_of_skill = skill.get("name") if isinstance(skill, dict) else skill
            if isinstance(name_of_skill, str) and name_of_skill.strip():
                skills.append(name_of_skill.strip()[:100])
        description = raw.get("description")
        return cls(
            id=template_id,
            name=name.strip()[:255],
            state=state.lower(),
            badges_count=count,
            url=_http_url(raw.get("url"))[:500],
            image_url=_http_url(raw.get("image_url"))[:500],
            description=description.strip() if isinstance(description, str) else "",
            criteria_url=_http_url(raw.get("criteria_url"))[:500],
            activity_url=_http_url(raw.get("global_activity_url"))[:500],
            activities=tuple(activities),
            skills=tuple(dict.fromkeys(skills)),
        )

    def figures(self):
        return {name: getattr(self, name) for name in FIGURE_FIELDS}


@dataclass
class SyncReport:
    status: str = CredlySyncRun.Status.RUNNING
    dry_run: bool = False
    seen: int = 0
    created: list = field(default_factory=list)  # template names
    changed: list = field(default_factory=list)  # "name: field old -> new", one per change
    updated: int = 0  # templates with at least one change
    missing: list = field(default_factory=list)
    drafts: list = field(default_factory=list)  # BadgePage objects (or titles on a dry run)
    image_problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # after the commit: the run still succeeded
    requests: int = 0
    seconds: float = 0.0
    message: str = ""
    run: CredlySyncRun | None = None

    @property
    def ok(self):
        return self.status in (CredlySyncRun.Status.SUCCEEDED, CredlySyncRun.Status.SKIPPED)

    def summary(self):
        if self.status == CredlySyncRun.Status.SKIPPED:
            return self.message
        if self.status == CredlySyncRun.Status.FAILED:
            return f"Credly sync failed after {counted(self.requests, 'request')}: {self.message}"
        verb = "would change" if self.dry_run else "synced"
        line = (
            f"Credly sync {verb}: {counted(self.seen, 'template')} ({len(self.created)} new, "
            f"{self.updated} changed, {len(self.missing)} gone from Credly)"
        )
        if self.drafts:
            line += f", {counted(len(self.drafts), 'draft page')}"
        if self.image_problems:
            line += f", {counted(len(self.image_problems), 'image')} not imported"
        line = f"{line}; {counted(self.requests, 'request')} in {self.seconds:.1f}s."
        if self.warnings:
            line += " The figures are saved, but " + "; ".join(self.warnings) + "."
        return line


class CredlySync:
    """One run of the sync. ``progress(templates_so_far)`` is called as pages arrive.

    The run's summary is logged (logger badges_cms.credly) for log systems. A caller that
    prints it too (the command) says so with ``summary_printed``: the record then carries
    ``printed=True``, which the site's console handler leaves out (log_filters.py), so the
    operator's terminal shows it once.
    """

    def __init__(
        self,
        client,
        *,
        dry_run=False,
        import_drafts=False,
        accepted_counts=False,
        index_page=None,
        trigger=CredlySyncRun.Trigger.COMMAND,
        progress=None,
        lock_wait=0,
        summary_printed=False,
    ):
        if import_drafts and index_page is None:
            raise ValueError("Importing drafts needs the BadgeIndexPage to put them under.")
        self.client = client
        self.dry_run = dry_run
        self.import_drafts = import_drafts
        self.accepted_counts = accepted_counts
        self.index_page = index_page
        self.trigger = trigger
        self.progress = progress or (lambda count: None)
        # Seconds to wait for another sync to finish: 0 skips at once (Sync now); the nightly
        # command waits a few minutes, and fails if the other sync still holds the lock.
        self.lock_wait = lock_wait
        self.summary_printed = summary_printed
        self.report = SyncReport(dry_run=dry_run)

    def run(self):
        started = time.monotonic()
        waiting_since = timezone.now()
        # The intent first: from now on webhook tasks yield, so at most the one refresh in
        # progress stands between this sync and the sync lock.
        with sync_lock(wait=self.lock_wait, name=INTENT_LOCK) as intent:
            with sync_lock(wait=self.lock_wait if intent else 0) as held:
                if not (intent and held):
                    self._blocked()
                elif self._superseded(waiting_since):
                    self._skip(
                        "Another sync was running and has since succeeded; this one was "
                        "skipped without calling Credly."
                    )
                else:
                    self._run_locked()
            # Recorded before the intent lock goes, so that a sync that waited for it finds
            # this one finished and stands down instead of syncing again.
            self.report.seconds = time.monotonic() - started
            self.report.requests = self.client.requests_made
            self._record()
        log = logger.info if self.report.ok else logger.error
        log("%s", self.report.summary(), extra={"printed": self.summary_printed})
        return self.report

    def _superseded(self, waiting_since):
        """Whether a full sync finished successfully while this one waited for the lock."""
        return CredlySyncRun.objects.filter(
            trigger__in=CredlySyncRun.FULL_TRIGGERS,
            dry_run=False,
            status=CredlySyncRun.Status.SUCCEEDED,
            finished_at__gte=waiting_since,
        ).exists()

    def _blocked(self):
        if not self.lock_wait:
            self._skip("Another sync is running; this one was skipped without calling Credly.")
            return
        # Cron's sync must not pass quietly behind a sync that does not end.
        if self.lock_wait >= 60:
            waited = counted(self.lock_wait / 60, "minute")
        else:
            waited = counted(self.lock_wait, "second")
        self.report.status = CredlySyncRun.Status.FAILED
        self.report.message = (
            f"Another sync has held the sync lock for more than {waited}; this one "
            "gave up without calling Credly. If no sync is running, a stuck process holds the "
            "lock (see the sync log)."
        )
        if not self.dry_run:
            self.report.run = CredlySyncRun.objects.create(trigger=self.trigger)

    def _skip(self, message):
        self.report.status = CredlySyncRun.Status.SKIPPED
        self.report.message = message
        if not self.dry_run:
            self.report.run = CredlySyncRun.objects.create(
                trigger=self.trigger, status=CredlySyncRun.Status.SKIPPED, message=message
            )

    def _run_locked(self):
        report = self.report
        if not self.dry_run:
            report.run = CredlySyncRun.objects.create(trigger=self.trigger)
        try:
            fetched, accepted = self._fetch()
            if self.dry_run:
                self._plan_and_apply(fetched, accepted, write=False)
            else:
                with transaction.atomic():
                    pages = self._plan_and_apply(fetched, accepted, write=True)
                    # The figures are committed before any cache is touched; whatever fails
                    # from here on is a warning on a run that succeeded.
                    transaction.on_commit(lambda: self._refresh_after_commit(pages))
                CredlyWebhookEvent.objects.filter(
                    received_at__lt=timezone.now() - WEBHOOK_EVENTS_KEPT
                ).delete()
                if report.drafts:
                    report.image_problems = attach_template_images(report.drafts, fetched)
            report.status = CredlySyncRun.Status.SUCCEEDED
        except (CredlyError, DatabaseError) as exc:
            report.status = CredlySyncRun.Status.FAILED
            report.message = str(exc)
        except Exception as exc:
            report.status = CredlySyncRun.Status.FAILED
            report.message = f"Unexpected {type(exc).__name__}: {exc}"
            self.report.requests = self.client.requests_made
            self._record()
            raise

    # Fetch and validate

    def _fetch(self):
        """Every template, validated, and with --accepted-counts their accepted counts (else
        None): each template's count is asked for as soon as its page of the listing arrives,
        while the next pages are read."""
        fetched = {}

        def templates():
            for raw in self.client.iter_badge_templates():
                data = TemplateData.from_credly(raw)
                if data.id in fetched:
                    raise CredlyBadResponse(f"Credly listed badge template {data.id} twice.")
                fetched[data.id] = data
                self.progress(len(fetched))
                yield data

        if not self.accepted_counts:
            for _data in templates():
                pass
            self.report.seen = len(fetched)
            return fetched, None
        # A template never issued has no accepted badges: no need to ask.
        issued = (data.id for data in templates() if data.badges_count > 0)
        counts = count_badges_many(self.client, issued, state="accepted")
        self.report.seen = len(fetched)
        accepted = {
            tid: checked_count(counts.get(tid, 0), f"{data.name!r} ({tid})", "accepted count")
            for tid, data in fetched.items()
        }
        return fetched, accepted

    # Apply

    def _plan_and_apply(self, fetched, accepted, write):
        """Work out the changes, record them in the report, and write them if ``write``."""
        now = timezone.now()
        existing = CredlyBadgeTemplate.objects.in_bulk()
        to_create, to_update, touched = [], [], set()
        for tid, data in fetched.items():
            figures = data.figures()
            if accepted is not None:
                figures["accepted_count"] = accepted[tid]
            row = existing.get(tid)
            if row is None:
                self.report.created.append(data.name)
                to_create.append(
                    CredlyBadgeTemplate(id=tid, synced_at=now, last_seen_at=now, **figures)
                )
                touched.add(tid)
                continue
            for name, value in figures.items():
                if getattr(row, name) != value:
                    old = getattr(row, name)
                    self.report.changed.append(f"{data.name}: {name} {old} -> {value}")
                    touched.add(tid)
                setattr(row, name, value)
            if not row.present:
                self.report.changed.append(f"{data.name}: back in Credly")
                touched.add(tid)
            row.present, row.synced_at, row.last_seen_at = True, now, now
            to_update.append(row)
        gone = [row for tid, row in existing.items() if tid not in fetched and row.present]
        self.report.missing = [row.name for row in gone]
        self.report.updated = len(touched) - len(to_create)
        touched.update(row.id for row in gone)
        if self.import_drafts:
            self._plan_drafts(fetched, write)
        if not write:
            return []
        CredlyBadgeTemplate.objects.bulk_create(to_create, batch_size=500)
        update_fields = [*FIGURE_FIELDS, "present", "synced_at", "last_seen_at"]
        if accepted is not None:
            update_fields.append("accepted_count")
        CredlyBadgeTemplate.objects.bulk_update(to_update, update_fields, batch_size=500)
        # Gone from Credly: keep the last figures and last_seen_at, only mark the absence.
        CredlyBadgeTemplate.objects.filter(pk__in=[row.id for row in gone]).update(present=False)
        # Issuance history for the admin's report: today's figures of every template Credly
        # listed, in this same transaction so history and figures never disagree.
        CredlyIssuanceSnapshot.objects.record([*to_create, *to_update], now)
        return list(BadgePage.objects.showing_templates(touched))

    def _plan_drafts(self, fetched, write):
        linked = set(
            BadgePage.objects.linked_to_any(fetched).values_list("credly_template_id", flat=True)
        )
        for tid, data in fetched.items():
            if tid in linked:
                continue
            if write:
                self.report.drafts.append(create_draft_page(self.index_page, data))
            else:
                self.report.drafts.append(data.name)

    def _refresh_after_commit(self, pages):
        warnings = refresh_after_commit(pages)
        self.report.warnings.extend(warnings)
        run = self.report.run
        if warnings and run is not None and run.finished_at is not None:
            # Recorded already (the commit came later, in an outer transaction).
            run.warning = "; ".join(self.report.warnings)
            CredlySyncRun.objects.filter(pk=run.pk).update(warning=run.warning)

    def _record(self):
        run = self.report.run
        if run is None or run.status == CredlySyncRun.Status.SKIPPED:
            return
        report = self.report
        run.warning = "; ".join(report.warnings)
        run.status = report.status
        run.finished_at = timezone.now()
        run.requests_made = report.requests
        run.templates_seen = report.seen
        if report.status == CredlySyncRun.Status.SUCCEEDED:
            run.templates_created = len(report.created)
            run.templates_updated = report.updated
            run.templates_missing = len(report.missing)
            run.pages_created = len(report.drafts)
        problems = "; ".join(report.image_problems)
        run.message = report.message or (f"Images not imported: {problems}" if problems else "")
        run.save()
        # Badge managers hear of a failure at once (and a success closes the incident).
        sync_run_recorded(run)


def refresh_after_commit(pages):
    """Purge the HTTP cache's copies of pages whose figures changed, once those are committed.
    Returns what could not be done, in words; never raises: the figures are saved either way."""
    if not pages or not purge_configured():
        return []
    try:
        plan = PurgePlan()
        plan.add_badges(pages)
        problems = purge_now(sorted(plan.urls), f"Credly figures of {len(pages)} badges")
    except Exception as exc:
        logger.exception("Could not purge cached pages after a sync")
        problems = [f"the cached pages could not be purged ({type(exc).__name__}: {exc})"]
    return [f"the cached pages were not all refreshed: {problem}" for problem in problems]


def refresh_template(client, template_id, trigger=CredlySyncRun.Trigger.WEBHOOK):
    """Re-read one template from Credly and store its figures, under the sync lock (the caller
    holds it), so that a full sync that fetched earlier cannot overwrite this newer figure."""
    run = CredlySyncRun.objects.create(trigger=trigger)
    now = timezone.now()
    try:
        try:
            data = TemplateData.from_credly(client.get_badge_template(template_id))
        except CredlyNotFound:
            # Deleted in Credly: keep the last figures, note the absence.
            gone = CredlyBadgeTemplate.objects.filter(pk=template_id, present=True)
            pages = list(BadgePage.objects.showing_templates([template_id]))
            run.templates_missing = gone.update(present=False)
        else:
            figures = data.figures()
            row = CredlyBadgeTemplate.objects.filter(pk=data.id).first()
            if row is not None and row.accepted_count is not None:
                figures["accepted_count"] = checked_count(
                    client.count_badges(data.id, state="accepted"),
                    f"{data.name!r} ({data.id})",
                    "accepted count",
                )
            with transaction.atomic():
                _, created = CredlyBadgeTemplate.objects.update_or_create(
                    pk=data.id,
                    defaults={**figures, "present": True, "synced_at": now, "last_seen_at": now},
                )
            run.templates_seen = 1
            run.templates_created, run.templates_updated = (1, 0) if created else (0, 1)
            pages = list(BadgePage.objects.showing_templates([data.id]))
        run.status = CredlySyncRun.Status.SUCCEEDED

        def refresh():
            run.warning = "; ".join(refresh_after_commit(pages))
            if run.warning and run.finished_at is not None:
                CredlySyncRun.objects.filter(pk=run.pk).update(warning=run.warning)

        transaction.on_commit(refresh)
    except (CredlyError, DatabaseError) as exc:
        run.status, run.message = CredlySyncRun.Status.FAILED, str(exc)
    run.finished_at = timezone.now()
    run.requests_made = client.requests_made
    run.save()
    return run
