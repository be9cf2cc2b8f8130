"""`python manage.py check_credly_health`, from cron (hourly is plenty).

Emails the "Badge managers" group when the nightly sync has gone stale (no success for 36
hours) or failed without an alert going out, once per incident, and sends the reminder before
CREDLY_TOKEN_EXPIRES that is due. Safe to run as often as you like: what was sent is recorded.

Exit codes: 0 checked (whatever the health); 1 an email could not be sent (it is retried at
the next run); 2 CREDLY_TOKEN_EXPIRES is not an ISO date (the rest of the check still ran).
"""

import smtplib

from django.core.management.base import BaseCommand, CommandError

from ...credly.alerts import check_health, token_expiry


class Command(BaseCommand):
    help = "Check the Credly sync's health and email badge managers about problems; idempotent."
    # Alerts go out even while a setting is malformed (`manage.py check` reports it): the
    # system checks would otherwise stop the command before a malformed expiry date's exit 2.
    requires_system_checks = []

    def handle(self, *args, **options):
        try:
            token_expiry()
            bad_expiry = None
        except ValueError as exc:
            bad_expiry = str(exc)
        try:
            report = check_health(token_reminders=bad_expiry is None)
        except (OSError, smtplib.SMTPException) as exc:
            raise CommandError(f"Could not send an alert email: {exc}", returncode=1) from exc

        health = report.health
        self.stdout.write(f"Credly sync: {health.state_label}. {health.describe()}")
        if report.incident_opened is not None:
            self.stdout.write(f"Opened an incident: {report.incident_opened.get_reason_display()}.")
        if report.incidents_closed:
            self.stdout.write("Closed the open incident: the sync has succeeded since.")
        if report.incidents_notified:
            self.stdout.write("Emailed the badge managers about the incident.")
        if report.token_reminder_days_left is not None:
            self.stdout.write(
                "Sent the token reminder "
                f"({report.token_reminder_days_left} days before CREDLY_TOKEN_EXPIRES)."
            )
        if bad_expiry:
            raise CommandError(bad_expiry, returncode=2)
