"""The machine-readable documents below badge pages and indexes, and robots.txt.

Wagtail's catch-all page pattern matches no dots and adds a trailing slash, so
``<badge>/badgeclass.json``, ``<badge>/achievement.json`` and ``<index>/issuers/<slug>.json`` are
plugin URL patterns (badges_cms/urls.py, included ahead of Wagtail's) that find the page from the
path for the current Site. Only live pages outside any view restriction answer; anything else
is a 404, so a draft or private badge is never published through its JSON.

Open Badges ids are these URLs, so they must keep answering when an editor renames or moves a
page: Wagtail's redirects app records the page's old path, and the documents follow those
records with a permanent redirect to the page's new address plus the same document name.
"""

from django.apps import apps
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe
from wagtail.models import Site

from .. import links
from ..catalogue.issuer_directory import IssuerDirectory
from ..models import BadgeIndexPage, BadgePage
from . import openbadges
from .documents import json_ld_response


def _visible(model):
    return model.objects.visible()


def find_page(request, path, model):
    """The live, public page of this type at path (as it appears in the URL, ending in a slash
    or empty for the site's root) on the current site, or None."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page
    return _visible(model).filter(url_path=root.url_path + path).first()


def redirect_to_moved_page(request, path, model, suffix):
    """A redirect to the same document below the page's new address, when the redirects app
    says the page at path has moved; None otherwise."""
    if not apps.is_installed("wagtail.contrib.redirects"):
        return None
    # The redirects app is optional: its models can be imported only where it is installed.
    from wagtail.contrib.redirects.models import Redirect

    site = Site.find_for_request(request)
    old_path = Redirect.normalise_path("/" + path)
    redirect = (
        Redirect.get_for_site(site)
        .filter(old_path=old_path, redirect_page__isnull=False)
        .select_related("redirect_page")
        # A redirect for this site before one for all sites (site NULL).
        .order_by(F("site_id").asc(nulls_last=True))
        .first()
    )
    if redirect is None or redirect.redirect_page_route_path not in ("", "/"):
        return None
    page = _visible(model).filter(pk=redirect.redirect_page_id).first()
    if page is None:
        return None
    target = links.page_url(page, request) + suffix
    if redirect.is_permanent:
        return HttpResponsePermanentRedirect(target)
    return HttpResponseRedirect(target)


def _badge_document(request, path, filename, build):
    page = find_page(request, path, BadgePage)
    if page is None:
        moved = redirect_to_moved_page(request, path, BadgePage, filename)
        if moved:
            return moved
        raise Http404("No badge page here")
    return json_ld_response(build(page, request))


@require_safe
def badgeclass_json(request, path):
    return _badge_document(request, path, links.BADGECLASS_FILENAME, openbadges.badge_class)


@require_safe
def achievement_json(request, path):
    return _badge_document(request, path, links.ACHIEVEMENT_FILENAME, openbadges.achievement)


@require_safe
def issuer_json(request, path, slug):
    index_page = find_page(request, path, BadgeIndexPage)
    if index_page is None:
        moved = redirect_to_moved_page(
            request, path, BadgeIndexPage, f"{links.ISSUERS_ROUTE}{slug}.json"
        )
        if moved:
            return moved
        raise Http404("No badge index here")
    issuer = IssuerDirectory(index_page).get(slug)
    if issuer is None:
        raise Http404("No issuer with a published badge here")
    return json_ld_response(openbadges.issuer_profile(issuer, index_page, request))


@require_safe
def robots_txt(request):
    """Crawlers may read everything public except the Mastodon share redirects, which are not
    content. The admin is left out: it needs a login, and naming it would only advertise it.
    The sitemap is named when the site routes one as "sitemap"."""
    lines = ["User-agent: *", "Disallow: /*/share/mastodon/"]
    try:
        lines += ["", f"Sitemap: {links.absolute_url(request, reverse('sitemap'))}"]
    except NoReverseMatch:
        pass
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
