"""What the badge index says of its results: a sentence that fits the filters ("4 badges from
ALCTS"), an empty search that repeats what was searched with a way back, and card art large
enough to read."""

from datetime import date

import pytest
from bs4 import BeautifulSoup

from badges_cms import renditions
from badges_cms.catalogue.listing import BadgeListing

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(make_badge, issuers):
    make_badge("Beyond Web Page Analytics", skills=["Web analytics"], launched=date(2016, 11, 1))
    for number, year in enumerate((2016, 2017, 2017, 2017)):
        make_badge(
            f"Cataloging badge {number}",
            issuer=issuers["alcts"],
            skills=["Cataloging"] if number else ["Collection development"],
            launched=date(year, 3, 1),
        )


def result_text(client, index, **params):
    soup = BeautifulSoup(client.get(index.url, params).content, "html.parser")
    return " ".join(soup.select_one(".result-count").get_text(" ", strip=True).split())


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "5 badges"),
        ({"issuer": "alcts"}, "4 badges from ALCTS"),
        ({"skill": "cataloging"}, "3 badges for Cataloging"),
        ({"year": "2016"}, "2 badges first issued in 2016"),
        ({"issuer": "lita"}, "1 badge from LITA"),
        ({"issuer": "alcts", "skill": "cataloging"}, "3 badges from ALCTS for Cataloging"),
        (
            {"issuer": "alcts", "skill": "cataloging", "year": "2017"},
            "3 badges from ALCTS for Cataloging, first issued in 2017",
        ),
        ({"issuer": "alcts", "sort": "name", "page": "1"}, "4 badges from ALCTS"),
    ],
)
def test_the_result_says_what_the_filters_chose(client, site_tree, catalogue, params, expected):
    assert result_text(client, site_tree["index"], **params) == expected


@pytest.mark.search_index
def test_a_search_is_repeated_in_the_result(client, site_tree, catalogue):
    index = site_tree["index"]
    assert result_text(client, index, q="analytics") == "1 badge matching “analytics”"
    assert result_text(client, index, q="cataloging", issuer="alcts") == (
        "4 badges from ALCTS, matching “cataloging”"
    )


@pytest.mark.search_index
def test_an_empty_search_repeats_the_words_and_offers_to_clear_them(client, site_tree, catalogue):
    index = site_tree["index"]
    response = client.get(index.url, {"q": "xyz"})
    soup = BeautifulSoup(response.content, "html.parser")
    empty = soup.select_one(".empty-result")
    assert empty["role"] == "status"
    assert empty.select_one(".result-count").get_text(strip=True) == "No badges match “xyz”."
    clear = empty.find("a", string="Clear the search")
    assert clear["href"] == index.url


@pytest.mark.search_index
def test_an_empty_search_with_filters_keeps_them_when_clearing_the_words(
    client, site_tree, catalogue
):
    index = site_tree["index"]
    soup = BeautifulSoup(
        client.get(index.url, {"q": "xyz", "issuer": "alcts", "year": "2017"}).content,
        "html.parser",
    )
    empty = soup.select_one(".empty-result")
    assert empty.select_one(".result-count").get_text(strip=True) == (
        "No badges from ALCTS, first issued in 2017, match “xyz”."
    )
    assert empty.find("a", string="Clear the search")["href"] == (
        index.url + "?issuer=alcts&year=2017"
    )
    assert empty.find("a", string="See every badge")["href"] == index.url


@pytest.mark.search_index
def test_the_search_words_are_escaped_in_the_result(client, site_tree, catalogue):
    html = client.get(site_tree["index"].url, {"q": "<b>xyz</b>"}).content.decode()
    assert "<b>xyz</b>" not in html
    assert "No badges match “&lt;b&gt;xyz&lt;/b&gt;”." in html


def test_filters_without_a_match_and_an_empty_index_say_so(client, site_tree, catalogue, issuers):
    index = site_tree["index"]
    assert result_text(client, index, issuer="lita", year="2017") == (
        "No badges from LITA, first issued in 2017."
    )
    assert result_text(client, index, issuer="nobody") == "No badges match these filters."


def test_an_index_without_badges_says_none_are_published(client, site_tree):
    assert result_text(client, site_tree["index"]) == "No badges have been published here yet."


def test_the_wording_follows_the_count(site_tree, catalogue):
    index = site_tree["index"]
    assert BadgeListing(index, {"issuer": "lita"}).summary == "1 badge from LITA"
    assert BadgeListing(index, {"issuer": "alcts"}).summary == "4 badges from ALCTS"


def test_cards_show_badge_art_from_a_rendition_twice_the_size_shown(client, site_tree, catalogue):
    """Large enough to read: 160 CSS px (badges.css) from a 320 px rendition, sharp on
    high-density screens; the listing's prefetch asks for the same filter spec."""
    assert renditions.CARD == "fill-320x320"
    soup = BeautifulSoup(client.get(site_tree["index"].url).content, "html.parser")
    image = soup.select_one("img.badge-card__image")
    assert (image["width"], image["height"]) == ("320", "320")
    assert image["alt"]
