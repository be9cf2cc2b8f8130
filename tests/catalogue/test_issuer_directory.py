"""The issuers directory (``<index>/issuers/``) and the issuer pages below it: every issuer has a
page, with what it is and what it issues, before its first badge as after; only badges anyone
may see are listed or counted; issuer names on cards and badge pages lead there."""

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from badges_cms.models import BadgeIssuer
from tests.support.pages import restrict_to_staff, soup_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(site_tree, issuers, make_badge):
    """LITA with two badges, one with ALA as a partner; ALCTS with only a draft and a private
    badge; PLA (a unit of ALA) with none at all, but a description and a website."""
    issuers["pla"] = BadgeIssuer.objects.create(
        name="Public Library Association",
        acronym="PLA",
        slug="pla",
        kind="division",
        parent=issuers["ala"],
        website="https://www.example.org/pla/",
        description="The division for public libraries, their staff and trustees.",
    )
    analytics = make_badge("Beyond Web Page Analytics")
    analytics.partner_issuers.add(issuers["ala"])
    analytics.save_revision().publish()
    make_badge("Library Technology Basics")
    make_badge("Cataloguing draft", publish=False, issuer=issuers["alcts"])
    restrict_to_staff(make_badge("Cataloguing for staff", issuer=issuers["alcts"]))
    return {"index": site_tree["index"], **issuers}


def entries(soup):
    """{issuer name: its count, as the directory says it}."""
    return {
        item.select_one(".issuer-summary__name a").get_text(strip=True): item.select_one(
            ".issuer-summary__count"
        ).get_text(strip=True)
        for item in soup.select(".issuer-summary")
    }


def test_the_directory_lists_every_issuer_with_its_count_of_visible_badges(client, catalogue):
    soup = soup_of(client.get(catalogue["index"].url + "issuers/"))
    assert soup.h1.get_text(strip=True) == "Badge issuers"
    assert entries(soup) == {
        "American Library Association": "1 badge in partnership",
        "Association for Library Collections and Technical Services": "No badges yet",
        "Library and Information Technology Association": "2 badges",
        "Public Library Association": "No badges yet",
    }
    links = {a["href"] for a in soup.select(".issuer-summary__name a")}
    assert catalogue["index"].url + "issuers/pla/" in links
    html = str(soup)
    assert "Cataloguing draft" not in html and "Cataloguing for staff" not in html


def test_an_issuer_without_a_badge_has_a_page_that_says_who_it_is(client, catalogue):
    index_url = catalogue["index"].url
    soup = soup_of(client.get(index_url + "issuers/pla/"))
    assert soup.h1.get_text(" ", strip=True) == "Public Library Association (PLA)"
    text = soup.main.get_text(" ", strip=True)
    assert "The division for public libraries, their staff and trustees." in text
    assert "PLA has no badges here yet." in text
    assert soup.find("a", href="https://www.example.org/pla/")
    assert soup.find("a", href=index_url + "issuers/ala/", string="American Library Association")
    assert not soup.select(".badge-card")


def test_an_issuer_known_only_from_drafts_and_private_badges_shows_neither(client, catalogue):
    index_url = catalogue["index"].url
    html = str(soup_of(client.get(index_url + "issuers/alcts/")))
    assert "ALCTS has no badges here yet." in html
    assert "Cataloguing draft" not in html and "Cataloguing for staff" not in html
    assert client.get(index_url + "issuers/alcts.json").status_code == 200
    assert client.get(index_url + "issuers/nobody/").status_code == 404


def test_a_parent_lists_its_units_with_their_counts(client, catalogue):
    soup = soup_of(client.get(catalogue["index"].url + "issuers/ala/"))
    units = soup.find("section", attrs={"aria-labelledby": "units-heading"})
    assert entries(units) == {
        "Association for Library Collections and Technical Services": "No badges yet",
        "Library and Information Technology Association": "2 badges",
        "Public Library Association": "No badges yet",
    }
    partner = soup.find("section", attrs={"aria-labelledby": "partner-heading"})
    assert "Beyond Web Page Analytics" in partner.get_text()


def test_the_directory_is_in_the_sitemap_and_linked_from_the_index_and_the_footer(
    client, catalogue
):
    index_url = catalogue["index"].url
    sitemap = BeautifulSoup(client.get("/sitemap.xml").content, "xml")
    paths = {urlsplit(loc.text).path for loc in sitemap.find_all("loc")}
    assert {index_url + "issuers/", index_url + "issuers/pla/"} <= paths
    catalogue["index"].show_in_menus = True
    catalogue["index"].save_revision().publish()
    for url in (index_url, "/"):
        soup = soup_of(client.get(url))
        assert soup.select_one(f'main a[href="{index_url}issuers/"]') or url == "/"
        assert soup.select_one(f'footer a[href="{index_url}issuers/"]'), url


def test_the_directory_costs_the_same_queries_for_four_issuers_or_twenty(client, catalogue):
    url = catalogue["index"].url + "issuers/"

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    with_four = count()
    for number in range(16):
        BadgeIssuer.objects.create(name=f"Round table {number}", slug=f"round-table-{number}")
    assert count() == with_four


def test_card_and_badge_page_issuers_link_to_the_issuer_page_with_the_website_beside(
    client, catalogue
):
    lita = catalogue["lita"]
    lita.website = "https://www.example.org/lita/"
    lita.save()
    index_url = catalogue["index"].url
    issuer_page = index_url + "issuers/lita/"
    card = soup_of(client.get(index_url)).select_one(".badge-card .badge-card__issuer")
    assert card.find("a", href=issuer_page).get_text(strip=True) == "LITA"
    assert card.find("a", href="https://www.example.org/lita/")

    badge = soup_of(client.get(index_url + "beyond-web-page-analytics/"))
    issued_by = badge.find("dt", string="Issued by").find_next_sibling("dd")
    assert issued_by.find("a", href=issuer_page).get_text(strip=True) == lita.name
    assert issued_by.find("a", href="https://www.example.org/lita/")
    partners = badge.find("dt", string="In partnership with").find_next_sibling("dd")
    assert partners.find("a", href=index_url + "issuers/ala/")
