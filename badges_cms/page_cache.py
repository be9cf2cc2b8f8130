"""A whole-page cache for anonymous visitors, shared by every process through Django's cache.

An anonymous GET of a page Wagtail serves is answered from the cache when a copy is there;
otherwise the page is rendered and, if nothing in the response is personal, stored whole (with
every header the middleware added). Each copy carries the site's content version
(badges_cms.cache), which is bumped after every publish, unpublish, move or deletion of a page,
every change to an issuer, step guide, image or site, and every sync that changed figures: a
copy of an older version is never served, on any process that shares the cache. One cache
round trip reads the version and the copy together; where this process keeps a copy of its
own (process_copies) that is still current, only the version is read.

Never cached: requests with a session, messages or HTTP authentication (logged-in editors see
their userbar and drafts), Wagtail previews (a made-up request passed through the middleware),
anything but GET, search results (``?q=``: the search index is refreshed by a background task
after a publish, so a copy made in between would miss the new page), static and media files,
and responses that are not a plain 200, set a cookie, used the CSRF token (the feedback form),
vary on anything but Accept (part of the key) and Cookie, or are marked private or no-store.

Two parts: ``PageCacheMiddleware``, first in MIDDLEWARE, decides, stores and answers; and
``CachedPagesWSGI``, an optional wrapper of the WSGI application that answers a hit before
Django builds a request or runs any middleware, which is most of a hit's cost otherwise
(alasite/wsgi.py uses it; benchmarks/RESULTS.md has the figures).
Responses say what happened in ``X-Page-Cache``: ``hit``, ``miss`` (rendered and stored),
``skip`` (rendered, not storable) or ``bypass`` (not a request the cache answers).

Settings: ``BADGES_CMS_PAGE_CACHE`` (on/off, read on every request) and
``BADGES_CMS_PAGE_CACHE_TIMEOUT`` (seconds: a bump retires copies at once; the timeout frees the
memory). Turn it on only where every process shares the cache (Redis): with a cache per process,
a publish would retire the copies of one process only.
"""

import functools
import hashlib
import logging
from http import HTTPStatus
from urllib.parse import parse_qs

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse, parse_cookie
from django.utils.cache import cc_delim_re, get_max_age

from . import fragment_cache, route_cache
from .cache import (
    CONTENT_VERSION_KEY,
    ProcessMemo,
    bump_content_version,
    content_version,
    read_many,
    redis_reader,
)

logger = logging.getLogger("badges_cms")

HEADER = "X-Page-Cache"
KEY_PREFIX = "badges_cms:page:"
DEFAULT_TIMEOUT = 600
# Query parameters whose results are never cached (see above), and the longest query string
# cached: anything longer is someone filling the cache, not a visitor.
UNCACHED_PARAMS = ("q",)
MAX_QUERY_STRING = 256
MAX_BODY = 2 * 1024 * 1024
# A response may vary on these and still be cached: Accept is part of the key, and cookies
# are left out (a request with a personal cookie is never answered from the cache).
VARY_ALLOWED = {"accept", "cookie"}
# Set by CachedPagesWSGI on a request it looked up and did not answer: the version it read.
LOOKED_UP = "badges_cms.page_cache.version"


class Config:
    """The settings read on every request, read once (again after a setting changes): Django's
    settings object costs a little on each access, and a hit is made of little else."""

    def __init__(self):
        from django.contrib.messages.storage.cookie import CookieStorage

        self.enabled = getattr(settings, "BADGES_CMS_PAGE_CACHE", True)
        self.file_prefixes = tuple(url for url in (settings.STATIC_URL, settings.MEDIA_URL) if url)
        self.personal_cookies = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)
        self.proxy_ssl_header = settings.SECURE_PROXY_SSL_HEADER
        self.forwarded_host = settings.USE_X_FORWARDED_HOST


@functools.cache
def config():
    return Config()


def enabled():
    return config().enabled


# Requests, as WSGI describes them: the middleware and the WSGI wrapper must agree exactly.


