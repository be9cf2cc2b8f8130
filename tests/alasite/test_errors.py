"""Errors in production are seen: with production settings (DEBUG off), an unhandled exception
is written to stderr with its traceback, method and path, mailed to ADMINS, and sent to Sentry
when SENTRY_DSN is set; none of them carries what the visitor sent."""

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict
from django.test import RequestFactory

from alasite.errors import (
    PrivateExceptionReporterFilter,
    parse_admins,
    scrub_sentry_event,
)

ROOT = Path(__file__).resolve().parents[2]
SECRET_ANSWER = "my-private-answer-4711"
SECRET_EMAIL = "jane.earner@example.org"
ORGANIZATION = "9f2b6a4e-3c1d-4e5f-8a7b-1c2d3e4f5a6b"

# Run in a fresh interpreter with production settings: an empty SQLite database makes the
# webhook fail to queue its task with an unhandled OperationalError, as a real fault would.
SCRIPT = f"""
import sys
from io import BytesIO
import json
import django
django.setup()
from django.core import mail
from django.core.wsgi import get_wsgi_application
from django.test.utils import setup_test_environment
setup_test_environment()
body = json.dumps({{
    "id": "5f0c0e43-0a7c-4c51-9d2e-6b1f3f0e1a2b", "organization_id": "{ORGANIZATION}",
    "event_type": "badge.created", "answer": "{SECRET_ANSWER}", "email": "{SECRET_EMAIL}",
}}).encode()
environ = {{
    "REQUEST_METHOD": "POST", "PATH_INFO": "/credly/webhook/", "QUERY_STRING": "ref=x",
    "SERVER_NAME": "badges.example.org", "SERVER_PORT": "443", "HTTP_HOST": "badges.example.org",
    "HTTP_X_FORWARDED_PROTO": "https", "wsgi.url_scheme": "https", "wsgi.input": BytesIO(body),
    "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
    "REMOTE_ADDR": "203.0.113.9", "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
    "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
}}
statuses = []
get_wsgi_application()(environ, lambda status, headers: statuses.append(status))
print("STATUS", statuses[0])
for message in mail.outbox:
    print("MAIL TO", message.to)
    print("MAIL SUBJECT", message.subject)
    print("MAIL BODY", message.body)
import sentry_sdk
sentry_sdk.flush(5)
"""


class SentryIngest(BaseHTTPRequestHandler):
    """A stand-in for Sentry's ingest endpoint on 127.0.0.1: keeps every envelope."""

    envelopes = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        type(self).envelopes.append(body.decode("utf-8", "replace"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry():
    SentryIngest.envelopes = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), SentryIngest)
    # A short poll: shutdown() returns at once instead of after up to half a second.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_unhandled_error_is_logged_mailed_and_sent_without_personal_data(tmp_path, sentry):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "alasite.settings.production",
        "SECRET_KEY": "x" * 30 + "abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "badges.example.org",
        "WAGTAILADMIN_BASE_URL": "https://badges.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "ADMINS": "Site operators <ops@example.org>",
        "CREDLY_ORGANIZATION_ID": ORGANIZATION,
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{sentry.server_port}/1",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "STATUS 500 Internal Server Error" in result.stdout, result.stderr
    # stderr: the traceback, with the method and path.
    assert "Traceback" in result.stderr
    assert "OperationalError" in result.stderr
    assert "[POST /credly/webhook/]" in result.stderr
    # ADMINS got a mail naming the path.
    assert "MAIL TO ['ops@example.org']" in result.stdout
    assert "/credly/webhook/" in result.stdout
    # Sentry got the error.
    events = [e for e in SentryIngest.envelopes if '"type":"event"' in e.replace(" ", "")]
    assert events, SentryIngest.envelopes
    assert "OperationalError" in events[0]
    assert "/credly/webhook/" in events[0], events[0]
    # Nothing the visitor sent, anywhere.
    for output in (result.stdout, result.stderr, *SentryIngest.envelopes):
        assert SECRET_ANSWER not in output
        assert SECRET_EMAIL not in output
        assert "203.0.113.9" not in output


def test_error_mails_show_no_post_value_variable_cookie_or_address():
    request = RequestFactory().post(
        "/credly/webhook/",
        {"email": SECRET_EMAIL, "answer": SECRET_ANSWER},
        REMOTE_ADDR="203.0.113.9",
        HTTP_COOKIE="sessionid=abc123",
    )
    reporter_filter = PrivateExceptionReporterFilter()
    assert SECRET_EMAIL not in str(reporter_filter.get_post_parameters(request))
    assert "abc123" not in str(reporter_filter.get_safe_cookies(request))
    assert "203.0.113.9" not in str(reporter_filter.get_safe_request_meta(request))
    frame = sys._getframe()  # this frame holds `request` and the secrets as variables
    assert all(
        value == reporter_filter.cleansed_substitute
        for _, value in reporter_filter.get_traceback_frame_variables(request, frame)
    )
    multi = reporter_filter.get_cleansed_multivaluedict(request, QueryDict("a=1&b=2"))
    assert set(multi.values()) == {reporter_filter.cleansed_substitute}


def test_sentry_events_are_scrubbed():
    event = {
        "request": {
            "method": "POST",
            "url": "https://badges.example.org/credly/webhook/",
            "query_string": "email=" + SECRET_EMAIL,
            "data": {"answer": SECRET_ANSWER},
            "cookies": {"sessionid": "abc"},
            "headers": {"User-Agent": "Firefox", "Cookie": "sessionid=abc", "X-Forwarded-For": "1"},
        },
        "user": {"email": SECRET_EMAIL},
        "exception": {"values": [{"stacktrace": {"frames": [{"vars": {"a": SECRET_ANSWER}}]}}]},
    }
    scrubbed = json.dumps(scrub_sentry_event(event))
    assert SECRET_EMAIL not in scrubbed and SECRET_ANSWER not in scrubbed
    assert "abc" not in scrubbed and "X-Forwarded-For" not in scrubbed
    assert '"method": "POST"' in scrubbed and "Firefox" in scrubbed


def test_admins_come_from_the_environment():
    assert parse_admins("Ops <ops@example.org>, jane@example.org") == [
        ("Ops", "ops@example.org"),
        ("", "jane@example.org"),
    ]
    assert parse_admins("") == []
    with pytest.raises(ImproperlyConfigured):
        parse_admins("not-an-address")
