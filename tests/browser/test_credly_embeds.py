"""Pages with Credly badges load in Chromium under the production Content Security Policy:
Credly's script (a stand-in, answered by the test) swaps in the badge frames and the browser
reports no violation."""

import pytest
from django.test import override_settings

from tests.support.csp import PUBLIC_POLICY, policy_of
from tests.support.embeds import FIRST_ID, SECOND_ID

pytestmark = [
    pytest.mark.browser,
    # The live server reads what the test writes, so the test cannot run in a transaction;
    # serialized_rollback restores Wagtail's initial pages for the tests that come after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EMBED_JS = "https://cdn.credly.com/assets/utilities/embed.js"


def badge_frames(browser):
    return sorted(
        frame.url
        for frame in browser.page.frames
        if frame.url.startswith("https://www.credly.com/embedded_badge/")
    )


def size_of(locator):
    box = locator.bounding_box()
    return box["width"], box["height"]


def test_a_page_with_embeds_loads_under_the_production_policy_without_a_violation(
    open_browser, page_with_embeds
):
    with open_browser() as browser:
        response = browser.open(page_with_embeds)
        assert response.status == 200
        assert policy_of(response.headers["content-security-policy"]) == PUBLIC_POLICY

        page = browser.page
        # Credly's script ran once and framed both badges, each at the size the editor chose.
        assert page.evaluate("window.credlyEmbedRuns") == 1
        assert browser.credly_requests.count(EMBED_JS) == 1
        assert badge_frames(browser) == sorted(
            f"https://www.credly.com/embedded_badge/{badge_id}"
            for badge_id in (FIRST_ID, SECOND_ID)
        )
        assert size_of(page.locator(f"#embedded-badge-{FIRST_ID}")) == (150, 270)
        assert size_of(page.locator(f"#embedded-badge-{SECOND_ID}")) == (300, 540)
        for badge_id in (FIRST_ID, SECOND_ID):
            frame = page.frame_locator(f"#embedded-badge-{badge_id}")
            assert "Stand-in for Credly" in frame.locator("body").inner_text()

        # The links that work without JavaScript, the card, the list and the steps are there.
        links = page.get_by_role("link", name="View and verify this badge on Credly")
        assert links.count() == 2
        assert links.first.get_attribute("href") == f"https://www.credly.com/badges/{FIRST_ID}"
        assert page.get_by_role("heading", name="From ALCTS").is_visible()
        steps = page.get_by_role("heading", name="How to accept and share your badge")
        assert steps.is_visible()

        assert browser.csp_violations() == []
        assert browser.errors == []
        assert browser.refused_requests == []


@override_settings(BADGES_CMS_CREDLY_EMBED_MODE="iframe")
def test_the_iframe_mode_needs_no_script_and_breaks_no_rule(open_browser, page_with_embeds):
    with open_browser() as browser:
        browser.open(page_with_embeds)
        for badge_id in (FIRST_ID, SECOND_ID):
            # The frames load lazily: bring each into view and wait for Credly's answer.
            selector = f'iframe[src="https://www.credly.com/embedded_badge/{badge_id}"]'
            browser.page.locator(selector).scroll_into_view_if_needed()
            browser.page.frame_locator(selector).locator("body").wait_for()
        assert sorted(browser.credly_requests) == sorted(
            f"https://www.credly.com/embedded_badge/{badge_id}"
            for badge_id in (FIRST_ID, SECOND_ID)
        )
        assert len(badge_frames(browser)) == 2
        assert size_of(browser.page.get_by_title("Ana Ruiz: a digital badge on Credly")) == (
            150,
            270,
        )
        assert browser.csp_violations() == []
        assert browser.errors == []


# What a badly behaved embed.js might do: style an element through its style attribute, frame
# a host other than Credly's and run code from a string.
MISBEHAVING_SCRIPT = """
document.body.setAttribute("style", "background: red");
var frame = document.createElement("iframe");
frame.src = "https://badges.evil.example/";
document.body.appendChild(frame);
window.setTimeout("window.ranFromAString = true", 0);
"""


def test_the_policy_refuses_what_it_should_and_the_test_sees_it(open_browser, page_with_embeds):
    with open_browser(standin_script=MISBEHAVING_SCRIPT) as browser:
        browser.open(page_with_embeds)
        browser.page.wait_for_timeout(200)
        violations = " | ".join(browser.csp_violations())
        assert "style-src-attr" in violations
        assert "frame-src https://badges.evil.example" in violations
        assert "script-src" in violations and "eval" in violations
        assert browser.page.evaluate("window.ranFromAString === undefined")
        # Refused by the policy before any request was made.
        assert browser.refused_requests == []
