"""A badge card's image, in the shapes an image can be in: a raster image, an SVG, and an image
whose original file is gone (deleted from storage, or never copied to a new server)."""

import pytest
from django.core.files.base import ContentFile
from wagtail.images import get_image_model

from tests.support.pages import soup_of

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><circle r="40"/></svg>'


def card_images(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return soup_of(response).select(".badge-card img")


def lose_the_original(image):
    """The file goes from storage, and with it every rendition made so far."""
    image.renditions.all().delete()
    image.file.storage.delete(image.file.name)


def test_a_card_shows_its_badge_image(client, site_tree, make_badge):
    make_badge("Cataloging basics")
    (img,) = card_images(client, site_tree["index"].url)
    assert img["alt"] == "Cataloging basics badge"
    assert img["src"].endswith(".png") and img["width"] == img["height"] == "320"


def test_a_card_shows_an_svg_badge_image(client, site_tree, make_badge):
    svg = get_image_model().objects.create(
        title="Vector badge", file=ContentFile(SVG, name="vector-badge.svg")
    )
    make_badge("Vector badge", badge_image=svg)
    (img,) = card_images(client, site_tree["index"].url)
    assert img["alt"] == "Vector badge badge" and img["src"].endswith(".svg")


@pytest.mark.parametrize("where", ["index", "home"])
def test_a_lost_image_file_leaves_the_listing_up(client, site_tree, make_badge, badge_image, where):
    """The card says its image is missing, as Wagtail's image tags do; the page still serves."""
    make_badge("Cataloging basics")
    lose_the_original(badge_image)
    (img,) = card_images(client, site_tree[where].url)
    assert img["alt"] == "Cataloging basics badge"


def test_a_lost_image_file_leaves_the_badge_page_up(client, make_badge, badge_image):
    badge = make_badge("Cataloging basics")
    lose_the_original(badge_image)
    response = client.get(badge.url)
    assert response.status_code == 200
    assert "Cataloging basics" in response.content.decode()
