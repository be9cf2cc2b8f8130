"""The log of purges sent to the HTTP cache in front of the site, so a failure is seen."""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEPT = timedelta(days=30)


class FrontendCachePurgeQuerySet(models.QuerySet):
    def prune(self, now=None):
        """Forget purges older than a month; the latest failure stays until a success."""
        return self.filter(queued_at__lt=(now or timezone.now()) - KEPT).delete()

    def latest_failure(self):
        """The newest purge, if it failed: what the dashboard warns about."""
        latest = self.exclude(status=FrontendCachePurge.Status.RUNNING).first()
        if latest is not None and latest.status == FrontendCachePurge.Status.FAILED:
            return latest
        return None


class FrontendCachePurge(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    queued_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    reason = models.CharField(_("change"), max_length=200)
    url_count = models.PositiveIntegerField(_("addresses"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    message = models.TextField(_("message"), blank=True)

    objects = FrontendCachePurgeQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("front-end cache purge")
        verbose_name_plural = _("front-end cache purges")

    def __str__(self):
        return f"{self.get_status_display()}: {self.reason} ({self.url_count})"
