"""Link previews, schema.org JSON-LD, the sitemap and robots.txt, as crawlers read them."""

from urllib.parse import urlsplit

import extruct
import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from wagtail.models import PageViewRestriction

from badges_cms.sharing.image_operations import CanvasOperation
from tests.factories import make_image

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


def page_html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def head_tags(html):
    """Open Graph (property=) and Twitter (name=) values, plus link rels, from the <head>."""
    head = BeautifulSoup(html, "html.parser").head
    meta = {}
    for tag in head.find_all("meta"):
        key = tag.get("property") or tag.get("name")
        if key:
            meta[key] = tag.get("content")
    alternates = [
        (tag.get("type"), tag.get("href"))
        for tag in head.find_all("link")
        if "alternate" in (tag.get("rel") or [])
    ]
    canonical = head.find("link", rel="canonical")
    return meta, alternates, canonical and canonical.get("href")


def json_ld(html):
    return extruct.extract(html, base_url=BASE, syntaxes=["json-ld"], uniform=True)["json-ld"]


def types_of(blocks):
    return [block["@type"] for block in blocks]


def assert_absolute(url):
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver", url


def open_media(url):
    path = urlsplit(url).path
    assert path.startswith(settings.MEDIA_URL), url
    return default_storage.open(path.removeprefix(settings.MEDIA_URL))


# Link previews


def test_badge_page_has_complete_link_preview_tags(client, make_badge):
    badge = make_badge("Beyond Web Page Analytics", summary="Measure more than page views.")
    meta, alternates, canonical = head_tags(page_html(client, badge.url))
    url = BASE + badge.url
    assert canonical == url
    assert meta["og:title"] == "Beyond Web Page Analytics"
    assert meta["og:description"] == "Measure more than page views."
    assert meta["description"] == "Measure more than page views."
    assert meta["og:url"] == url
    assert meta["og:type"] == "website"
    assert meta["og:site_name"]
    assert meta["og:image:width"] == "1200" and meta["og:image:height"] == "630"
    assert meta["og:image:alt"] == "Beyond Web Page Analytics badge"
    assert meta["og:image:type"] == "image/png"
    assert_absolute(meta["og:image"])
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:title"] == meta["og:title"]
    assert meta["twitter:description"] == meta["og:description"]
    assert meta["twitter:image"] == meta["og:image"]
    assert meta["twitter:image:alt"] == meta["og:image:alt"]
    assert ("application/atom+xml", BASE + badge.get_parent().url + "feed/") in alternates
    assert ("application/ld+json", url + "badgeclass.json") in alternates
    assert ("application/ld+json", url + "achievement.json") in alternates
    for _, href in alternates:
        assert_absolute(href)


def test_preview_image_is_the_whole_badge_centred_on_a_1200x630_background(
    client, make_badge, settings
):
    settings.BADGES_CMS_SHARE_IMAGE_BACKGROUND = "f4f1ea"
    badge = make_badge(badge_image=make_image("Red badge", colour=(200, 30, 30)))
    meta, _, _ = head_tags(page_html(client, badge.url))
    with open_media(meta["og:image"]) as file:
        image = PILImage.open(file)
        image.load()
    assert image.format == "PNG" and image.size == (1200, 630)
    rgb = image.convert("RGB")
    for corner in [(0, 0), (1199, 0), (0, 629), (1199, 629)]:
        assert rgb.getpixel(corner) == (0xF4, 0xF1, 0xEA)
    assert rgb.getpixel((600, 315)) == (200, 30, 30)  # the badge, uncropped, in the middle
    # The square badge is 80% of the height: 504 px, centred.
    assert rgb.getpixel((600 - 251, 315)) == (200, 30, 30)
    assert rgb.getpixel((600 - 253, 315)) == (0xF4, 0xF1, 0xEA)


def test_canvas_operation_keeps_transparency_as_background_and_never_crops():
    source = PILImage.new("RGBA", (1000, 200), (0, 0, 0, 0))
    source.paste((10, 20, 30, 255), (0, 50, 1000, 150))
    from willow.plugins.pillow import PillowImage

    result = CanvasOperation("canvas", "1200x630", "fff").run(PillowImage(source), None, {})
    out = result.get_pillow_image()
    assert out.size == (1200, 630) and out.mode == "RGB"
    # A wide image fills the width less a 63 px margin (10% of the height) on each side.
    assert out.getpixel((63, 315)) == out.getpixel((1136, 315)) == (10, 20, 30)
    assert out.getpixel((62, 315)) == out.getpixel((1137, 315)) == (255, 255, 255)
    assert out.getpixel((600, 230)) == (255, 255, 255)  # transparent parts: background


