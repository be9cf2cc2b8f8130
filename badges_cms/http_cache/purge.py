"""What to purge from the HTTP cache in front of the site (Varnish, a CDN) after a change.

The site caches no page itself: Varnish or a CDN does, and every change is purged there once it
has committed, through ``wagtail.contrib.frontend_cache``'s backends (``WAGTAILFRONTENDCACHE``).
``PurgePlan`` works out every address that shows a change: the page and its documents, the
badge index with its filtered and paged variants (the project's VCL drops every query-string
variant of a purged path), issuer pages and Profiles, the feed, sitemap, the home page, any page
whose body holds a badge card or list (Wagtail's reference index knows them), the pathway pages
and the API.

``queue_purge(plan)`` sends it after the transaction commits, as a task; ``purge_now`` is what
the task runs (the sync, already background work, calls it directly to report what failed).
"""

import logging
import time
from urllib.error import URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest
from wagtail.contrib.frontend_cache.utils import get_backends
from wagtail.models import Page, ReferenceIndex

from .. import links
from ..catalogue.issuer_directory import IssuerDirectory
from ..catalogue.pathways import published_slugs
from ..models import BadgeIndexPage, FrontendCachePurge

logger = logging.getLogger("badges_cms.http_cache.purge")

API_PAGES = "/api/v2/pages/"
API_PATHWAYS = "/api/v2/pathways/"
# A purge that fails is tried again this many times, waiting as long as this between tries.
RETRY_DELAYS = (0.5, 2.0)


class PurgeError(Exception):
    """The HTTP cache refused or did not answer a purge."""


class VarnishBackend(HTTPBackend):
    """Wagtail's HTTP backend (PURGE <path> with the page's Host), but a refused or failed purge
    raises instead of being only logged, so that it is retried and, in the end, shown."""

    def purge(self, url):
        request = PurgeRequest(url=self.cache_url(url), headers=self.purge_headers(url))
        self.send(request, url)

    def cache_url(self, url):
        parts = urlsplit(url)
        return urlunsplit([self.cache_scheme, self.cache_netloc, parts.path, parts.query, ""])

    def purge_headers(self, url):
        parts = urlsplit(url)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        return {"Host": host, "User-Agent": "badges_cms purge"}

    def send(self, request, url):
        try:
            with urlopen(request, timeout=5) as response:  # noqa: S310 - LOCATION is ours
                status = response.status
        except URLError as error:  # HTTPError (a refusal) is a URLError too
            raise PurgeError(f"{url}: {getattr(error, 'code', '')} {error.reason}") from None
        except OSError as error:
            raise PurgeError(f"{url}: {error}") from None
        if status >= 300:
            raise PurgeError(f"{url}: HTTP {status}")


