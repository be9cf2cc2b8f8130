"""How each response may be cached, said in its Cache-Control header, for Varnish, a CDN and
browsers alike.

The plugin keeps no page cache of its own: a shared cache in front of the site stores what
this middleware marks public, and every change is purged from it (wagtail.contrib.frontend_cache)
after commit. So the rules below decide two things for every response: may anyone but this
visitor be given a copy of it, and for how long may a copy be kept without asking again.

Shared for ``BADGES_CMS_CACHE_S_MAXAGE`` (a day: purges retire copies when anything changes) and
kept by browsers for ``BADGES_CMS_CACHE_MAX_AGE`` (a minute: a browser is never purged): an
anonymous GET or HEAD answered by a Wagtail page (badge pages, indexes, their feed and issuer
routes), by the Open Badges ``.json`` documents, ``/sitemap.xml`` or ``robots.txt``.

Personal, ``private, no-store``: any other method; the admins; previews; a request with a
session or authentication, or from a logged-in user (the userbar, drafts); a response that
used the CSRF token (the feedback form, Wagtail's password form) or sets a cookie; the LinkedIn
helper's answer, the Mastodon share answers and the verify page (what one visitor typed; the
verify view marks its request with ``mark_private``); and whatever a view
already marked private or no-store, which covers Wagtail's password and login view
restrictions (Wagtail sends its never-cache headers for every page behind one, its password
form and its login redirect, on every request, so no extra query is needed to know).

``private, no-cache``: search results (``?q=``): the search index is refreshed by a background
task, so a copy taken before it ran would go on missing a page that was just published.

Anything else keeps the Cache-Control its view gave it, or gets a short public lifetime (an API
answer, a 404) or ``private, no-cache`` (a temporary redirect, an error), none of which a purge
is relied on to retire.

``Vary`` stays as the views set it (``Accept`` on badge pages, which answer JSON-LD to whoever
asks for it) except that a response shared with everyone drops ``Cookie``: Django adds it when
the session was merely looked at (is the visitor logged in?), and a response that depended on
a cookie is never shared in the first place.
"""

from functools import wraps

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.cache import cc_delim_re, patch_vary_headers

from .. import conf
from ..sharing import linkedin

SAFE_METHODS = ("GET", "HEAD")
# The views whose answers a publish, unpublish, move or sync purges (badges_cms.urls and the
# site's urls.py name them so); Wagtail's serve view answers every page and its routes.
PURGED_VIEWS = frozenset(
    {
        "wagtail_serve",
        "badges_cms:badgeclass_json",
        "badges_cms:achievement_json",
        "badges_cms:issuer_json",
        "sitemap",
        "robots_txt",
    }
)
# Statuses a shared cache may keep for as long as the rules allow; 404 and 410 only briefly
# (a page can appear at the address without a purge of every URL that was once asked for).
SHARED_STATUSES = frozenset({200, 203, 204, 300, 301, 308})
BRIEF_STATUSES = frozenset({404, 410})
# The admins' URL names: everything below them is staff-only.
ADMIN_URL_NAMES = ("wagtailadmin_home", "admin:index")
# The Mastodon share route of badge pages (badges_cms.catalogue.routes.MASTODON_ROUTE).
MASTODON_SUFFIX = "/share/mastodon/"
# Set on a request by mark_private(): its answer is for this visitor only.
PRIVATE_MARK = "badges_cms_private_response"


def mark_private(request):
    """Say that the answer to this request is for this visitor only."""
    setattr(request, PRIVATE_MARK, True)


def private_response(view):
    """A view decorator: its answers are for the visitor who asked, never shared."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        mark_private(request)
        return view(request, *args, **kwargs)

    return wrapped


def admin_prefixes():
    prefixes = []
    for name in ADMIN_URL_NAMES:
        try:
            prefixes.append(reverse(name))
        except NoReverseMatch:
            continue
    return tuple(prefixes)


def directives(response):
    """The response's Cache-Control as an ordered dict of directive -> value (True if none)."""
    parsed = {}
    for item in cc_delim_re.split(response.get("Cache-Control", "")):
        name, _, value = item.strip().partition("=")
        if name:
            parsed[name.strip().lower()] = value.strip() or True
    return parsed


def set_directives(response, parsed):
    response["Cache-Control"] = ", ".join(
        name if value is True else f"{name}={value}" for name, value in parsed.items()
    )


def is_personal_request(request):
    """True when the request itself makes its answer this visitor's own."""
    if request.method not in SAFE_METHODS:
        return True
    if getattr(request, PRIVATE_MARK, False):
        return True
    # A Wagtail preview, or another made-up request Wagtail renders a page with.
    if getattr(request, "is_preview", False) or getattr(request, "is_dummy", False):
        return True
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    if request.path.startswith(admin_prefixes()):
        return True
    # The CSRF token went into the page: it is this visitor's.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return True
    return linkedin.submitted(request) or request.path.endswith(MASTODON_SUFFIX)


def is_search(request):
    return bool(request.GET.get("q", "").strip())


def view_name(request):
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


def drop_vary_cookie(response):
    if not response.has_header("Vary"):
        return
    kept = [
        field
        for field in cc_delim_re.split(response["Vary"])
        if field.strip() and field.strip().lower() != "cookie"
    ]
    del response["Vary"]
    if kept:
        patch_vary_headers(response, kept)


def make_private(response, parsed, *, store):
    for name in ("public", "s-maxage"):
        parsed.pop(name, None)
    if not store:
        parsed.pop("max-age", None)
    head = {"private": True, "no-store" if store else "no-cache": True}
    set_directives(response, {**head, **{k: v for k, v in parsed.items() if k not in head}})


def apply_cache_policy(request, response):
    parsed = directives(response)
    if (
        "private" in parsed
        or "no-store" in parsed
        or response.cookies
        or is_personal_request(request)
    ):
        make_private(response, parsed, store=True)
        return response
    if is_search(request):
        make_private(response, parsed, store=False)
        return response
    drop_vary_cookie(response)
    if parsed:  # the view said how it may be cached
        return response
    max_age = conf.get("BADGES_CMS_CACHE_MAX_AGE")
    if response.status_code in SHARED_STATUSES and view_name(request) in PURGED_VIEWS:
        s_maxage = conf.get("BADGES_CMS_CACHE_S_MAXAGE")
        set_directives(response, {"public": True, "max-age": max_age, "s-maxage": s_maxage})
    elif response.status_code in SHARED_STATUSES | BRIEF_STATUSES:
        set_directives(response, {"public": True, "max-age": max_age})
    else:
        set_directives(response, {"private": True, "no-cache": True})
    return response


class CacheControlMiddleware:
    """Sets Cache-Control (and trims Vary) on every response Django answers; see the module's
    docstring. Place it after WhiteNoise (static files keep WhiteNoise's own headers) and
    before the session, CSRF and authentication middleware, so that it sees the cookies they
    set; ConditionalGetMiddleware goes before it, so ETags follow its no-store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return apply_cache_policy(request, self.get_response(request))
