"""Figures synced from Credly. They live here, never in page revisions, so publishing an old
revision of a badge page cannot roll a count back and a sync never adds a revision."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..times import site_time


class CredlyBadgeTemplate(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")
        DRAFT = "draft", _("Draft")

    id = models.UUIDField(_("Credly template id"), primary_key=True)
    name = models.CharField(_("name"), max_length=255)
    url = models.URLField(_("Credly URL"), max_length=500, blank=True)
    image_url = models.URLField(_("image URL"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    badges_count = models.PositiveIntegerField(_("badges issued"), default=0)
    accepted_count = models.PositiveIntegerField(_("badges accepted"), null=True, blank=True)
    present = models.BooleanField(
        _("present in Credly"),
        default=True,
        help_text=_("False once a complete sync no longer finds the template."),
    )
    synced_at = models.DateTimeField(_("figures synced at"))
    last_seen_at = models.DateTimeField(_("last seen in Credly at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("Credly badge template")
        verbose_name_plural = _("Credly badge templates")

    def __str__(self):
        return self.name

    @property
    def is_issuing(self):
        return self.present and self.state == self.State.ACTIVE


class CredlySyncRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    class Trigger(models.TextChoices):
        COMMAND = "command", _("Command")
        ADMIN = "admin", _("Sync now")
        WEBHOOK = "webhook", _("Webhook")
        WEBHOOK_OVERFLOW = "webhooks", _("Webhooks (full refresh)")

    # Runs that read every template; the others refresh one template for a webhook event.
    FULL_TRIGGERS = (Trigger.COMMAND, Trigger.ADMIN, Trigger.WEBHOOK_OVERFLOW)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RUNNING, db_index=True
    )
    trigger = models.CharField(
        _("started by"), max_length=20, choices=Trigger.choices, default=Trigger.COMMAND
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    requests_made = models.PositiveIntegerField(_("requests to Credly"), default=0)
    templates_seen = models.PositiveIntegerField(_("templates seen"), default=0)
    templates_created = models.PositiveIntegerField(_("templates added"), default=0)
    templates_updated = models.PositiveIntegerField(_("templates changed"), default=0)
    templates_missing = models.PositiveIntegerField(_("templates gone from Credly"), default=0)
    pages_created = models.PositiveIntegerField(_("draft pages created"), default=0)
    message = models.TextField(_("message"), blank=True)
    warning = models.TextField(
        _("warning"),
        blank=True,
        help_text=_(
            "What went wrong after the figures were saved (refreshing cached pages, say): the "
            "run still succeeded."
        ),
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"
        verbose_name = _("Credly sync run")
        verbose_name_plural = _("Credly sync runs")
        # "Sync now" in the admin: a full sync calls Credly many times, so it is not given
        # to everyone who can read the sync log.
        permissions = [("run_credly_sync", _("Can start a Credly sync from the admin"))]

    def __str__(self):
        # In the site's time zone, as the sync log shows its times (the admin's breadcrumbs and
        # labels use this).
        return f"{self.get_status_display()} {site_time(self.started_at, 'Y-m-d H:i')}".strip()

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class CredlySyncLock(models.Model):
    """One row per lock name, for databases without advisory locks (SQLite). A holder that dies
    leaves the row behind; ``expires_at`` lets the next sync take the lock over."""

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=128)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Credly sync lock")

    def __str__(self):
        return f"{self.name} held by {self.holder} until {self.expires_at:%Y-%m-%d %H:%M}"


class CredlyWebhookEvent(models.Model):
    """A webhook event id we have answered, so a repeated delivery (or a replay) queues nothing
    more, and the refreshes queued in the last minute can be counted. Only ids are kept: the
    body is untrusted and never stored. Rows older than a week are pruned by the sync."""

    class Handling(models.TextChoices):
        REFRESH = "refresh", _("Its template refreshed")
        FOLDED = "folded", _("Folded into a full refresh")

    id = models.UUIDField(_("event id"), primary_key=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    handling = models.CharField(_("handling"), max_length=20, choices=Handling.choices)

    class Meta:
        verbose_name = _("Credly webhook event")
        verbose_name_plural = _("Credly webhook events")

    def __str__(self):
        return f"{self.id} ({self.get_handling_display()})"


class CredlyIssuanceSnapshotQuerySet(models.QuerySet):
    def record(self, templates, when):
        """Store today's figures of these templates; a second sync the same day overwrites
        that day's rows, so the history holds one row per template per day."""
        day = timezone.localdate(when)
        rows = [
            self.model(
                date=day,
                template_id=template.pk,
                badges_count=template.badges_count,
                accepted_count=template.accepted_count,
                recorded_at=when,
            )
            for template in templates
        ]
        return self.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["date", "template"],
            update_fields=["badges_count", "accepted_count", "recorded_at"],
        )


class CredlyIssuanceSnapshot(models.Model):
    """A template's figures as one day's last successful full sync found them: the history
    behind the issuance report's chart. Only full syncs write it (a webhook refreshes a single
    template, which would make a day's total a mix of times)."""

    date = models.DateField(_("date"))
    template = models.ForeignKey(
        CredlyBadgeTemplate,
        verbose_name=_("Credly badge template"),
        on_delete=models.CASCADE,
        related_name="snapshots",
    )
    badges_count = models.PositiveIntegerField(_("badges issued"))
    accepted_count = models.PositiveIntegerField(_("badges accepted"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = CredlyIssuanceSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["date", "template"]
        get_latest_by = "date"
        verbose_name = _("issuance snapshot")
        verbose_name_plural = _("issuance snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["date", "template"], name="badges_cms_one_snapshot_per_template_a_day"
            )
        ]
        permissions = [("view_issuance_report", _("Can view and export the issuance report"))]

    def __str__(self):
        return f"{self.template_id} on {self.date}: {self.badges_count}"
