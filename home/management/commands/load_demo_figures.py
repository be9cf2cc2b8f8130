"""Sync the demo's figures from the stand-in for Credly, and write their short history."""

import socket
import time
from io import StringIO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from badges_cms import conf
from home import demo_credly


class Command(BaseCommand):
    help = (
        "Run one Credly sync (against the stand-in `make run` starts) and write the "
        f"{demo_credly.HISTORY_DAYS} days of daily figures before it, so the badge pages, the "
        "dashboard and the issuance report's chart show figures at once. Run again, it "
        "writes the same history."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Wait this long at most for the stand-in to answer (it may be starting).",
        )

    def handle(self, *args, wait, **options):
        if not conf.get("BADGES_CMS_DEMO_FIGURES"):
            raise CommandError(
                "The demo's figures come from the stand-in for Credly, and Credly is configured "
                "here: run sync_credly_badges instead."
            )
        self.wait_for_standin(wait)
        output = StringIO()
        try:
            call_command("sync_credly_badges", stdout=output, stderr=output)
        except SystemExit as exited:
            if exited.code:
                raise CommandError(
                    f"The sync from the stand-in failed: {output.getvalue().strip()}"
                ) from None
        templates = demo_credly.record_history()
        self.stdout.write(
            f"{output.getvalue().strip()}\nDemo history: {demo_credly.HISTORY_DAYS} days of "
            f"figures for {templates} badge templates."
        )

    def wait_for_standin(self, seconds):
        """Return once the stand-in accepts connections; fail after ``seconds``."""
        address = urlsplit(settings.CREDLY_API_BASE_URL)
        deadline = time.monotonic() + seconds
        while True:
            try:
                socket.create_connection((address.hostname, address.port), timeout=1).close()
                return
            except OSError as error:
                if time.monotonic() >= deadline:
                    raise CommandError(
                        f"The stand-in for Credly does not answer at {address.netloc} ({error}). "
                        f"Start it with `manage.py run_credly_standin`."
                    ) from error
                time.sleep(0.1)  # it is starting: ask again shortly
