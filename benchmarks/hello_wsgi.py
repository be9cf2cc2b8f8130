"""Baseline (b) of the HTTP benchmarks: the least a WSGI app can do, served by the same gunicorn
settings as the site."""

BODY = b"Hello, world!\n"
HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
