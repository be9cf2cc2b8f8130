"""A stand-in for the HTTP cache's purge endpoint: a real HTTP server on 127.0.0.1 that records
every PURGE (and BAN) it is sent, and can be told to refuse them."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from badges_cms.http_cache import purge


class PurgeRecorder:
    def __init__(self):
        self.requests = []  # (method, host, path with query)
        self.refuse = False
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                with recorder.lock:
                    recorder.requests.append((self.command, self.headers["Host"], self.path))
                    status = 503 if recorder.refuse else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PURGE = do_BAN = answer  # noqa: N815 - http.server's naming

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # Polled often, so that close() (server.shutdown) returns at once, not after up to
        # serve_forever's default half second, at the end of every test that records purges.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    @property
    def location(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def paths(self):
        with self.lock:
            return {path for _, _, path in self.requests}

    def clear(self):
        with self.lock:
            self.requests.clear()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def purges(settings, monkeypatch):
    """Purges go to a recorder; retries do not wait."""
    recorder = PurgeRecorder()
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "badges_cms.http_cache.purge.VarnishBackend",
            "LOCATION": recorder.location,
        }
    }
    monkeypatch.setattr(purge, "RETRY_DELAYS", (0, 0))
    yield recorder
    recorder.close()
