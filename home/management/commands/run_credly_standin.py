"""Serve the demo's stand-in for Credly (home/demo_credly.py) until interrupted."""

import signal
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from badges_cms import conf
from home.demo_credly import demo_standin


class Command(BaseCommand):
    help = (
        "Serve a stand-in for Credly's API on 127.0.0.1, loaded with the pilot's badge "
        "templates and invented figures, at the address CREDLY_API_BASE_URL names. For "
        "development without a Credly account; `make run` starts it."
    )
    requires_system_checks = []

    def handle(self, *args, **options):
        if not conf.get("BADGES_CMS_DEMO_FIGURES"):
            raise CommandError(
                "Credly is configured (CREDLY_API_TOKEN is set), so the stand-in is not used. "
                "Unset CREDLY_API_TOKEN in development to serve the demo's figures."
            )
        address = urlsplit(settings.CREDLY_API_BASE_URL)
        if address.hostname != "127.0.0.1" or not address.port:
            raise CommandError(
                f"CREDLY_API_BASE_URL must name 127.0.0.1 and a port for the stand-in, not "
                f"{settings.CREDLY_API_BASE_URL}."
            )
        standin = demo_standin(address.port)
        try:
            standin.start(address.port)
        except OSError as error:
            raise CommandError(
                f"Could not listen on 127.0.0.1:{address.port} ({error.strerror}). Another "
                f"program has the port: set CREDLY_STANDIN_PORT to a free one."
            ) from error
        self.stdout.write(
            f"Stand-in for Credly on {standin.base_url} with {len(standin.templates)} badge "
            f"templates (invented figures). Ctrl-C stops it."
        )
        stopped = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopped.set())
        stopped.wait()
        standin.stop()
