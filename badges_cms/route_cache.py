"""Wagtail's routing of a public request, remembered per content version.

Wagtail finds the page for a URL one level at a time: the site for the host, then the site's
root page, then each child by slug, each step one or two queries (seven for a badge page). The
answer changes only when pages are published, unpublished, moved or deleted, or a site changes,
and each of those bumps the content version (badges_cms.cache). So each process remembers, per
version, host and path, which page answered and what was left of the path for it (a routable
page's own routes); the next request for that address loads that one page in one query and asks
it to route the rest, exactly as Wagtail would have.

Only the routing is remembered. Everything Wagtail checks after routing still runs on every
request: the ``before_serve_page`` hooks (view restrictions: passwords, logins, groups), the
page's own ``serve``, and the page's fields, which are read fresh from the database.

Used for requests of Wagtail's serve view whose content version is known (fragment caching on,
see fragment_cache.py), from ``PageCacheMiddleware.process_view``.
"""

import logging
import pickle
import threading
from collections import OrderedDict

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from .fragment_cache import VERSION_ATTRIBUTE

logger = logging.getLogger("badges_cms")

MAX_ENTRIES = 2000
_routes = OrderedDict()
_lock = threading.Lock()


def _components(path):
    return [component for component in path.split("/") if component]


def _remember(key, site, page, path):
    """What the next request needs to route ``path`` the same way: the site, the page that
    answered, and the path components the page itself routed (none for a plain page)."""
    root_path = site.root_page.url_path
    if not page.url_path.startswith(root_path):
        return  # a page outside the site's tree answered: leave such routing to Wagtail
    consumed = _components(page.url_path[len(root_path) :])
    components = _components(path)
    if components[: len(consumed)] != consumed:
        return  # the route did not follow slugs down the tree
    entry = (pickle.dumps(site), page._meta.label, page.pk, tuple(components[len(consumed) :]))
    with _lock:
        _routes[key] = entry
        while len(_routes) > MAX_ENTRIES:
            _routes.popitem(last=False)


def _recall(key):
    with _lock:
        entry = _routes.get(key)
        if entry is not None:
            _routes.move_to_end(key)
    return entry


def route(request, path):
    """Route the request as Wagtail would, and leave the result where Wagtail's serve view
    looks for it (``Page.route_for_request`` caches on the request)."""
    from wagtail.models import Page

    version = getattr(request, VERSION_ATTRIBUTE, None)
    if version is None or hasattr(request, "_wagtail_route_for_request"):
        return
    key = (version, request._get_raw_host(), request.get_port(), path)
    entry = _recall(key)
    if entry is None:
        result = Page.route_for_request(request, path)
        site = getattr(request, "_wagtail_site", None)
        if result is not None and site is not None:
            _remember(key, site, result[0], path)
        return
    site_state, label, pk, remaining = entry
    try:
        page = apps.get_model(label)._default_manager.get(pk=pk)
    except (LookupError, ObjectDoesNotExist):
        return  # gone without a version bump (another database?): Wagtail routes it
    request._wagtail_site = pickle.loads(site_state)  # noqa: S301 - pickled by this process
    try:
        request._wagtail_route_for_request = page.route(request, list(remaining))
    except Http404:
        request._wagtail_route_for_request = None


def forget():
    """Drop every remembered route of this process (tests)."""
    with _lock:
        _routes.clear()
