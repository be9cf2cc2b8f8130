"""The Wagtail API (v2) at /api/v2/: badge pages with their data, and nothing unpublished."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from badges_cms.models import CredlyBadgeTemplate
from tests.factories import make_image

pytestmark = pytest.mark.django_db

BADGES = "/api/v2/pages/?type=badges_cms.BadgePage"
TEMPLATE_ID = "90ea8865-ec5d-44cd-b8d3-aacd4ef9502c"


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def titles(data):
    return sorted(item["title"] for item in data["items"])


@pytest.fixture
def hidden_badges(make_badge):
    draft = make_badge("Draft badge", publish=False)
    withdrawn = make_badge("Withdrawn badge")
    withdrawn.unpublish()
    private = make_badge("Private badge")
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.create(name="Staff")])
    return {"draft": draft, "withdrawn": withdrawn, "private": private}


def test_type_filter_lists_only_badge_pages(client, site_tree, make_badge):
    make_badge("Beyond Web Page Analytics")
    make_badge("Fundamentals of Collection Development")
    assert titles(get(client, BADGES)) == [
        "Beyond Web Page Analytics",
        "Fundamentals of Collection Development",
    ]
    assert titles(get(client, "/api/v2/pages/?type=badges_cms.BadgeIndexPage")) == [
        "Digital badges"
    ]
    everything = get(client, "/api/v2/pages/")
    types = {item["meta"]["type"] for item in everything["items"]}
    assert types == {"home.HomePage", "badges_cms.BadgeIndexPage", "badges_cms.BadgePage"}
    assert client.get("/api/v2/pages/?type=badges_cms.NoSuchPage").status_code == 400


@pytest.mark.search_index
def test_drafts_unpublished_and_private_badges_never_appear(
    client, site_tree, make_badge, hidden_badges, admin_client
):
    make_badge("Public badge")
    assert titles(get(client, BADGES)) == ["Public badge"]
    assert titles(get(client, BADGES + "&search=badge")) == ["Public badge"]
    for page in hidden_badges.values():
        assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 404
        assert client.get(f"/api/v2/pages/find/?html_path={page.url or ''}").status_code == 404
    # Not even to a signed-in superuser, whom Wagtail's own endpoint would show the private one.
    assert titles(get(admin_client, BADGES)) == ["Public badge"]


def test_badge_pages_carry_issuer_skills_criteria_html_images_and_issued_count(
    client, site_tree, make_badge
):
    CredlyBadgeTemplate.objects.create(
        id=TEMPLATE_ID,
        name="Analytics",
        state="active",
        badges_count=42,
        synced_at="2026-11-01T00:00:00Z",
        last_seen_at="2026-11-01T00:00:00Z",
    )
    badge = make_badge(
        "Beyond Web Page Analytics",
        skills=["Web analytics", "Assessment"],
        credly_template_id=TEMPLATE_ID,
        criteria=(
            f'<p>Read <a linktype="page" id="{site_tree["index"].pk}">the catalogue</a> '
            "<b>first</b>.</p>"
        ),
    )
    (item,) = get(client, BADGES + "&fields=*")["items"]
    assert item["id"] == badge.pk
    assert item["issued_count"] == 42
    assert item["issuer"] == {
        "id": badge.issuer.pk,
        "name": "Library and Information Technology Association",
        "acronym": "LITA",
        "slug": "lita",
        "kind": "division",
        "website": "",
    }
    assert sorted(item["skills"]) == ["Assessment", "Web analytics"]
    # Front-end HTML: the internal link is resolved, no Wagtail placeholders.
    assert item["criteria"] == (
        f'<p>Read <a href="{site_tree["index"].url}">the catalogue</a> <b>first</b>.</p>'
    )
    assert 'linktype="page"' not in item["criteria"]
    assert item["badge_image_alt"] == "Beyond Web Page Analytics badge"
    assert item["badge_image"]["id"] == badge.badge_image_id
    assert (item["badge_image_thumbnail"]["width"], item["badge_image_thumbnail"]["height"]) == (
        160,
        160,
    )
    assert (item["share_image"]["width"], item["share_image"]["height"]) == (1200, 630)
    assert item["badge_image_png"]["url"].endswith(".png")
    for rendition in ("badge_image_thumbnail", "badge_image_png", "share_image"):
        assert urlsplit(item[rendition]["full_url"]).scheme in ("http", "https")
    page_url = "http://testserver" + badge.url
    assert item["open_badges"] == {
        "badgeclass": page_url + "badgeclass.json",
        "achievement": page_url + "achievement.json",
        "issuer": f"http://testserver{site_tree['index'].url}issuers/lita.json",
    }
    # The detail view answers the same fields.
    detail = get(client, f"/api/v2/pages/{badge.pk}/")
    assert detail["issued_count"] == 42 and detail["criteria"] == item["criteria"]


def test_issued_count_is_null_before_any_sync(client, make_badge):
    make_badge()
    (item,) = get(client, BADGES + "&fields=issued_count")["items"]
    assert item["issued_count"] is None


def test_badge_listing_costs_the_same_queries_for_3_and_20_badges(client, make_badge, issuers):
    def count():
        client.get(BADGES + "&fields=*&limit=20")  # renditions are made on the first call
        with CaptureQueriesContext(connection) as queries:
            response = client.get(BADGES + "&fields=*&limit=20")
        assert response.status_code == 200
        return len(queries), len(response.json()["items"])

    for number in range(3):
        make_badge(f"Badge {number}", skills=["One", "Two"], partner_issuers=[issuers["ala"]])
    queries_3, listed = count()
    assert listed == 3
    for number in range(3, 25):
        make_badge(f"Badge {number}", skills=["One", "Two"], partner_issuers=[issuers["ala"]])
    queries_20, listed = count()
    assert listed == 20  # a full page of the 25
    assert queries_20 == queries_3


def test_images_endpoint_lists_only_images_public_pages_show(
    client, make_badge, hidden_badges, badge_image
):
    secret_art = make_image("Unreleased badge art")
    make_badge("Public badge")
    make_badge("Secret badge", publish=False, badge_image=secret_art)
    listed = {item["title"] for item in get(client, "/api/v2/images/")["items"]}
    assert listed == {badge_image.title}
    assert client.get(f"/api/v2/images/{secret_art.pk}/").status_code == 404
