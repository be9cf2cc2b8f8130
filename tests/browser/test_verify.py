"""The verify form in Chromium with JavaScript turned off: a visitor pastes a badge's address,
presses the button with the keyboard, and reads the answer, which a link can reproduce."""

import pytest

from badges_cms.credly.standin import CredlyStandIn, make_template
from tests.browser.screenshots import screenshots_on_failure

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TEMPLATE_ID = "3d5c1f0e-7a2b-4c9d-8e1f-0a1b2c3d4e5f"


@pytest.fixture
def verify_page(settings, site_tree, make_badge):
    with CredlyStandIn() as standin:
        settings.CREDLY_API_TOKEN = standin.token
        settings.CREDLY_ORGANIZATION_ID = standin.organization_id
        settings.CREDLY_API_BASE_URL = standin.base_url
        settings.CREDLY_CLIENT_OPTIONS = {"max_retries": 0, "read_timeout": 2, "deadline": 5}
        standin.templates = [make_template(1, id=TEMPLATE_ID)]
        badge = make_badge("Beyond Web Page Analytics", credly_template_id=TEMPLATE_ID)
        badge_id = standin.issue_badge(TEMPLATE_ID, earner=("Ana", "Ruiz"))["id"]
        yield {
            "path": site_tree["index"].url + "verify/",
            "badge_id": badge_id,
            "badge_url": badge.url,
        }


def test_the_verify_form_works_without_javascript(open_browser, verify_page):
    with open_browser() as browser:
        context = browser.page.context.browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.set_default_timeout(15_000)
        with screenshots_on_failure(page, "verify-without-javascript"):
            page.goto(browser.server_url + verify_page["path"])
            field = page.get_by_label("The badge's address on Credly, its embed code or its id")
            field.fill(f"https://www.credly.com/badges/{verify_page['badge_id']}/public_url")
            page.get_by_role("button", name="Check this badge").focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert "?badge=" in page.url  # a plain GET: the answer has an address of its own
            answer = page.get_by_role("status")
            assert "genuine badge issued by us, and it is current" in answer.inner_text()
            assert "Ana Ruiz" in answer.inner_text()
            link = answer.get_by_role("link", name="What “Beyond Web Page Analytics” certifies")
            assert link.get_attribute("href") == verify_page["badge_url"]
            # What was pasted is still in the form, to check another badge or correct this one.
            assert field.input_value().endswith("/public_url")

            field.fill("https://www.example.org/badges/nothing")
            with page.expect_navigation():
                page.get_by_role("button", name="Check this badge").click()
            assert "not a Credly badge" in page.get_by_role("alert").inner_text()
            assert field.get_attribute("aria-invalid") == "true"
        context.close()
