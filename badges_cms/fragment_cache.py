"""Rendered fragments of public pages, shared by every process through Django's cache.

The whole-page cache (page_cache.py) answers anonymous visitors only, and only once a page is
in it. Whatever it cannot answer (its first request after a publish, a logged-in editor, a
visitor with a session cookie) is rendered; the costly part of that render (from the title to
the end of <main>: the head's meta tags and JSON-LD, the navigation, the index's filter
choices and cards, a badge page's article) comes from this cache instead.

``{% badgescache "name" value ... %}`` … ``{% endbadgescache %}`` (templatetags/
badges_cms_cache.py; the site's base template holds one) stores what it encloses under a key
made of the name, the given values, the request's scheme, host and path, the page and the
language, and the site's content version (badges_cms.cache), which every publish, unpublish,
move or deletion of a page, every change to an issuer, step guide, image, site or view
restriction, and every sync that changed figures bumps: a fragment of an older version is
never read again, on any process that shares the cache.

Stored only where the view says so: ``cache_fragments`` is True in the template context of
pages whose rendering holds nothing personal (the home page, badge indexes without a search,
badge pages without a LinkedIn helper answer, issuer pages). Anything else renders in full:
forms with a CSRF token (the feedback page), the Mastodon share steps, search results (the
search index is refreshed by a background task after a publish), Wagtail previews (their
request never passed the middleware, so it has no version), and any render while the cache is
unreachable (nothing fails).

The version is read once per request, before the page is fetched from the database
(``PageCacheMiddleware.process_view``), so a fragment can never hold content older than the
version it is stored under. Each process remembers which fragments the last render of each
address read, and reads them with the version in one round trip; they are used only if the
version is still the one they were stored under.

Settings: ``BADGES_CMS_FRAGMENT_CACHE`` (on/off) and ``BADGES_CMS_FRAGMENT_CACHE_TIMEOUT``
(seconds). As with the page cache, turn it on only where every process shares the cache.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from .cache import CONTENT_VERSION_KEY, ProcessMemo, content_version, read_many

logger = logging.getLogger("badges_cms")

KEY_PREFIX = "badges_cms:fragment:"
DEFAULT_TIMEOUT = 600
# Set on a request whose fragments may be cached: the content version read as it began.
VERSION_ATTRIBUTE = "badges_cms_content_version"
# Fragments read with the version, and the keys this request's render read.
PREFETCHED_ATTRIBUTE = "badges_cms_fragments"
KEYS_ATTRIBUTE = "badges_cms_fragment_keys"
# Per process: the fragment keys the last render of each address read, with its version.
_recent = ProcessMemo(max_entries=1000)


def enabled():
    return getattr(settings, "BADGES_CMS_FRAGMENT_CACHE", False)


def timeout():
    return getattr(settings, "BADGES_CMS_FRAGMENT_CACHE_TIMEOUT", DEFAULT_TIMEOUT)


def remember_version(request, version=None):
    """Called before the view reads anything: the version this request's fragments belong to.
    When the last render of this address stored fragments under the version still current,
    they are read in the same round trip as the version."""
    if not enabled() or hasattr(request, VERSION_ATTRIBUTE):
        return
    if version is None:
        guess = _recent.get(_address(request))
        guessed_keys = guess[1] if guess else ()
        try:
            version, *fragments = read_many([CONTENT_VERSION_KEY, *guessed_keys])
            version = version or content_version()
        except Exception:  # any backend's connection error
            logger.warning("Fragment cache unavailable", exc_info=True)
            return
        if guess and guess[0] == version:
            setattr(request, PREFETCHED_ATTRIBUTE, dict(zip(guessed_keys, fragments, strict=True)))
    setattr(request, VERSION_ATTRIBUTE, version)


def _address(request):
    return (request.scheme, request.get_host(), request.path, request.META.get("QUERY_STRING"))


def _note(request, version, key):
    """Remember which fragments a render of this address read, for the next request."""
    keys = request.__dict__.setdefault(KEYS_ATTRIBUTE, [])
    keys.append(key)
    _recent.put(_address(request), (version, tuple(keys)))


def fragment_key(name, version, request, page, values):
    parts = [
        request.scheme,
        request.get_host(),
        request.path,
        str(getattr(page, "pk", "")),
        get_language() or "",
        *(repr(value) for value in values),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{KEY_PREFIX}{name}:{version}:{digest}"


def cached_render(context, name, values, render):
    """What ``render()`` returns, from the cache when it holds this fragment."""
    request = context.get("request")
    version = getattr(request, VERSION_ATTRIBUTE, None)
    page = context.get("page")
    if (
        version is None
        or page is None  # an error page, say: not worth a key per mistyped address
        or not enabled()
        or getattr(request, "is_preview", False)
        or context.get("cache_fragments") is not True
    ):
        return render()
    key = fragment_key(name, version, request, page, values)
    prefetched = getattr(request, PREFETCHED_ATTRIBUTE, {})
    if key in prefetched:
        fragment = prefetched[key]
    else:
        try:
            (fragment,) = read_many([key])
        except Exception:
            logger.warning("Fragment cache unavailable", exc_info=True)
            return render()
    _note(request, version, key)
    if fragment is None:
        fragment = render()
        try:
            cache.set(key, fragment, timeout())
        except Exception:
            logger.warning("Fragment cache unavailable", exc_info=True)
    return fragment
