"""Pages cost a fixed number of queries however many badges exist: no query per card, and none
for what Wagtail or a cache could have handed over."""

from contextlib import ExitStack
from datetime import date
from unittest.mock import patch

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model

from badges_cms.models import BadgePage, CredlyBadgeTemplate, PathwayBadge
from benchmarks.content import add_live_badges
from tests.factories import build_pathway

pytestmark = pytest.mark.django_db

# Each view with the exact number of queries it takes, pinned so that a regression (a query per
# card, a lost prefetch) shows up as a number that moved. Of each, Wagtail's serving takes the
# first: the site with its root page, the root's specific row, then one a level below it (the
# index with its specific row and step guide, BadgeIndexChildRouting; a badge with everything its
# page shows, ChildBadgeRouting), and one to check view restrictions (OneQueryViewRestrictions).
# The index: 3 + 1, then the count, the page of cards (with the total issued), their renditions
# and their skills, the filters' choices (pathways among them) and the site's menu.
INDEX_VIEWS = [
    ({}, 10),
    ({"sort": "issued"}, 10),
    ({"issuer": "lita", "sort": "name"}, 10),
    ({"skill": "shared", "page": "2"}, 10),
    ({"pathway": "fundamentals", "page": "2"}, 10),
    # The full-text search is one more, and Wagtail's .public() for it another.
    ({"q": "badge", "year": "2017"}, 12),
]
# A badge page: the site with its root page, the root's specific row, the index with its
# specific row and step guide (BadgeIndexChildRouting), then the badge with its issuer, image
# and Credly figures in one row (ChildBadgeRouting), its view restrictions in one query
# (OneQueryViewRestrictions); then the image's renditions, its skills, its partners, its places
# in pathways, the site's feedback page for its feedback link, and the site's menu.
BADGE_PAGE_QUERIES = 11
# The home page: 2 + 1, then the newest badges (page rows, renditions, skills), the badge index,
# the issuers with their counts of badges (its "who offers the badges" section) and the site's
# menu.
HOME_PAGE_QUERIES = 9


def add_badges(index, issuer, image, count, start=0):
    """Live badge pages in bulk (benchmarks/content.py): no revisions, which a listing never
    reads, and none of add_child's per-page work, so 1,000 take seconds."""
    add_live_badges(
        index,
        [
            (
                BadgePage(
                    title=f"Badge {number:04}",
                    slug=f"badge-{number:04}",
                    summary="A badge",
                    criteria="<p>Do the thing.</p>",
                    issuer=issuer,
                    badge_image=image,
                    badge_image_alt="A badge",
                    launched=date(2017, 1 + number % 12, 1),
                    credly_template_id=f"00000000-0000-4000-8000-{number:012}",
                ),
                [f"skill-{number % 7}", "shared"],
            )
            for number in range(start, start + count)
        ],
    )
    CredlyBadgeTemplate.objects.bulk_create(
        CredlyBadgeTemplate(
            id=f"00000000-0000-4000-8000-{number:012}",
            name=f"Badge {number:04}",
            state="active",
            badges_count=number,
            synced_at="2026-11-01T00:00:00Z",
            last_seen_at="2026-11-01T00:00:00Z",
        )
        for number in range(start, start + count)
    )


def count_queries(client, url, params=None):
    client.get(url, params)  # fill per-process caches (the site root) before counting
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response


def measure(client, site_tree):
    index = site_tree["index"]
    badge = BadgePage.objects.get(title="Badge 0003")
    counts = {}
    for params, expected in INDEX_VIEWS:
        counts[str(params)], response = count_queries(client, index.url, params)
        assert response.context["badges"].object_list, params
        assert counts[str(params)] == expected, params
    counts["badge"], response = count_queries(client, badge.url)
    assert "Issued 3 times" in response.content.decode()
    assert "Next: <a" in response.content.decode()  # its place in the pathway, and the next badge
    assert counts["badge"] == BADGE_PAGE_QUERIES
    counts["home"], response = count_queries(client, "/")
    assert len(response.context["newest_badges"]) == 4
    assert counts["home"] == HOME_PAGE_QUERIES
    return counts


@pytest.mark.search_index
def test_queries_are_the_same_with_5_and_with_1000_badges(client, site_tree, issuers, badge_image):
    add_badges(site_tree["index"], issuers["lita"], badge_image, 5)
    # Every badge is in a pathway, in order: its badge pages show their place and the next one.
    pathway = build_pathway("Fundamentals", BadgePage.objects.order_by("title"))
    # With five badges, "page 2" is clamped to the last page: still a full listing query.
    with_5 = measure(client, site_tree)
    add_badges(site_tree["index"], issuers["lita"], badge_image, 995, start=5)
    added = BadgePage.objects.order_by("title")[5:]
    PathwayBadge.objects.bulk_create(
        PathwayBadge(pathway=pathway, badge=badge, sort_order=number)
        for number, badge in enumerate(added, start=5)
    )
    with_1000 = measure(client, site_tree)
    assert with_1000 == with_5


class RenditionCacheCalls:
    """Records the rendition cache's reads and writes of renditions (the cache may be the
    default one, which holds other things: the site's root paths)."""

    NAMES = ("get", "get_many", "set", "set_many")

    def __init__(self):
        self.cache = get_image_model().get_rendition_model().cache_backend
        self.calls = []
        self.stack = ExitStack()

    def record(self, name):
        method = getattr(self.cache, name)

        def recorded(key_or_keys, *args, **kwargs):
            # One key, a list of keys or a {key: value} dict.
            keys = [key_or_keys] if isinstance(key_or_keys, str) else list(key_or_keys)
            self.calls.extend((name, key) for key in keys if key.startswith("wagtail-rendition-"))
            return method(key_or_keys, *args, **kwargs)

        return recorded

    def __enter__(self):
        for name in self.NAMES:
            self.stack.enter_context(patch.object(self.cache, name, self.record(name)))
        return self

    def __exit__(self, *exc_info):
        self.stack.close()


def test_cards_take_their_renditions_from_the_prefetch(client, site_tree, issuers, badge_image):
    """Each card's rendition comes with the listing: neither looked up in the cache nor
    written back to it (Wagtail's {% image %} tag writes it on every lookup, prefetched or not;
    the card's {% card_image %} does not)."""
    add_badges(site_tree["index"], issuers["lita"], badge_image, 30)
    client.get(site_tree["index"].url)  # the first render makes the renditions
    with RenditionCacheCalls() as recorded:
        response = client.get(site_tree["index"].url)
    assert response.content.decode().count('class="badge-card__image"') == 24
    assert recorded.calls == []


def test_a_badge_page_takes_its_renditions_from_one_prefetch(
    client, site_tree, issuers, badge_image
):
    """The image on the page, the link preview's and the Open Badges PNG come from one query
    of the image's renditions: no cache lookup, and no write on every render
    (Image.get_rendition writes even a prefetched rendition back to the cache)."""
    add_badges(site_tree["index"], issuers["lita"], badge_image, 3)
    url = BadgePage.objects.get(title="Badge 0001").url
    client.get(url)  # the first render makes the renditions
    with RenditionCacheCalls() as recorded:
        response = client.get(url)
    html = response.content.decode()
    assert 'class="badge__image"' in html
    assert 'property="og:image"' in html
    assert recorded.calls == []