class PurgePlan:
    """The absolute URLs a change makes stale. Build it inside the change (while old addresses
    still resolve), send it after the commit."""

    def __init__(self):
        self.urls = set()
        self.cache_object = self  # Wagtail keeps the site root paths here, for one plan

    def __bool__(self):
        return bool(self.urls)

    def add_url(self, url):
        if url:
            self.urls.add(url)

    def page_urls(self, page):
        """A page's own addresses: its URL and its documents (``get_cached_paths``)."""
        base = page.get_full_url(request=None)
        if base is None:
            return []
        return [base + path.lstrip("/") for path in page.specific_deferred.get_cached_paths()]

    def add_page(self, page, with_listings=True):
        """A page that changed (published, unpublished, moved, deleted, restricted): its own
        addresses, and everything that lists or links it."""
        page = page.specific_deferred
        self.urls.update(self.page_urls(page))
        self.add_referencing_pages(page)
        if not with_listings:
            return
        self.add_site_wide(page)
        self.add_pathway_neighbours(page)
        parent = page.get_parent()
        if parent is not None and isinstance(parent.specific_deferred, BadgeIndexPage):
            self.add_index(parent.specific)
        if isinstance(page.specific_deferred, BadgeIndexPage):
            self.add_index(page.specific)

    def add_subtree(self, page):
        """``page`` and every live page below it, each as add_page does (a move, a view
        restriction)."""
        for each in page.get_descendants(inclusive=True).live().specific(defer=True):
            self.add_page(each)

    def add_badges(self, badges):
        """Badge pages whose content or figures changed."""
        indexes = set()
        for badge in badges:
            self.urls.update(self.page_urls(badge))
            self.add_referencing_pages(badge)
            indexes.add(badge.get_parent().id)
            self.add_site_wide(badge)
        for index in BadgeIndexPage.objects.filter(pk__in=indexes):
            self.add_index(index)

    def add_pathway_neighbours(self, page):
        """The other badges of the published pathways a badge page is in (they count it in
        "2 of 3" and may name it as the next badge), their aliases, and those pathways in the
        API."""
        entries = getattr(page, "pathway_entries", None)
        if entries is None:  # not a badge page
            return
        own_id = page.alias_of_id or page.pk
        pathway_ids = set(
            entries.model.objects.filter(badge_id=own_id, pathway__live=True).values_list(
                "pathway_id", flat=True
            )
        )
        if not pathway_ids:
            return
        neighbour_ids = entries.model.objects.filter(pathway_id__in=pathway_ids).values_list(
            "badge_id", flat=True
        )
        neighbours = type(page).objects.live().and_their_aliases(neighbour_ids).exclude(pk=page.pk)
        for neighbour in neighbours.specific(defer=True):
            self.urls.update(self.page_urls(neighbour))
        self.add_pathways_api(page, pathway_ids)

    def add_pathways_api(self, page, pathway_ids):
        """The API's pathways listing and these pathways' details, on the site of ``page``."""
        parts = page.get_url_parts()
        if parts is not None:
            api = parts[1].rstrip("/") + API_PATHWAYS
            self.urls.add(api)
            self.urls.update(f"{api}{pathway_id}/" for pathway_id in pathway_ids)

    def add_index(self, index):
        """A badge index: its listing (every variant), feed, issuer directory and issuers, and
        its pathway pages (which list badges of the whole site)."""
        base = index.get_full_url(request=None)
        if base is None:
            return
        self.urls.update(self.page_urls(index))
        self.urls.add(base + links.ISSUERS_ROUTE)
        for issuer in IssuerDirectory(index).all():
            self.urls.add(f"{base}{links.ISSUERS_ROUTE}{issuer.slug}/")
            self.urls.add(f"{base}{links.ISSUERS_ROUTE}{issuer.slug}.json")
        self.add_pathway_pages(index, published_slugs(index))

    def add_pathway_pages(self, index, slugs):
        """The index's pathways directory and the pages of these pathways below it."""
        base = index.get_full_url(request=None)
        if base is None:
            return
        self.urls.add(base + links.PATHWAYS_ROUTE)
        self.urls.update(f"{base}{links.PATHWAYS_ROUTE}{slug}/" for slug in slugs)

    def add_site_wide(self, page):
        """What every site shows of its pages: the home page, the sitemap and the API."""
        parts = page.get_url_parts()
        if parts is None:
            return
        root = parts[1].rstrip("/")
        self.urls.update({root + "/", root + "/sitemap.xml", root + API_PAGES, root + API_PATHWAYS})
        self.urls.add(f"{root}{API_PAGES}{page.pk}/")

    def add_referencing_pages(self, obj):
        """Live pages whose content refers to ``obj`` (a badge card or list, an image)."""
        page_type = ContentType.objects.get_for_model(Page)
        references = ReferenceIndex.get_references_to(obj).filter(base_content_type=page_type)
        # The index keeps every object's id as text.
        ids = {int(pk) for pk in references.values_list("object_id", flat=True) if pk.isdigit()}
        pages = Page.objects.live().filter(pk__in=ids)
        for page in pages.specific(defer=True):
            self.urls.update(self.page_urls(page))

    def add_everything(self, pages):
        """Every page of ``pages`` (live pages of a subtree or a site) and the listings that
        show them: for a change that every one of them shows (a Site record, the navigation, a
        view restriction over a whole tree)."""
        pages = pages.live()
        for page in pages.specific(defer=True):
            self.urls.update(self.page_urls(page))
            self.add_site_wide(page)
        for index in BadgeIndexPage.objects.live().filter(pk__in=pages.values("pk")):
            self.add_index(index)


def purge_configured():
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def queue_purge(plan, reason):
    """Purge ``plan`` once the current transaction has committed (at once outside one): sent
    earlier, a request in between could store the old content again."""
    if not plan or not purge_configured():
        return
    urls = sorted(plan.urls)
    transaction.on_commit(lambda: enqueue_purge(urls, reason))


@task()
def purge_frontend_cache(urls, reason):
    """The purge of one change, after its commit; failures are retried, then recorded."""
    return {"not purged": purge_now(urls, reason)}


def enqueue_purge(urls, reason):
    try:
        purge_frontend_cache.enqueue(urls, reason)
    except Exception:  # the change is committed; a purge that cannot be queued must not undo it
        logger.exception("Could not queue the purge of %d addresses (%s)", len(urls), reason)
        FrontendCachePurge.objects.create(
            reason=reason[:200],
            url_count=len(urls),
            status=FrontendCachePurge.Status.FAILED,
            message="The purge could not be queued.",
            finished_at=timezone.now(),
        )


def purge_now(urls, reason, sleep=time.sleep):
    """Send the purges to every configured backend, retrying failures; record the outcome.
    Returns what could not be purged, in words (empty when everything was)."""
    record = FrontendCachePurge.objects.create(reason=reason[:200], url_count=len(urls))
    failed = {}
    for name, backend in get_backends().items():
        pending = list(urls)
        for attempt, delay in enumerate((0, *RETRY_DELAYS)):
            if delay:
                sleep(delay)
            errors = {}
            for url in pending:
                try:
                    backend.purge(url)
                except Exception as error:  # each backend has errors of its own
                    errors[url] = str(error)
            record.attempts = attempt + 1
            pending = list(errors)
            if not pending:
                break
        for url in pending:
            failed[url] = f"{name}: {errors[url]}"
    record.finished_at = timezone.now()
    if failed:
        first = next(iter(failed.values()))
        record.status = FrontendCachePurge.Status.FAILED
        record.message = f"{len(failed)} of {len(urls)} addresses not purged, e.g. {first}"
        logger.error("Front-end cache purge failed (%s): %s", reason, record.message)
    else:
        record.status = FrontendCachePurge.Status.SUCCEEDED
        logger.info("Purged %d addresses from the front-end cache (%s)", len(urls), reason)
    record.save()
    FrontendCachePurge.objects.prune()
    return [record.message] if failed else []
