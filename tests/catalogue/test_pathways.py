"""Pathways in the catalogue: a badge page's place in each pathway and the next badge, the
pathways directory and a pathway's page below the index, the index's ?pathway= filter; only
published pathways and badges anyone may see, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.pages import soup_of

pytestmark = pytest.mark.django_db


def places(soup):
    section = soup.select_one("section.badge-pathways")
    return [] if section is None else [li.get_text(" ", strip=True) for li in section.select("li")]


def test_a_badge_page_says_its_place_and_the_next_badge(client, pathways):
    (place,) = places(soup_of(client.get(pathways["acquisitions"].url)))
    # The draft and the private badge are not counted: three badges, not five.
    assert "ALCTS Fundamentals : badge 1 of 3." in place
    assert "Next: Fundamentals of Cataloging" in place

    soup = soup_of(client.get(pathways["cataloging"].url))
    # Two published pathways, by title; not the draft one.
    assert soup.select_one("#pathways-heading").get_text(strip=True) == "Part of 2 pathways"
    fundamentals, basics = places(soup)
    assert "badge 2 of 3" in fundamentals
    assert "Basics of cataloging : badge 1 of 1." in basics
    assert "Secret" not in soup.get_text()
    link = soup.select_one("section.badge-pathways li a")
    assert link["href"] == f"{pathways['index_url']}pathways/alcts-fundamentals/"
    next_link = soup.select("section.badge-pathways li a")[1]
    assert next_link["href"] == pathways["preservation"].url

    (place,) = places(soup_of(client.get(pathways["preservation"].url)))
    assert "badge 3 of 3 (an elective)." in place
    assert "The last badge of this pathway." in place


def test_a_badge_in_no_published_pathway_says_nothing_of_pathways(client, pathways):
    assert places(soup_of(client.get(pathways["outside"].url))) == []  # only in a draft one
    pathways["fundamentals"].unpublish()
    pathways["basics"].unpublish()
    assert places(soup_of(client.get(pathways["cataloging"].url))) == []


def test_the_pathway_page_lists_its_visible_badges_in_order(client, pathways):
    url = f"{pathways['index_url']}pathways/alcts-fundamentals/"
    soup = soup_of(client.get(url))
    assert soup.h1.get_text(strip=True) == "ALCTS Fundamentals"
    steps = soup.select(".pathway-step")
    assert [step.select_one(".badge-card__title").get_text(strip=True) for step in steps] == [
        "Fundamentals of Acquisitions",
        "Fundamentals of Cataloging",
        "Fundamentals of Preservation",
    ]
    assert [step.select_one(".pathway-step__place").get_text(strip=True) for step in steps] == [
        "Step 1 of 3 · Required",
        "Step 2 of 3 · Required",
        "Step 3 of 3 · Elective",
    ]
    assert "2 required, 1 elective" in soup.select_one(".badge__facts").get_text()
    assert "Unreleased" not in soup.get_text() and "Staff Matters" not in soup.get_text()
    crumbs = [a.get_text(strip=True) for a in soup.select(".breadcrumbs a")]
    assert crumbs == ["Home", "Digital badges", "Pathways", "ALCTS Fundamentals"]
    assert soup.title.get_text().startswith("ALCTS Fundamentals")


def test_a_pathway_whose_badges_are_all_drafts_says_so(client, pathways, make_pathway):
    make_pathway("Coming soon", [pathways["draft"]], slug="coming-soon")
    soup = soup_of(client.get(f"{pathways['index_url']}pathways/coming-soon/"))
    assert "The badges of this pathway have not been published yet." in soup.get_text()
    assert soup.select(".pathway-step") == [] and "Unreleased" not in soup.get_text()
    directory = soup_of(client.get(f"{pathways['index_url']}pathways/"))
    assert "No badges published yet" in directory.get_text()


def test_a_pathway_that_is_not_published_is_not_found(client, pathways):
    index_url = pathways["index_url"]
    assert client.get(f"{index_url}pathways/secret/").status_code == 404
    assert client.get(f"{index_url}pathways/no-such-pathway/").status_code == 404
    pathways["fundamentals"].unpublish()
    assert client.get(f"{index_url}pathways/alcts-fundamentals/").status_code == 404


def test_the_directory_lists_published_pathways_with_their_visible_counts(client, pathways):
    soup = soup_of(client.get(f"{pathways['index_url']}pathways/"))
    summaries = {
        summary.select_one("h2").get_text(strip=True): summary.select_one(
            ".pathway-summary__count"
        ).get_text(strip=True)
        for summary in soup.select(".pathway-summary")
    }
    assert summaries == {"ALCTS Fundamentals": "3 badges", "Basics of cataloging": "1 badge"}


def test_the_index_filters_by_pathway_and_says_so(client, pathways):
    index_url = pathways["index_url"]
    soup = soup_of(client.get(index_url, {"pathway": "alcts-fundamentals"}))
    titles = {a.get_text(strip=True) for a in soup.select(".badge-card__title a")}
    assert titles == {
        "Fundamentals of Acquisitions",
        "Fundamentals of Cataloging",
        "Fundamentals of Preservation",
    }
    assert (
        soup.select_one(".result-count")
        .get_text(" ", strip=True)
        .startswith("3 badges in the ALCTS Fundamentals pathway")
    )
    options = [o["value"] for o in soup.select("#badge-pathway option")]
    assert options == ["", "alcts-fundamentals", "basics"]  # not the draft pathway
    assert soup.select_one("#badge-pathway option[selected]")["value"] == "alcts-fundamentals"

    # A draft pathway's slug, like an unknown one, lists nothing and says why.
    soup = soup_of(client.get(index_url, {"pathway": "secret"}))
    assert soup.select(".badge-card") == []
    assert "No badges match these filters." in soup.select_one(".result-count").get_text()


def test_without_pathways_the_index_offers_no_pathway_filter(client, site_tree, make_badge):
    make_badge()
    soup = soup_of(client.get(site_tree["index"].url))
    assert soup.select("#badge-pathway") == []
    assert "pathways/" not in str(soup.select_one(".index-issuers"))


def test_the_sitemap_lists_published_pathways(client, pathways):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/badges/pathways/alcts-fundamentals/</loc>" in sitemap
    assert "/badges/pathways/basics/</loc>" in sitemap
    assert "secret" not in sitemap


def queries_for(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_pathway_views_cost_the_same_queries_for_3_and_for_30_badges(
    client, site_tree, issuers, make_badge, make_pathway
):
    badges = [make_badge(f"Step {number:02}", issuer=issuers["alcts"]) for number in range(3)]
    pathway = make_pathway("Long road", badges, slug="long-road")
    index_url = site_tree["index"].url
    urls = [f"{index_url}pathways/", f"{index_url}pathways/long-road/", badges[1].url]
    with_3 = [queries_for(client, url) for url in urls]
    more = [make_badge(f"Step {number:02}", issuer=issuers["alcts"]) for number in range(3, 30)]
    pathway.entries.add(
        *(
            pathway.entries.model(badge=badge, sort_order=number)
            for number, badge in enumerate(more, start=3)
        )
    )
    pathway.save_revision().publish()
    with_30 = [queries_for(client, url) for url in urls]
    assert with_30 == with_3
    # The directory: routing (3), the view restrictions, the pathways with their counts, the
    # site's menu. The pathway's page: the same, then the pathway, its badges as cards (rows,
    # renditions, skills). The badge page's count is pinned in tests/test_query_counts.py.
    assert with_3[:2] == [6, 9]
