"""The frame every page shares: a <title> that names the site once, and breadcrumbs from Home
that agree with the BreadcrumbList crawlers read (none of one item on the home page)."""

import extruct
import pytest
from bs4 import BeautifulSoup
from wagtail.models import Page, Site

from badges_cms.models import BadgeIndexPage
from badges_cms.sharing.meta import document_title
from home.models import HomePage

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


def get_soup(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def json_ld(soup):
    blocks = extruct.extract(str(soup), base_url=BASE, syntaxes=["json-ld"], uniform=True)
    return blocks["json-ld"]


def visible_trail(soup):
    nav = soup.select_one("nav.breadcrumbs")
    if nav is None:
        return None
    return [(item.get_text(strip=True), (item.find("a") or {}).get("href")) for item in nav("li")]


def json_ld_trail(soup):
    lists = [block for block in json_ld(soup) if block["@type"] == "BreadcrumbList"]
    assert len(lists) <= 1
    if not lists:
        return None
    return [(item["name"], item["item"]) for item in lists[0]["itemListElement"]]


@pytest.fixture
def pages(site_tree, make_badge):
    index = site_tree["index"].url
    badge = make_badge("Beyond Web Page Analytics")
    return {
        "index": (index, ["Home", "Digital badges"]),
        "badge": (badge.url, ["Home", "Digital badges", "Beyond Web Page Analytics"]),
        "issuers": (index + "issuers/", ["Home", "Digital badges", "Badge issuers"]),
        "issuer": (
            index + "issuers/lita/",
            [
                "Home",
                "Digital badges",
                "Badge issuers",
                "Library and Information Technology Association",
            ],
        ),
    }


@pytest.mark.parametrize("name", ["index", "badge", "issuers", "issuer"])
def test_breadcrumbs_begin_at_home_and_agree_with_the_breadcrumb_list(client, pages, name):
    url, names = pages[name]
    soup = get_soup(client, url)
    shown = visible_trail(soup)
    assert [step for step, _ in shown] == names
    assert shown[0][1] == BASE + "/"
    # The last step is this page, marked as the current one.
    current = soup.select("nav.breadcrumbs [aria-current=page]")
    assert [element.get_text(strip=True) for element in current] == [names[-1]]
    assert json_ld_trail(soup) == [(step, href) for step, href in shown]
    assert shown[-1][1] == BASE + url


def test_the_home_page_has_no_breadcrumbs_but_names_the_site(client, pages):
    soup = get_soup(client, "/")
    assert visible_trail(soup) is None
    assert json_ld_trail(soup) is None
    (website,) = [block for block in json_ld(soup) if block["@type"] == "WebSite"]
    assert website["name"] == "ALA Digital Badges" and website["url"] == BASE + "/"


def test_breadcrumbs_leave_out_pages_above_a_sites_root(client, site_tree, make_badge):
    """A site rooted below the top of the tree starts its trail at its own root page."""
    outer = site_tree["home"].add_child(instance=HomePage(title="Another site", slug="another"))
    index = outer.add_child(instance=BadgeIndexPage(title="Their badges", slug="their-badges"))
    index.save_revision().publish()
    Site.objects.create(hostname="other.example.org", port=80, root_page=outer)
    soup = get_soup(client, "/their-badges/", HTTP_HOST="other.example.org")
    shown = visible_trail(soup)
    assert [step for step, _ in shown] == ["Home", "Their badges"]
    assert shown[0][1] == "http://other.example.org/"


def test_a_home_page_named_after_the_site_has_it_once_in_its_title(client, site_tree):
    assert site_tree["home"].title == "ALA Digital Badges"
    assert get_soup(client, "/").title.get_text() == "ALA Digital Badges"


def test_other_pages_add_the_site_name_to_their_title(client, site_tree, make_badge):
    badge = make_badge("Beyond Web Page Analytics")
    index_url = site_tree["index"].url
    titles = {
        url: get_soup(client, url).title.get_text()
        for url in (index_url, badge.url, index_url + "issuers/", index_url + "issuers/lita/")
    }
    assert titles == {
        index_url: "Digital badges · ALA Digital Badges",
        badge.url: "Beyond Web Page Analytics · ALA Digital Badges",
        index_url + "issuers/": "Badge issuers · ALA Digital Badges",
        index_url + "issuers/lita/": "Library and Information Technology Association · ALA "
        "Digital Badges",
    }


def test_the_title_follows_the_sites_own_name(client, site_tree):
    site = site_tree["site"]
    site.site_name = "Badges at ALA"
    site.save()
    assert get_soup(client, "/").title.get_text() == "ALA Digital Badges · Badges at ALA"
    home = Page.objects.get(pk=site_tree["home"].pk).specific
    home.seo_title = "Badges at ALA"
    home.save_revision().publish()
    assert get_soup(client, "/").title.get_text() == "Badges at ALA"


@pytest.mark.parametrize(
    ("title", "name", "expected"),
    [
        ("ALA Digital Badges", "ALA Digital Badges", "ALA Digital Badges"),
        ("ala digital badges", "ALA Digital Badges", "ala digital badges"),
        ("Badges · ALA Digital Badges", "ALA Digital Badges", "Badges · ALA Digital Badges"),
        ("Digital badges", "ALA Digital Badges", "Digital badges · ALA Digital Badges"),
        ("", "ALA Digital Badges", "ALA Digital Badges"),
        ("Digital badges", "", "Digital badges"),
    ],
)
def test_document_title(title, name, expected):
    assert document_title(title, name) == expected


def test_a_title_with_markup_is_escaped_once(client, make_badge):
    badge = make_badge('Tom & Jerry\'s "<b>" badge')
    soup = get_soup(client, badge.url)
    assert soup.title.get_text() == 'Tom & Jerry\'s "<b>" badge · ALA Digital Badges'
    assert "&amp;amp;" not in client.get(badge.url).content.decode()
