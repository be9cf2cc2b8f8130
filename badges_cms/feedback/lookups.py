"""Finding live, public pages for the feedback form and for the link on badge pages."""

from django.db.models import Exists, OuterRef
from django.db.models.functions import Length, Substr
from wagtail.models import PageViewRestriction, Site

from badges_cms.models import BadgePage

# Set on the request by the first lookup, so a page that asks twice pays for one query.
FEEDBACK_PAGE_ATTR = "_badges_feedback_page"
_MISSING = object()


def without_private(pages):
    """Leave out pages that are, or are below, a page with a view restriction.

    Wagtail's ``.public()`` does the same with an extra query that reads every restriction
    first; this is a NOT EXISTS in the page query itself, so a lookup stays one query.
    A restriction applies to its page's descendants: their paths start with its page's path.
    """
    restricted = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    return pages.filter(~Exists(restricted))


def in_request_site(pages, request):
    site = Site.find_for_request(request) if request is not None else None
    return pages.descendant_of(site.root_page, inclusive=True) if site else pages


def live_feedback_page(request):
    """The site's live, public feedback page (the first in the tree), or None.

    Cached on the request: every badge page asks once, whatever includes the link."""
    from .models import BadgeFeedbackPage

    cached = getattr(request, FEEDBACK_PAGE_ATTR, _MISSING)
    if cached is not _MISSING:
        return cached
    pages = in_request_site(without_private(BadgeFeedbackPage.objects.live()), request)
    page = pages.order_by("path").first()
    if request is not None:
        setattr(request, FEEDBACK_PAGE_ATTR, page)
    return page


def badge_titles(request):
    """{slug: title} of the live, public badges of the request's site, by title.

    Slugs are unique only among a page's siblings; if two indexes reuse one, the first badge
    in title order answers for it."""
    pages = in_request_site(without_private(BadgePage.objects.live()), request)
    titles = {}
    for slug, title in pages.order_by("title", "path").values_list("slug", "title"):
        titles.setdefault(slug, title)
    return titles
