"""Wagtail's routing of a public request, remembered per content version.

Wagtail finds the page for a URL one level at a time: the site for the host, then the site's
root page, then each child by slug, each step one or two queries (seven for a badge page), and
then looks up the view restrictions of the page and its ancestors (two more). The answers
change only when pages are published, unpublished, moved or deleted, a site changes, or a
view restriction is added, changed or removed, and each of those bumps the content version
(badges_cms.cache). So each process remembers, per version, host and path: the site, the page
that answered as it was loaded, what was left of the path for it (a routable page's own
routes), and the view restrictions that apply to it.

The next GET from an anonymous visitor for that address gets a fresh copy of that page (fields
as published) and the page routes the rest of the path itself, exactly as Wagtail would have:
no query. Anyone logged in, and any other method, gets the page read anew from the database
(one query) and Wagtail's own view-restriction lookup. Either way Wagtail's ``before_serve_page``
and ``on_serve_page`` hooks still run on every request, so a password, login or group
restriction is checked against the visitor as before; only the list of restrictions that
apply is remembered, through ``RememberedViewRestrictionsMixin`` on the page models.

Used for requests of Wagtail's serve view whose content version is known (fragment caching on,
see fragment_cache.py), from ``PageCacheMiddleware.process_view``.
"""

import logging
import pickle

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from . import fragment_cache
from .cache import ProcessMemo
from .fragment_cache import VERSION_ATTRIBUTE

logger = logging.getLogger("badges_cms")

# Per process; an entry older than the fragment timeout is read anew: a page changed behind
# Wagtail's back (a shell, a data migration) shows within that time, as its fragment would.
_routes = ProcessMemo(max_entries=1000, max_age=fragment_cache.timeout)


def _components(path):
    return [component for component in path.split("/") if component]


# Set on a page copy served from memory: the view restrictions that apply to it.
RESTRICTIONS_ATTRIBUTE = "_badges_cms_view_restrictions"
MEMORY_METHODS = ("GET", "HEAD")


class RememberedViewRestrictionsMixin:
    """For page models: a page copy served from the remembered route carries the view
    restrictions that apply to it, so Wagtail's check needs no query. Any other instance (the
    admin, a page read from the database) asks the database, as Wagtail does."""

    def get_view_restrictions(self):
        remembered = self.__dict__.get(RESTRICTIONS_ATTRIBUTE)
        if remembered is not None:
            return remembered
        return super().get_view_restrictions()


def _remember(key, site, page, path):
    """What the next request needs to route ``path`` the same way: the site, the page that
    answered as it was loaded (before serving it could change it), the path components the
    page itself routes (none for a plain page) and the view restrictions that apply."""
    root_path = site.root_page.url_path
    if not page.url_path.startswith(root_path):
        return  # a page outside the site's tree answered: leave such routing to Wagtail
    consumed = _components(page.url_path[len(root_path) :])
    components = _components(path)
    if components[: len(consumed)] != consumed:
        return  # the route did not follow slugs down the tree
    restrictions = list(page.get_view_restrictions())
    try:
        entry = (
            pickle.dumps(site),
            page._meta.label,
            page.pk,
            tuple(components[len(consumed) :]),
            pickle.dumps(page),
            pickle.dumps(restrictions),
        )
    except (pickle.PicklingError, TypeError, AttributeError):
        # A page type holding something that cannot be copied: Wagtail routes it every time.
        logger.warning("Cannot remember the route to %s", page._meta.label, exc_info=True)
        return
    _routes.put(key, entry)
    # Looked up once: Wagtail's check on this very request uses the same list.
    setattr(page, RESTRICTIONS_ATTRIBUTE, restrictions)


def _anonymous(request):
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def route(request, path):
    """Route the request as Wagtail would, and leave the result where Wagtail's serve view
    looks for it (``Page.route_for_request`` caches on the request)."""
    from wagtail.models import Page

    version = getattr(request, VERSION_ATTRIBUTE, None)
    if version is None or hasattr(request, "_wagtail_route_for_request"):
        return
    key = (version, request._get_raw_host(), request.get_port(), path)
    entry = _routes.get(key)
    if entry is None:
        result = Page.route_for_request(request, path)
        site = getattr(request, "_wagtail_site", None)
        if result is not None and site is not None:
            _remember(key, site, result[0], path)
        return
    site_state, label, pk, remaining, page_state, restrictions_state = entry
    # Unpickled from what this process pickled itself.
    if request.method in MEMORY_METHODS and _anonymous(request):
        page = pickle.loads(page_state)  # noqa: S301
        setattr(page, RESTRICTIONS_ATTRIBUTE, pickle.loads(restrictions_state))  # noqa: S301
    else:
        try:
            page = apps.get_model(label)._default_manager.get(pk=pk)
        except (LookupError, ObjectDoesNotExist):
            return  # gone without a version bump (another database?): Wagtail routes it
    request._wagtail_site = pickle.loads(site_state)  # noqa: S301
    try:
        request._wagtail_route_for_request = page.route(request, list(remaining))
    except Http404:
        request._wagtail_route_for_request = None


def forget():
    """Drop every remembered route of this process (tests)."""
    _routes.clear()
