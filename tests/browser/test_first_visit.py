"""What a first visitor notices, in Chromium at a phone's width and a desktop's: the feedback
form's consent box sits beside its words and every box and button is at least 24 x 24 CSS px
(WCAG 2.5.8); badge art on cards is large enough to read; the browser's own /favicon.ico
request finds an icon. Screenshots are saved in test-artifacts/ on a failure."""

import pytest

from home import demo_feedback
from tests.browser.screenshots import screenshots_on_failure

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (375, 1280)
MINIMUM_TARGET = 24  # CSS px, WCAG 2.2 success criterion 2.5.8 (AA)

BOXES = """
() => [...document.querySelectorAll('input[type=checkbox], input[type=radio]')]
  .filter((input) => input.offsetParent !== null)  // not the off-screen honeypot's
  .map((input) => {
    const box = input.getBoundingClientRect();
    return {name: input.name + "=" + input.value, width: box.width, height: box.height};
  })
"""
CONSENT = """
() => {
  const box = document.querySelector('.feedback-form__consent input[type=checkbox]');
  const label = document.querySelector(`label[for="${box.id}"]`);
  const rect = (element) => {
    const r = element.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  };
  return {box: rect(box), label: rect(label)};
}
"""
CARD_IMAGES = """
() => [...document.querySelectorAll('img.badge-card__image')].map((image) => ({
  loaded: image.complete && image.naturalWidth > 0,
  width: image.getBoundingClientRect().width,
  height: image.getBoundingClientRect().height,
  natural: image.naturalWidth,
}))
"""


def loaded_card_images(page, attempts=50):
    """The cards' images once all have loaded (they load lazily). Polled from here: Playwright's
    wait_for_function evaluates a string, which the page's Content Security Policy forbids."""
    for _ in range(attempts):
        images = page.evaluate(CARD_IMAGES)
        if images and all(image["loaded"] for image in images):
            return images
        page.wait_for_timeout(100)
    raise AssertionError(f"the card images did not load: {images}")


@pytest.fixture
def feedback_url(site_tree):
    page = site_tree["home"].add_child(instance=demo_feedback.build_page())
    page.save_revision().publish()
    return page.url


@pytest.fixture
def index_url(site_tree, issuers, make_badge):
    make_badge("Beyond Web Page Analytics")
    make_badge("RDA Serials Cataloging Update", issuer=issuers["alcts"])
    return site_tree["index"].url


def test_the_consent_box_sits_beside_its_label_and_boxes_are_big_enough(open_browser, feedback_url):
    with open_browser() as browser:
        page = browser.page
        for width in WIDTHS:
            with screenshots_on_failure(page, f"first-visit-feedback-at-{width}"):
                page.set_viewport_size({"width": width, "height": 900})
                assert browser.open(feedback_url).status == 200
                boxes = page.evaluate(BOXES)
                assert len(boxes) > 10  # the demo form's radio buttons, boxes and consent
                small = [
                    box
                    for box in boxes
                    if box["width"] < MINIMUM_TARGET or box["height"] < MINIMUM_TARGET
                ]
                assert small == [], f"at {width}px"

                consent = page.evaluate(CONSENT)
                box, label = consent["box"], consent["label"]
                # Beside: the label starts to the right of the box, on the box's line.
                assert label["left"] >= box["right"], f"at {width}px: {consent}"
                assert label["top"] < box["bottom"] and box["top"] < label["bottom"], consent
                assert label["top"] <= box["top"] + 4, f"at {width}px: {consent}"


def test_card_art_is_large_enough_to_read_on_a_desktop(open_browser, index_url):
    with open_browser() as browser:
        page = browser.page
        with screenshots_on_failure(page, "first-visit-cards-at-1280"):
            page.set_viewport_size({"width": 1280, "height": 900})
            browser.open(index_url)
            images = loaded_card_images(page)
            assert len(images) == 2
            for image in images:
                assert image["width"] >= 150 and image["height"] >= 150, image
                # Sharp on a high-density screen: at least twice the pixels shown.
                assert image["natural"] >= 2 * image["width"], image


def test_the_browsers_favicon_request_finds_an_icon(open_browser, site_tree):
    with open_browser() as browser:
        browser.open("/")
        answer = browser.page.request.get(browser.server_url + "/favicon.ico")
        assert answer.status == 200
        assert answer.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
        linked = browser.page.evaluate(
            "[...document.querySelectorAll('link[rel~=icon]')].map((link) => link.href)"
        )
        for href in linked:
            assert browser.page.request.get(href).status == 200, href
