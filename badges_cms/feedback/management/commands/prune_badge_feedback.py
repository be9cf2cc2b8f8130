"""Delete feedback submissions older than BADGES_FEEDBACK_RETENTION_DAYS; run daily from cron."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from ... import conf
from ...privacy import expired_submissions, retention_cutoff


class Command(BaseCommand):
    help = (
        "Delete badge feedback submissions older than the retention period "
        "(BADGES_FEEDBACK_RETENTION_DAYS). Safe to run as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        cutoff = retention_cutoff(now)
        days = conf.get("BADGES_FEEDBACK_RETENTION_DAYS")
        expired = expired_submissions(now)
        if dry_run:
            count = expired.count()
            self.stdout.write(
                f"Dry run: would delete {count} feedback submission(s) made before "
                f"{cutoff:%Y-%m-%d %H:%M %Z} (kept {days} days). Nothing was deleted."
            )
            return
        with transaction.atomic():
            count, _ = expired.delete()
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {count} feedback submission(s) made before "
                f"{cutoff:%Y-%m-%d %H:%M %Z} (kept {days} days)."
            )
        )