@pytest.mark.parametrize("spec", ["canvas-0x630", "canvas-9000x630", "canvas-1200x630-zzz"])
def test_canvas_operation_refuses_bad_specs(spec):
    from wagtail.images.exceptions import InvalidFilterSpecError
    from wagtail.images.models import Filter

    with pytest.raises(InvalidFilterSpecError):
        Filter(spec).operations  # noqa: B018 - parsing the spec is the test


def test_svg_badge_falls_back_to_the_site_share_card(client, make_badge):
    from django.core.files.base import ContentFile
    from wagtail.images import get_image_model

    svg = get_image_model().objects.create(
        title="Vector badge",
        file=ContentFile(
            b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
            b'<circle cx="50" cy="50" r="40"/></svg>',
            name="badge.svg",
        ),
    )
    badge = make_badge("Vector badge", badge_image=svg)
    meta, _, _ = head_tags(page_html(client, badge.url))
    assert meta["og:image"] == BASE + "/static/img/share-card.png"
    assert meta["og:image:width"] == "1200" and meta["og:image:alt"]


@pytest.mark.parametrize("which", ["home", "index"])
def test_home_and_index_have_link_previews_with_the_site_card(client, site_tree, make_badge, which):
    make_badge()
    page = site_tree[which]
    meta, alternates, canonical = head_tags(page_html(client, page.url))
    assert canonical == BASE + page.url == meta["og:url"]
    assert meta["og:title"] == page.title
    assert meta["og:image"] == BASE + "/static/img/share-card.png"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["og:image:alt"].startswith("ALA Digital Badges")
    assert meta["twitter:card"] == "summary_large_image"
    assert ("application/atom+xml", BASE + site_tree["index"].url + "feed/") in alternates
    assert client.get("/static/img/share-card.png").status_code == 200


def test_titles_with_markup_and_quotes_are_escaped_in_tags_and_json_ld(client, make_badge):
    title = 'Tom & Jerry\'s "<script>alert(1)</script>" Über-badge'
    badge = make_badge(title, summary="</script><script>alert(2)</script>")
    html = page_html(client, badge.url)
    assert "<script>alert" not in html
    meta, _, _ = head_tags(html)
    assert meta["og:title"] == title
    assert meta["og:description"] == "</script><script>alert(2)</script>"
    credential = next(
        block for block in json_ld(html) if block["@type"] == "EducationalOccupationalCredential"
    )
    assert credential["name"] == title
    assert credential["description"] == "</script><script>alert(2)</script>"


# schema.org JSON-LD


def test_badge_page_json_ld_describes_the_credential(client, make_badge):
    badge = make_badge("Beyond Web Page Analytics", skills=["Web analytics", "Assessment"])
    blocks = json_ld(page_html(client, badge.url))
    assert types_of(blocks) == ["BreadcrumbList", "EducationalOccupationalCredential"]
    crumbs, credential = blocks
    assert [item["name"] for item in crumbs["itemListElement"]] == [
        "Home",
        "Digital badges",
        "Beyond Web Page Analytics",
    ]
    assert [item["position"] for item in crumbs["itemListElement"]] == [1, 2, 3]
    assert crumbs["itemListElement"][-1]["item"] == BASE + badge.url
    assert credential["@context"] == "https://schema.org"
    assert credential["credentialCategory"] == "badge"
    assert credential["url"] == BASE + badge.url
    assert [skill["name"] for skill in credential["competencyRequired"]] == [
        "Assessment",
        "Web analytics",
    ]
    assert all(skill["@type"] == "DefinedTerm" for skill in credential["competencyRequired"])
    assert credential["recognizedBy"]["@type"] == "Organization"
    assert credential["recognizedBy"]["name"] == "Library and Information Technology Association"
    assert_absolute(credential["image"])
    assert credential["dateCreated"] == "2017-03-01"


