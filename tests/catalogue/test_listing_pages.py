"""The badge index as a visitor meets it: filters, search, sort, paging and hostile input."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from badges_cms.models import CredlyBadgeTemplate

pytestmark = pytest.mark.django_db


def titles(response):
    return [badge.title for badge in response.context["badges"].object_list]


@pytest.fixture
def catalogue(make_badge, issuers):
    return {
        "analytics": make_badge(
            "Beyond Web Page Analytics",
            skills=["Web analytics", "Assessment"],
            launched=date(2016, 11, 1),
            summary="Measure what visitors do on library websites beyond page views.",
        ),
        "collections": make_badge(
            "Fundamentals of Collection Development",
            issuer=issuers["alcts"],
            skills=["Collection development"],
            launched=date(2017, 2, 1),
            summary="Plan, build and weed a library collection.",
        ),
        "serials": make_badge(
            "RDA Serials Cataloging Update",
            issuer=issuers["alcts"],
            skills=["Cataloging"],
            launched=date(2017, 6, 1),
            summary="Describe continuing resources under RDA.",
            criteria="<p>Catalogue three journals with a periodicity change.</p>",
        ),
    }


def test_lists_every_live_badge_newest_first(client, site_tree, catalogue):
    response = client.get(site_tree["index"].url)
    assert response.status_code == 200
    assert titles(response) == [
        "RDA Serials Cataloging Update",
        "Fundamentals of Collection Development",
        "Beyond Web Page Analytics",
    ]
    assert "3 badges" in response.content.decode()


def test_filter_by_issuer_skill_and_year(client, site_tree, catalogue):
    url = site_tree["index"].url
    assert titles(client.get(url, {"issuer": "lita"})) == ["Beyond Web Page Analytics"]
    assert titles(client.get(url, {"skill": "cataloging"})) == ["RDA Serials Cataloging Update"]
    assert titles(client.get(url, {"year": "2016"})) == ["Beyond Web Page Analytics"]
    assert titles(client.get(url, {"issuer": "alcts", "year": "2017", "sort": "name"})) == [
        "Fundamentals of Collection Development",
        "RDA Serials Cataloging Update",
    ]


def test_filter_form_offers_only_values_in_use(client, site_tree, catalogue, issuers):
    html = client.get(site_tree["index"].url).content.decode()
    assert '<option value="lita"' in html and '<option value="alcts"' in html
    assert '<option value="ala"' not in html  # ALA issues no badge directly
    assert '<option value="2016"' in html and '<option value="2017"' in html
    assert '<option value="web-analytics"' in html


@pytest.mark.search_index
def test_search_matches_title_summary_criteria_skills_and_issuer(client, site_tree, catalogue):
    url = site_tree["index"].url
    assert titles(client.get(url, {"q": "weed"})) == ["Fundamentals of Collection Development"]
    assert titles(client.get(url, {"q": "journals periodicity"})) == [
        "RDA Serials Cataloging Update"
    ]
    assert titles(client.get(url, {"q": "Information Technology"})) == ["Beyond Web Page Analytics"]
    assert titles(client.get(url, {"q": "Assessment"})) == ["Beyond Web Page Analytics"]
    response = client.get(url, {"q": "zebra crossing"})
    assert titles(response) == []
    assert "No badges match “zebra crossing”." in response.content.decode()


@pytest.mark.search_index
def test_search_combines_with_filters(client, site_tree, catalogue):
    url = site_tree["index"].url
    assert titles(client.get(url, {"q": "library", "issuer": "lita"})) == [
        "Beyond Web Page Analytics"
    ]


def test_sort_by_name_and_by_issued_count_with_unsynced_last(client, site_tree, catalogue):
    url = site_tree["index"].url
    assert titles(client.get(url, {"sort": "name"})) == [
        "Beyond Web Page Analytics",
        "Fundamentals of Collection Development",
        "RDA Serials Cataloging Update",
    ]
    # Only two badges have synced figures; the third has none and goes last.
    for page, count in ((catalogue["analytics"], 12), (catalogue["serials"], 40)):
        template = CredlyBadgeTemplate.objects.create(
            id=f"00000000-0000-4000-8000-00000000000{count % 10}",
            name=page.title,
            state="active",
            badges_count=count,
            synced_at="2026-11-01T00:00:00Z",
            last_seen_at="2026-11-01T00:00:00Z",
        )
        page.credly_template_id = template.pk
        page.save_revision().publish()
    response = client.get(url, {"sort": "issued"})
    assert titles(response) == [
        "RDA Serials Cataloging Update",
        "Beyond Web Page Analytics",
        "Fundamentals of Collection Development",
    ]
    html = response.content.decode()
    assert "Issued 40 times" in html
    assert "issued 52 times in all" in html  # the total across the listed badges
    filtered = client.get(url, {"issuer": "lita"}).content.decode()
    assert "issued 12 times in all" in filtered


def test_paging_keeps_filters_and_clamps_bad_page_numbers(client, site_tree, make_badge):
    for number in range(30):
        make_badge(f"Badge {number:02}", launched=date(2017, 1, 1))
    url = site_tree["index"].url
    first = client.get(url, {"sort": "name"})
    assert len(titles(first)) == 24
    assert 'href="?sort=name&amp;page=2"' in first.content.decode()
    second = client.get(url, {"sort": "name", "page": "2"})
    assert titles(second) == [f"Badge {n:02}" for n in range(24, 30)]
    assert titles(client.get(url, {"sort": "name", "page": "99999"})) == titles(second)
    assert titles(client.get(url, {"sort": "name", "page": "abc"})) == titles(first)


@pytest.mark.search_index
@pytest.mark.parametrize(
    "params",
    [
        {"issuer": "no-such-issuer"},
        {"skill": "no-such-skill"},
        {"year": "1850"},
        {"year": "last"},
        {"page": "abc"},
        {"page": "99999"},
        {"page": "-1"},
        {"sort": "drop"},
        {"sort": "issued; DROP TABLE wagtailcore_page"},
        {"q": "x" * 2000},
        {"q": '"unbalanced AND ( OR *'},
        {"q": "<script>alert(1)</script>"},
        {"colour": "blue"},
    ],
)
def test_bad_input_answers_a_sensible_page(client, site_tree, catalogue, params):
    response = client.get(site_tree["index"].url, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'name="q"' in html  # the filter form is still there


def test_unknown_filter_gives_friendly_empty_result(client, site_tree, catalogue):
    response = client.get(site_tree["index"].url, {"issuer": "nobody"})
    assert titles(response) == []
    assert "No badges match these filters" in response.content.decode()


@pytest.mark.search_index
def test_long_query_is_cut_not_refused(client, site_tree, catalogue):
    response = client.get(site_tree["index"].url, {"q": "analytics " + "y" * 2000})
    assert response.context["filters"].q == ("analytics " + "y" * 2000)[:200]


@pytest.mark.search_index
def test_drafts_unpublished_and_private_badges_never_listed(
    client, site_tree, catalogue, make_badge
):
    make_badge("Secret Draft Badge", publish=False, summary="Never shown draft")
    withdrawn = make_badge("Withdrawn Badge", summary="Never shown withdrawn")
    withdrawn.unpublish()
    private = make_badge("Members Only Badge", summary="Never shown private")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    group_only = make_badge("Staff Only Badge", summary="Never shown staff")
    restriction = PageViewRestriction.objects.create(page=group_only, restriction_type="groups")
    restriction.groups.add(Group.objects.create(name="Staff"))

    url = site_tree["index"].url
    for params in ({}, {"q": "Never shown"}, {"q": "Badge"}, {"sort": "name"}):
        response = client.get(url, params)
        html = response.content.decode()
        for hidden in ("Secret Draft", "Withdrawn", "Members Only", "Staff Only"):
            assert hidden not in html, (params, hidden)
    assert len(titles(client.get(url))) == 3


def test_badges_in_another_index_are_not_listed(client, site_tree, make_badge):
    from badges_cms.models import BadgeIndexPage

    other = site_tree["home"].add_child(instance=BadgeIndexPage(title="Archive", slug="archive"))
    make_badge("Here")
    make_badge("Elsewhere", parent=other)
    assert titles(client.get(site_tree["index"].url)) == ["Here"]
    assert titles(client.get(other.url)) == ["Elsewhere"]
