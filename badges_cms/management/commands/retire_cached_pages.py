"""Retire every cached page and fragment at once, on every process that shares the cache.

Publishing, syncing and editing already do this. Run it after a deploy that changes templates,
settings or code that shapes pages: copies rendered by the old release are otherwise served
until their timeout (PAGE_CACHE_TIMEOUT, FRAGMENT_CACHE_TIMEOUT)."""

from django.core.management.base import BaseCommand, CommandError

from badges_cms.cache import bump_content_version


class Command(BaseCommand):
    help = "Retire every cached page and fragment (run after a deploy that changes templates)."

    def handle(self, *args, **options):
        try:
            version = bump_content_version()
        except Exception as error:
            raise CommandError(f"The cache could not be reached: {error}") from error
        self.stdout.write(f"Cached pages and fragments retired (content version {version}).")