def answerable(environ):
    if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
        return False
    current = config()
    if environ.get("PATH_INFO", "").startswith(current.file_prefixes):
        return False
    if "HTTP_COOKIE" in environ:
        cookies = parse_cookie(environ["HTTP_COOKIE"])
        if any(name in cookies for name in current.personal_cookies):
            return False
    query = environ.get("QUERY_STRING", "")
    if len(query) > MAX_QUERY_STRING:
        return False
    if any(f"{name}=" in query for name in UNCACHED_PARAMS):
        params = parse_qs(query)
        return not any(any(params.get(name, [])) for name in UNCACHED_PARAMS)
    return True


def scheme_of(environ):
    """As django.http.HttpRequest.scheme reads it, honouring SECURE_PROXY_SSL_HEADER."""
    if config().proxy_ssl_header:
        header, secure_value = config().proxy_ssl_header
        value = environ.get(header)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    return environ.get("wsgi.url_scheme", "http")


def host_of(environ):
    """The host as the request gave it (Django validates it before anything is stored)."""
    if config().forwarded_host and "HTTP_X_FORWARDED_HOST" in environ:
        return environ["HTTP_X_FORWARDED_HOST"]
    if "HTTP_HOST" in environ:
        return environ["HTTP_HOST"]
    return f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"


def cache_key(environ):
    parts = [
        scheme_of(environ),
        host_of(environ),
        environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_ACCEPT", ""),
    ]
    return KEY_PREFIX + hashlib.sha256("\n".join(parts).encode("utf-8", "replace")).hexdigest()


# The cache. It may be down: the site then serves every page freshly rendered.


@receiver(setting_changed)
def forget_settings(**kwargs):
    config.cache_clear()
    redis_reader.cache_clear()


def page_timeout():
    return getattr(settings, "BADGES_CMS_PAGE_CACHE_TIMEOUT", DEFAULT_TIMEOUT)


def make_process_copies(max_bytes):
    """Copies of stored pages this process has read or written, each with its version. A
    request still reads the current version from the shared cache every time, so a copy
    here is served only while it is current, exactly as the shared copy would be; only the
    transfer of the page from the shared cache is saved. Bounded in bytes (of page content)
    and by the page cache timeout."""
    return ProcessMemo(max_bytes=max_bytes, size=lambda entry: len(entry[3]), max_age=page_timeout)


# Per process: enough for every page of a catalogue of a few hundred badges.
PROCESS_COPIES_BYTES = 32 * 1024 * 1024
process_copies = make_process_copies(PROCESS_COPIES_BYTES)


def lookup(key):
    """(current content version, stored page or None), in one round trip to the cache: the
    version alone when this process holds a copy of the page, else the version and the page."""
    copy = process_copies.get(key)
    try:
        if copy is not None:
            (version,) = read_many([CONTENT_VERSION_KEY])
            if version is not None and copy[0] == version:
                return version, copy
            # Retired here; another process may have stored the current page already.
            (entry,) = read_many([key]) if version is not None else (None,)
        else:
            version, entry = read_many([CONTENT_VERSION_KEY, key])
    except Exception:  # any backend's connection error
        logger.warning("Page cache unavailable", exc_info=True)
        return None, None
    if version is None or entry is None or entry[0] != version:
        return version, None
    process_copies.put(key, entry)
    return version, entry


def store(key, version, response):
    headers = [(name, value) for name, value in response.items() if name != HEADER]
    entry = (version, response.status_code, headers, response.content)
    try:
        cache.set(key, entry, page_timeout())
    except Exception:
        logger.warning("Page cache unavailable", exc_info=True)
        return False
    process_copies.put(key, entry)
    return True


def current_version():
    try:
        return content_version()
    except Exception:
        logger.warning("Page cache unavailable", exc_info=True)
        return None


