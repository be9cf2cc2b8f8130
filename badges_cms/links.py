"""Absolute addresses of pages and of the machine-readable documents below them.

Link previews, feeds and Open Badges documents need absolute URLs. They are built from the
request (scheme and host as Django validated them against ALLOWED_HOSTS, https behind the
proxy's X-Forwarded-Proto), so they match the address the site is really reached at, and the
page part comes from Wagtail's routing.
"""

BADGECLASS_FILENAME = "badgeclass.json"
ACHIEVEMENT_FILENAME = "achievement.json"
FEED_ROUTE = "feed/"
ISSUERS_ROUTE = "issuers/"
VERIFY_ROUTE = "verify/"
PATHWAYS_ROUTE = "pathways/"


def absolute_url(request, url):
    """An absolute URL for a path or URL; already absolute ones come back unchanged."""
    return request.build_absolute_uri(url)


def page_url(page, request):
    """The page's absolute URL, always ending with a slash so routes can be appended."""
    url = absolute_url(request, page.get_url(request=request))
    return url if url.endswith("/") else url + "/"


def badgeclass_url(page, request):
    return page_url(page, request) + BADGECLASS_FILENAME


def achievement_url(page, request):
    return page_url(page, request) + ACHIEVEMENT_FILENAME


def feed_url(index_page, request):
    return page_url(index_page, request) + FEED_ROUTE


def issuer_directory_url(index_page, request):
    return page_url(index_page, request) + ISSUERS_ROUTE


def verify_url(index_page, request):
    return page_url(index_page, request) + VERIFY_ROUTE


def issuer_page_url(index_page, issuer, request):
    return f"{page_url(index_page, request)}{ISSUERS_ROUTE}{issuer.slug}/"


def issuer_page_url_beside(badge, issuer, request=None):
    """The page of ``issuer`` below the index that lists ``badge``, read from the badge's own
    URL: a badge page's parent is always its index, so no query is needed (Wagtail builds the
    URL from the page's url_path and the site root paths it caches for the request). None when
    the badge has no URL."""
    url = badge.get_url(request=request)
    if url is None or issuer is None:
        return None
    index_url = url.rstrip("/").rsplit("/", 1)[0] + "/"
    return f"{index_url}{ISSUERS_ROUTE}{issuer.slug}/"


def issuer_json_url(index_page, issuer, request):
    return f"{page_url(index_page, request)}{ISSUERS_ROUTE}{issuer.slug}.json"


def pathway_directory_url(index_page, request):
    return page_url(index_page, request) + PATHWAYS_ROUTE


def pathway_page_url(index_page, pathway, request):
    return f"{page_url(index_page, request)}{PATHWAYS_ROUTE}{pathway.slug}/"


def pathway_page_url_beside(badge, pathway, request=None):
    """The page of ``pathway`` below the index that lists ``badge`` (see issuer_page_url_beside),
    relative like the badge's own URL, or None when the badge has no URL."""
    url = badge.get_url(request=request)
    if url is None:
        return None
    index_url = url.rstrip("/").rsplit("/", 1)[0] + "/"
    return f"{index_url}{PATHWAYS_ROUTE}{pathway.slug}/"
