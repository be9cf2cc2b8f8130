"""An editor looking at a public page keeps Wagtail's userbar, and its content checks, under
the public pages' Content Security Policy."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_userbar_and_its_checks_work_under_the_policy(
    open_browser,
    live_server,
    page_with_embeds,  # noqa: F811
):
    editor = get_user_model().objects.create_superuser("eddie", "eddie@example.org", "pw")
    client = Client()
    client.force_login(editor)
    session = client.cookies["sessionid"].value

    with open_browser() as browser:
        from playwright.sync_api import expect

        cookie = {"name": "sessionid", "value": session, "url": live_server.url}
        browser.page.context.add_cookies([cookie])
        browser.open(page_with_embeds)
        userbar = browser.page.locator("wagtail-userbar")
        userbar.get_by_role("button", name="View Wagtail quick actions").click()
        expect(userbar.get_by_role("menuitem", name="Edit this page")).to_be_visible()
        # The content checks run axe in the page, under the page's policy, and find nothing
        # wrong with the badge blocks either.
        userbar.get_by_role("menuitem", name="Checks").click()
        expect(userbar.get_by_text("Issues found 0")).to_be_visible()
        assert browser.csp_violations() == []
        assert browser.errors == []
        assert browser.refused_requests == []
