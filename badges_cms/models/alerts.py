"""What the sync-health alerts have already said, so each problem is emailed once.

An incident opens at the first failed or stale full sync and closes at the next success; the
badge managers hear about it when it opens and not again until a new one opens. A token
reminder is sent once per expiry date and lead time.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CredlySyncIncident(models.Model):
    class Reason(models.TextChoices):
        FAILED = "failed", _("Sync failed")
        STALE = "stale", _("No recent successful sync")

    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    summary = models.TextField(_("summary"), blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opened_by_run = models.ForeignKey(
        "badges_cms.CredlySyncRun",
        verbose_name=_("opened by run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when the email went out; an open incident without it is retried by the health check.
    notified_at = models.DateTimeField(_("badge managers notified at"), null=True, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by_run = models.ForeignKey(
        "badges_cms.CredlySyncRun",
        verbose_name=_("closed by run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("Credly sync incident")
        verbose_name_plural = _("Credly sync incidents")
        constraints = [
            # A failing sync and the cron health check may both try to open an incident at
            # the same moment: the database lets only one of them, so only one email goes out.
            models.UniqueConstraint(
                fields=["is_open"],
                condition=models.Q(is_open=True),
                name="badges_cms_one_open_credly_incident",
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} since {self.opened_at:%Y-%m-%d %H:%M}"


class CredlyTokenReminder(models.Model):
    expires_on = models.DateField(_("token expires on"))
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-expires_on", "days_before"]
        verbose_name = _("Credly token reminder")
        verbose_name_plural = _("Credly token reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["expires_on", "days_before"], name="badges_cms_one_token_reminder_each"
            )
        ]

    def __str__(self):
        return f"{self.days_before} days before {self.expires_on}"
