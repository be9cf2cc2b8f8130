"""Nightly: `python manage.py sync_credly_badges [--dry-run] [--import-drafts] [--accepted-counts]`.

Exit codes, which cron wrappers and monitoring rely on:
  0  synced (perhaps with a warning about what could not be refreshed after the figures were
     saved), or skipped because another sync that ran meanwhile succeeded (a skipped run is
     recorded);
  1  the sync failed and nothing was changed (a failed run is recorded), including when
     another sync held the lock for more than BADGES_CMS_SYNC_LOCK_WAIT seconds;
  2  settings or arguments missing or malformed, found before any request (nothing recorded).
"""

from django.core.management.base import BaseCommand, CommandError, SystemCheckError

from ... import conf
from ...conf import credly_config
from ...credly.client import CredlyClient, CredlyConfigError
from ...credly.sync import CredlySync, counted
from ...models import BadgeIndexPage


class Command(BaseCommand):
    help = "Fetch issued counts (and optionally new templates) from Credly; safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--import-drafts",
            action="store_true",
            help="Create a draft badge page for each Credly template that has none.",
        )
        parser.add_argument(
            "--index",
            type=int,
            metavar="PAGE_ID",
            help="The badge index to put imported drafts under (needed when there are several).",
        )
        parser.add_argument(
            "--accepted-counts",
            action="store_true",
            help="Also count accepted badges per template (one more request per issued template).",
        )

    def check(self, *args, **kwargs):
        # Django runs the system checks before handle(): a setting they refuse (checks.py names
        # it) is a malformed setting, found before any request, so it exits 2 like credly_config.
        try:
            super().check(*args, **kwargs)
        except SystemCheckError as error:
            error.returncode = 2
            raise

    def handle(self, *args, dry_run, import_drafts, index, accepted_counts, **options):
        try:
            config = credly_config()
        except CredlyConfigError as exc:
            raise CommandError(f"Credly is not configured: {exc}", returncode=2) from None
        index_page = self._index_page(index) if import_drafts else None

        client = CredlyClient(config)
        sync = CredlySync(
            client,
            dry_run=dry_run,
            import_drafts=import_drafts,
            accepted_counts=accepted_counts,
            index_page=index_page,
            progress=self._progress if self.stdout.isatty() else None,
            lock_wait=conf.get("BADGES_CMS_SYNC_LOCK_WAIT"),
            summary_printed=True,  # below: logged for log systems, printed once here
        )
        report = sync.run()
        if self.stdout.isatty():
            self.stdout.write("")  # end the progress line
        if dry_run and report.ok:
            for line in report.created:
                self.stdout.write(f"  new template: {line}")
            for line in report.changed:
                self.stdout.write(f"  change: {line}")
            for line in report.missing:
                self.stdout.write(f"  gone from Credly: {line}")
            for title in report.drafts:
                self.stdout.write(f"  draft page: {title}")
        for problem in report.image_problems:
            self.stderr.write(f"  image not imported: {problem}")
        if not report.ok:
            raise CommandError(report.summary(), returncode=1)
        self.stdout.write(report.summary())

    def _index_page(self, index_id):
        indexes = BadgeIndexPage.objects.all()
        if index_id is not None:
            indexes = indexes.filter(pk=index_id)
            if not indexes.exists():
                raise CommandError(f"No BadgeIndexPage has id {index_id}.", returncode=2)
        found = list(indexes[:2])
        if not found:
            raise CommandError("There is no BadgeIndexPage to import drafts into.", returncode=2)
        if len(found) > 1:
            choices = ", ".join(
                f"{page.pk} ({page.title})" for page in BadgeIndexPage.objects.all()
            )
            raise CommandError(
                f"Several badge indexes exist; choose one with --index: {choices}.", returncode=2
            )
        return found[0]

    def _progress(self, count):
        self.stdout.write(f"\rFetched {counted(count, 'badge template')} from Credly…", ending="")
        self.stdout.flush()
