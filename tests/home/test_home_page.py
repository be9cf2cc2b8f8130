"""The home page a first visitor meets: each badge's card once, however the newest badges and
the body's badge cards and lists overlap, and a place for every partner programme, linking to
its issuer page with its count of badges."""

from collections import Counter
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from badges_cms.models import BadgeIssuer
from home import demo_content as demo
from home.models import HomePage

pytestmark = pytest.mark.django_db


def card_titles(soup):
    return Counter(title.get_text(strip=True) for title in soup.select(".badge-card__title"))


def home_soup(client):
    response = client.get("/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def overlapping_home(site_tree, issuers, make_badge):
    """Five badges; the newest four on top, then a list of ALCTS's three and a card of one of
    the newest: everything the body shows is among the newest but one."""
    badges = [make_badge("LITA badge")] + [
        make_badge(f"ALCTS badge {number}", issuer=issuers["alcts"]) for number in range(4)
    ]
    home = HomePage.objects.get(pk=site_tree["home"].pk)
    home.body = [
        {"type": "badge_card", "value": {"badge": badges[-1].pk}},
        {
            "type": "badge_list",
            "value": {
                "heading": "From ALCTS",
                "issuer": issuers["alcts"].pk,
                "skill": "",
                "order": "newest",
                "limit": 3,
            },
        },
        {
            "type": "badge_list",
            "value": {
                "heading": "Every badge",
                "issuer": None,
                "skill": "",
                "order": "newest",
                "limit": 6,
            },
        },
    ]
    home.save_revision().publish()
    return badges


def test_no_badge_card_appears_twice_on_the_home_page(client, overlapping_home):
    soup = home_soup(client)
    counts = card_titles(soup)
    assert set(counts) == {badge.title for badge in overlapping_home}
    assert set(counts.values()) == {1}, counts
    # The newest four are on top; the lists show what is left ("From ALCTS" has nothing left
    # and is not shown at all); the card of a newest badge is left out.
    assert "From ALCTS" not in soup.get_text()
    every = soup.find("h2", string="Every badge").find_parent("section")
    assert card_titles(every) == {"LITA badge": 1}


def test_the_home_page_gives_each_partner_programme_its_place(
    client, site_tree, issuers, make_badge
):
    make_badge("Beyond Web Page Analytics")
    BadgeIssuer.objects.create(
        name="Spectrum Scholarship Program",
        slug="spectrum",
        kind="programme",
        parent=issuers["ala"],
    )
    section = home_soup(client).find("section", class_="home-issuers")
    index_url = site_tree["index"].url
    shown = {
        summary.select_one(".issuer-summary__name a")["href"]: summary.select_one(
            ".issuer-summary__count"
        ).get_text(strip=True)
        for summary in section.select(".issuer-summary")
    }
    # The association's units, not the association above them.
    assert shown == {
        index_url + "issuers/alcts/": "No badges yet",
        index_url + "issuers/lita/": "1 badge",
        index_url + "issuers/spectrum/": "No badges yet",
    }
    assert section.find("a", href=index_url + "issuers/")


def test_the_demo_home_page_names_every_partner_of_the_pilot(client):
    call_command("load_demo_badges", stdout=StringIO())
    soup = home_soup(client)
    section = soup.find("section", class_="home-issuers")
    links = {a["href"] for a in section.select(".issuer-summary__name a")}
    for slug in ["alcts", "lita", "pla", "ppo", "emerging-leaders", "spectrum"]:
        assert f"/{demo.INDEX_SLUG}/issuers/{slug}/" in links, slug
    for spec in demo.BADGES:
        assert card_titles(soup)[spec.title] == 1, spec.title
