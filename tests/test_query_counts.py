"""Pages cost a fixed number of queries however many badges exist: no query per card."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from badges_cms.models import BadgePage, CredlyBadgeTemplate

pytestmark = pytest.mark.django_db

# Each index view with the exact number of queries it takes, pinned so that a regression (a
# query per card, a lost prefetch) shows up as a number that moved.
# Every page also reads its ancestors once for the breadcrumb JSON-LD (badges_cms/seo.py); a
# badge page reads its skills a second time for its schema.org credential.
INDEX_VIEWS = [
    ({}, 19),
    ({"sort": "issued"}, 19),
    ({"issuer": "lita", "sort": "name"}, 19),
    ({"skill": "shared", "page": "2"}, 19),
    ({"q": "badge", "year": "2017"}, 20),  # the full-text search is one more
]
# A badge page also looks up the site's feedback page once, for its feedback link.
BADGE_PAGE_QUERIES = 19
HOME_PAGE_QUERIES = 14


def add_badges(index, issuer, image, count, start=0):
    """Cheaper than the make_badge fixture: no revisions, which a listing never reads."""
    for number in range(start, start + count):
        page = index.add_child(
            instance=BadgePage(
                title=f"Badge {number:04}",
                summary="A badge",
                criteria="<p>Do the thing.</p>",
                issuer=issuer,
                badge_image=image,
                badge_image_alt="A badge",
                launched=date(2017, 1 + number % 12, 1),
                credly_template_id=f"00000000-0000-4000-8000-{number:012}",
            )
        )
        page.skills.add(f"skill-{number % 7}", "shared")
        page.save()
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
    assert counts["badge"] == BADGE_PAGE_QUERIES
    counts["home"], response = count_queries(client, "/")
    assert len(response.context["newest_badges"]) == 4
    assert counts["home"] == HOME_PAGE_QUERIES
    return counts


def test_queries_are_the_same_with_5_and_with_500_badges(client, site_tree, issuers, badge_image):
    add_badges(site_tree["index"], issuers["lita"], badge_image, 5)
    # With five badges, "page 2" is clamped to the last page: still a full listing query.
    with_5 = measure(client, site_tree)
    add_badges(site_tree["index"], issuers["lita"], badge_image, 495, start=5)
    with_500 = measure(client, site_tree)
    assert with_500 == with_5
