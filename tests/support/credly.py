"""Fixtures around the Credly stand-in (badges_cms/credly/standin.py), for every test folder:
the stand-in itself with the settings that point the site at it, its templates, an image host,
a held sync lock, a synced badge."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

from badges_cms.credly.standin import CredlyStandIn, make_template, template_id


@pytest.fixture
def credly(settings):
    """A running stand-in for Credly, with the site's settings pointing at it."""
    with CredlyStandIn() as standin:
        settings.CREDLY_API_TOKEN = standin.token
        settings.CREDLY_ORGANIZATION_ID = standin.organization_id
        settings.CREDLY_API_BASE_URL = standin.base_url
        # Fast failure in tests: few retries, short waits, a read timeout a hang can pass.
        settings.CREDLY_CLIENT_OPTIONS = {
            "max_retries": 2,
            "backoff_base": 0.01,
            "backoff_cap": 0.05,
            "read_timeout": 1,
            "deadline": 30,
        }
        yield standin


@pytest.fixture
def templates(credly):
    """120 templates in Credly: three pages of 50."""
    credly.templates = [make_template(i) for i in range(1, 121)]
    return credly.templates


class _ImageHandler(BaseHTTPRequestHandler):
    png = b""

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path.startswith("/images/"):
            body, kind = self.png, "image/png"
        elif self.path.startswith("/not-an-image/"):
            body, kind = b"<html>login</html>", "text/html"
        elif self.path.startswith("/lying/"):
            body, kind = b"MZ\x90\x00 this is no png", "image/png"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_host(settings):
    """A real HTTP server on 127.0.0.1 standing in for Credly's image host."""
    buffer = BytesIO()
    PILImage.new("RGB", (300, 300), (200, 30, 30)).save(buffer, "PNG")
    _ImageHandler.png = buffer.getvalue()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ImageHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    host, port = server.server_address[:2]
    settings.CREDLY_IMAGE_HOSTS = [f"{host}:{port}"]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def hold_sync_lock(db):
    """Takes the sync lock the way another process would: another PostgreSQL session's
    advisory lock on PostgreSQL, an unexpired lock row elsewhere."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from badges_cms.credly.locking import ADVISORY_KEY, LOCK_NAME
    from badges_cms.models import CredlySyncLock

    other = None
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.get_connection_params()
        other = psycopg.connect(**params, autocommit=True)
        other.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
    else:
        CredlySyncLock.objects.create(
            name=LOCK_NAME, holder="other-host:1", expires_at=timezone.now() + timedelta(minutes=5)
        )
    yield
    if other is not None:
        other.close()


class SyncedBadge:
    def __init__(self, credly, page, capture_on_commit):
        self.credly = credly
        self.page = page
        self.capture_on_commit = capture_on_commit

    def sync(self, **changes):
        """Change the stand-in's template, then sync as the nightly job does, running what
        waits for the commit (the content version bump) as a real commit would."""
        self.credly.templates[0].update(changes)
        with self.capture_on_commit(execute=True):
            call_command("sync_credly_badges", stdout=StringIO())


@pytest.fixture
def synced_badge(credly, make_badge, django_capture_on_commit_callbacks):
    """A published badge linked to the stand-in's template 10 (issued 30 times), synced once;
    ``synced_badge.sync(badges_count=41)`` changes Credly's figures and syncs again."""
    credly.templates = [make_template(10)]
    page = make_badge(credly_template_id=template_id(10))
    synced = SyncedBadge(credly, page, django_capture_on_commit_callbacks)
    synced.sync()
    return synced
