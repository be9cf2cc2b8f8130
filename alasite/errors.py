"""Errors in production are seen, and carry nothing personal.

- ``RequestLineFilter`` adds the request's method and path to a log line (gunicorn's stderr).
- ``PrivateExceptionReporterFilter`` is what Django's error mails to ``ADMINS`` use: no POST
  value (feedback answers, e-mail addresses, passwords), no frame variable, no cookie and no
  client address ever leaves the server in one.
- ``init_sentry`` sends errors to Sentry when ``SENTRY_DSN`` is set, with the same rule.
"""

from email.utils import getaddresses

from django.core.exceptions import ImproperlyConfigured
from django.views.debug import SafeExceptionReporterFilter

# Request headers that say who the visitor is; shown in error mails as stars.
PERSONAL_META = {"REMOTE_ADDR", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_REFERER"}
# Request headers a Sentry event may keep; every other one is dropped.
SENTRY_HEADERS = {"accept", "content-type", "content-length", "host", "user-agent"}


class RequestLineFilter:
    """Gives every record a ``request_line``: " [GET /path/]" for a record logged about a
    request (django.request's errors carry it), "" otherwise. The query string is left out:
    it can hold what a visitor typed."""

    def filter(self, record):
        request = getattr(record, "request", None)
        method = getattr(request, "method", None)
        record.request_line = f" [{method} {request.path}]" if method else ""
        return True


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter hides what it is told is sensitive; this one hides everything a
    visitor sent or a frame held, since any of it may be someone's answers or address."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for key in cleansed:
            cleansed[key] = self.cleansed_substitute
        return cleansed

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        cleansed = multivaluedict.copy()
        for key in cleansed:
            cleansed[key] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]

    def get_safe_cookies(self, request):
        return dict.fromkeys(getattr(request, "COOKIES", {}), self.cleansed_substitute)

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        for name in PERSONAL_META & set(meta):
            meta[name] = self.cleansed_substitute
        return meta


def parse_admins(value):
    """ADMINS from "Ops <ops@example.org>, jane@example.org": a list of (name, address)."""
    admins = []
    for name, address in getaddresses([value or ""]):
        if not address:
            continue
        if "@" not in address or " " in address:
            raise ImproperlyConfigured(f"ADMINS holds {address!r}, which is not an e-mail address.")
        admins.append((name, address))
    return admins


def scrub_sentry_event(event, hint=None):
    """Sentry's before_send: keep the method, the address without its query and a few plain
    headers; drop the body, cookies, the query, the user and the environment."""
    request = event.get("request")
    if isinstance(request, dict):
        headers = request.get("headers") or {}
        event["request"] = {
            "method": request.get("method"),
            "url": request.get("url"),
            "headers": {k: v for k, v in headers.items() if k.lower() in SENTRY_HEADERS},
        }
    event.pop("user", None)
    for frame_holder in (event.get("exception") or {}).get("values") or []:
        for frame in (frame_holder.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    return event


def init_sentry(dsn, environment="production", release=None, traces_sample_rate=0.0):
    """Start sentry-sdk. It is an optional dependency (``pip install sentry-sdk``), imported
    here only, so a site without SENTRY_DSN never needs it."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set, but sentry-sdk is not installed: pip install 'sentry-sdk'."
        ) from None
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_sentry_event,
        traces_sample_rate=traces_sample_rate,
    )