def test_index_json_ld_lists_the_badges_shown(client, site_tree, make_badge):
    for number in range(3):
        make_badge(f"Badge {number}")
    make_badge("Draft badge", publish=False)
    blocks = json_ld(page_html(client, site_tree["index"].url + "?sort=name"))
    assert types_of(blocks) == ["BreadcrumbList", "ItemList"]
    item_list = blocks[1]
    assert item_list["numberOfItems"] == 3
    assert [item["name"] for item in item_list["itemListElement"]] == [
        "Badge 0",
        "Badge 1",
        "Badge 2",
    ]
    assert [item["position"] for item in item_list["itemListElement"]] == [1, 2, 3]
    for item in item_list["itemListElement"]:
        assert_absolute(item["url"])


def test_index_item_list_positions_continue_on_later_pages(client, site_tree, make_badge, settings):
    settings.BADGES_CMS_PER_PAGE = 2
    for number in range(3):
        make_badge(f"Badge {number}")
    blocks = json_ld(page_html(client, site_tree["index"].url + "?sort=name&page=2"))
    (item,) = blocks[1]["itemListElement"]
    assert (item["position"], item["name"]) == (3, "Badge 2")


def test_every_page_below_home_has_a_breadcrumb_list(client, site_tree, make_badge, issuers):
    badge = make_badge()
    index_url = site_tree["index"].url
    for url in [index_url, badge.url, index_url + "issuers/", index_url + "issuers/lita/"]:
        blocks = json_ld(page_html(client, url))
        assert blocks[0]["@type"] == "BreadcrumbList", url
        assert blocks[0]["itemListElement"][0]["item"] == BASE + "/", url
        assert blocks[0]["itemListElement"][-1]["item"] == BASE + url
    # The home page is the whole trail: a list of one says nothing.
    assert "BreadcrumbList" not in types_of(json_ld(page_html(client, "/")))


def test_issuer_page_shows_its_badges_and_describes_the_organisation(client, make_badge, issuers):
    make_badge("Analytics badge")
    make_badge("Partner badge", issuer=issuers["alcts"])
    draft = make_badge("Unreleased badge", publish=False)
    index_url = draft.get_parent().url
    html = page_html(client, index_url + "issuers/lita/")
    assert "Analytics badge" in html
    assert "Unreleased badge" not in html and "Partner badge" not in html
    meta, _, canonical = head_tags(html)
    assert canonical == BASE + index_url + "issuers/lita/"
    assert meta["og:title"] == "Library and Information Technology Association"
    blocks = json_ld(html)
    assert types_of(blocks) == ["BreadcrumbList", "Organization"]
    assert [item["name"] for item in blocks[0]["itemListElement"]] == [
        "Home",
        "Digital badges",
        "Badge issuers",
        "Library and Information Technology Association",
    ]
    assert blocks[1]["name"] == "Library and Information Technology Association"
    assert blocks[1]["alternateName"] == "LITA"
    assert f'href="{BASE}{index_url}issuers/lita.json"' in html
    # Its parent organisation has a page too, linking back to its divisions.
    parent_html = page_html(client, index_url + "issuers/ala/")
    assert f"{index_url}issuers/lita/" in parent_html


def test_json_ld_blocks_are_data_not_scripts(client, make_badge):
    """Under a CSP without inline scripts, only data blocks and script files may appear."""
    badge = make_badge()
    soup = BeautifulSoup(page_html(client, badge.url), "html.parser")
    for script in soup.find_all("script"):
        assert script.get("type") == "application/ld+json" or script.get("src"), script
    assert not soup.find_all(style=True)
    assert not [tag for tag in soup.find_all(True) if any(a.startswith("on") for a in tag.attrs)]


# Sitemap and robots.txt


def test_sitemap_lists_public_pages_and_issuers_but_no_drafts_or_private_pages(
    client, site_tree, make_badge
):
    public = make_badge("Public badge")
    draft = make_badge("Draft badge", publish=False)
    private = make_badge("Private badge")
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.create(name="Staff")])
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "xml")
    paths = {urlsplit(loc.text).path for loc in soup.find_all("loc")}
    index_url = site_tree["index"].url
    assert {
        "/",
        index_url,
        public.url,
        index_url + "issuers/",
        index_url + "issuers/lita/",
    } <= paths
    # Every issuer has a page, with badges or not yet.
    assert {index_url + "issuers/ala/", index_url + "issuers/alcts/"} <= paths
    assert draft.url not in paths and private.url not in paths


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /" not in lines  # the content is open to crawlers