class PageCacheMiddleware:
    """First in MIDDLEWARE, so that what it stores is the whole response, with the headers of
    every middleware below it (security headers, Content Security Policy, X-Frame-Options),
    and a hit returns before any of them runs. For a page it renders, it also reads the
    content version before Wagtail's view runs, for the stored fragments and the remembered
    route (fragment_cache.py, route_cache.py), whether or not whole pages are cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or getattr(request, "is_dummy", False) or not answerable(request.META):
            response = self.get_response(request)
            response[HEADER] = "bypass"
            return response
        try:
            request.get_host()
        except DisallowedHost:
            return self.get_response(request)  # Django answers 400 further down
        key = cache_key(request.META)
        if LOOKED_UP in request.META:
            version = request.META[LOOKED_UP]
        else:
            version, entry = lookup(key)
            if entry is not None:
                return self.rebuild(entry)
        if version is None:
            version = current_version()
        if version is not None:
            fragment_cache.remember_version(request, version)
        request.badges_cms_page_cache = "candidate"
        response = self.get_response(request)
        stored = version is not None and self.storable(request, response)
        stored = stored and store(key, version, response)
        response[HEADER] = "miss" if stored else "skip"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        from wagtail.views import serve

        if view_func is not serve:
            return
        if getattr(request, "badges_cms_page_cache", None) == "candidate":
            request.badges_cms_page_cache = "page"
        # Before the view fetches the page: its fragments belong to the version read now.
        fragment_cache.remember_version(request)
        # Wagtail's URL pattern passes the page path as the view's one positional argument.
        path = view_args[0] if view_args else view_kwargs.get("path", "")
        route_cache.route(request, path)

    def storable(self, request, response):
        if getattr(request, "badges_cms_page_cache", None) != "page":
            return False  # not a page Wagtail served
        if getattr(request, "is_preview", False):
            return False
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if "CSRF_COOKIE_NEEDS_UPDATE" in request.META:
            return False  # the page holds a CSRF token, so it is one visitor's page
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-store", "no-cache")):
            return False
        if get_max_age(response) == 0:
            return False
        vary = {h.strip().lower() for h in cc_delim_re.split(response.get("Vary", "")) if h}
        if not vary <= VARY_ALLOWED:
            return False
        return len(response.content) <= MAX_BODY

    @staticmethod
    def rebuild(entry):
        _, status, headers, content = entry
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response[HEADER] = "hit"
        return response


class CachedPagesWSGI:
    """Wraps the site's WSGI application: a request the cache holds a current copy for is
    answered straight from it, before Django builds a request object or runs any middleware;
    anything else goes on to Django, where PageCacheMiddleware takes it from there (without
    a second look in the cache)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if enabled() and answerable(environ):
            version, entry = lookup(cache_key(environ))
            if entry is not None:
                _, status, headers, content = entry
                start_response(f"{status} {HTTPStatus(status).phrase}", [*headers, (HEADER, "hit")])
                return [content]
            environ[LOOKED_UP] = version
        return self.application(environ, start_response)


# Invalidation


def invalidate(**kwargs):
    """Retire every cached page once the current transaction commits (at once outside one):
    bumped earlier, a request in between could store the old content under the new version."""
    transaction.on_commit(bump_content_version_quietly)


def bump_content_version_quietly():
    try:
        bump_content_version()
    except Exception:
        logger.exception("Could not retire cached pages: the page cache is unavailable")


def invalidate_unless_raw(sender, raw=False, **kwargs):
    if not raw:  # loaddata
        invalidate()


def register_signal_handlers():
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from .models import BadgeIssuer, StepGuide

    uid = "badges_cms.page_cache"
    page_published.connect(invalidate, dispatch_uid=f"{uid}.published")
    page_unpublished.connect(invalidate, dispatch_uid=f"{uid}.unpublished")
    post_page_move.connect(invalidate, dispatch_uid=f"{uid}.moved")
    # Deleting a page deletes its subtree: Page and every specific model send post_delete.
    post_delete.connect(invalidate, sender=Page, dispatch_uid=f"{uid}.deleted")
    # Content pages show besides their own: issuers, step guides, images, the site's root;
    # and the view restrictions remembered with each route (route_cache.py).
    for model in (BadgeIssuer, StepGuide, get_image_model(), Site, PageViewRestriction):
        name = f"{uid}.{model._meta.label_lower}"
        post_save.connect(invalidate_unless_raw, sender=model, dispatch_uid=f"{name}.saved")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"{name}.deleted")
    m2m_changed.connect(
        invalidate,
        sender=PageViewRestriction.groups.through,
        dispatch_uid=f"{uid}.restriction_groups",
    )
