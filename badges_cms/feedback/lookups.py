"""The badges a feedback form may be about."""

from badges_cms.models import BadgePage


def badge_titles(request):
    """{slug: title} of the visible badges of the request's site, by title.

    Slugs are unique only among a page's siblings; if two indexes reuse one, the first badge
    in title order answers for it."""
    pages = BadgePage.objects.visible_for(request)
    titles = {}
    for slug, title in pages.order_by("title", "path").values_list("slug", "title"):
        titles.setdefault(slug, title)
    return titles
