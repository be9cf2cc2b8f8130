"""The site's icon: an SVG with an ICO fallback (and a PNG for home screens) among the static
files, linked from every page, and ``/favicon.ico`` (which browsers ask for whatever the page
links) answering with a cacheable redirect to it instead of a 404."""

from io import BytesIO

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from PIL import Image

pytestmark = pytest.mark.django_db


def icon_links(html):
    head = BeautifulSoup(html, "html.parser").head
    return {
        (tuple(link["rel"]), link.get("type", "")): link["href"]
        for link in head.find_all("link")
        if {"icon", "apple-touch-icon"} & set(link["rel"])
    }


def test_the_icons_are_static_files_of_the_right_kind():
    with open(finders.find("img/favicon.svg"), "rb") as file:
        svg = BeautifulSoup(file.read(), "xml").find("svg")
    # The namespace as parsed, not an xmlns attribute: newer lxml reports declarations apart.
    assert svg.namespace == "http://www.w3.org/2000/svg" and svg["viewBox"] == "0 0 64 64"
    with Image.open(finders.find("img/favicon.ico")) as ico:
        assert ico.format == "ICO"
        assert {(16, 16), (32, 32)} <= set(ico.info["sizes"])
    with Image.open(finders.find("img/apple-touch-icon.png")) as png:
        assert png.format == "PNG" and png.size == (180, 180)


@pytest.mark.parametrize("page", ["home", "index"])
def test_every_page_links_the_svg_icon_and_its_fallbacks(client, site_tree, page):
    links = icon_links(client.get(site_tree[page].url).content.decode())
    assert links == {
        (("icon",), ""): "/static/img/favicon.ico",
        (("icon",), "image/svg+xml"): "/static/img/favicon.svg",
        (("apple-touch-icon",), ""): "/static/img/apple-touch-icon.png",
    }
    for href in links.values():
        assert client.get(href).status_code == 200, href


def test_favicon_ico_answers_with_a_cacheable_redirect_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.ico"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=86400"} <= cache_control
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert Image.open(BytesIO(b"".join(icon.streaming_content))).format == "ICO"
    assert client.head("/favicon.ico").status_code == 302
    assert client.post("/favicon.ico").status_code == 405
