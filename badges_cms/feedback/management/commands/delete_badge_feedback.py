"""Delete one earner's feedback on request: every submission whose answers contain their email
address, in the email field or anywhere else they typed it."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from ...models import BadgeFeedbackSubmission
from ...privacy import submissions_mentioning


class Command(BaseCommand):
    help = (
        "Delete every badge feedback submission whose answers contain an email address, "
        "for an earner who asks for their answers to be deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The earner's email address.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, email, dry_run=False, **options):
        address = email.strip()
        try:
            validate_email(address)
        except ValidationError as error:
            raise CommandError(f"{address!r} is not an email address.") from error

        # The address is not echoed to the output or the logs: cron mail and log files
        # would otherwise keep the very personal data being deleted.
        with transaction.atomic():
            ids = submissions_mentioning(address)
            if dry_run:
                self.stdout.write(
                    f"Dry run: would delete {len(ids)} feedback submission(s) that contain "
                    "this address. Nothing was deleted."
                )
                return
            count, _ = BadgeFeedbackSubmission.objects.filter(pk__in=ids).delete()
        self.stdout.write(
            self.style.SUCCESS(f"Deleted {count} feedback submission(s) that contain this address.")
        )
