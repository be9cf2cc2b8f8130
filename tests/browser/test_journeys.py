"""Journeys as people make them, in Chromium against the live server: an editor writes a badge
page and submits it for moderation, a moderator approves it, and a visitor finds it with the
keyboard alone, through the index's filters and search, and opens it.

The test builds its own groups, users and workflow (not the demo content's "Badge review"),
with the permissions an editor and a moderator would have: no superusers. On a failure,
screenshots at 375 and 1280 px are saved in test-artifacts/.
"""

import random
import re
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from PIL import Image as PILImage
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from tests.browser.admin_steps import open_more_actions, sign_in
from tests.browser.screenshots import screenshots_on_failure

pytestmark = [
    pytest.mark.search_index,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Linked Data for Catalogers"
SLUG = "linked-data-for-catalogers"
SUMMARY = "Earners can describe library resources as linked data and query them."
CREDLY_ID = "5f1c2a9e-8b3d-4c6e-9a1f-2b3c4d5e6f70"
EMBED_CODE = (
    f'<div data-iframe-width="150" data-iframe-height="270" data-share-badge-id="{CREDLY_ID}" '
    'data-share-badge-host="https://www.credly.com"></div><script type="text/javascript" async '
    'src="//cdn.credly.com/assets/utilities/embed.js"></script>'
)
PASSWORD = "journey-password-not-secret"


def permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def member_of(group, username):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
    user.groups.add(group)
    return user


@pytest.fixture
def newsroom(site_tree, issuers, make_badge):
    """Two published badges to filter among, an editors' and a moderators' group with the
    permissions of their jobs on the badge index, and a review workflow on the index."""
    index = site_tree["index"]
    make_badge("Beyond Web Page Analytics", issuer=issuers["lita"])
    make_badge("Fundamentals of Collection Development", issuer=issuers["alcts"])

    admin_access = permission("wagtailadmin", "access_admin")
    editors = Group.objects.create(name="Journey editors")
    editors.permissions.add(admin_access, permission("badges_cms", "view_badgeissuer"))
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=editors, page=index, permission=permission("wagtailcore", codename)
        )
    for codename in ("add_image", "choose_image"):
        GroupCollectionPermission.objects.create(
            group=editors,
            collection=Collection.get_first_root_node(),
            permission=permission("wagtailimages", codename),
        )

    moderators = Group.objects.create(name="Journey moderators")
    moderators.permissions.add(admin_access)
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=moderators, page=index, permission=permission("wagtailcore", codename)
        )

    workflow = Workflow.objects.create(name="Journey review")
    task = GroupApprovalTask.objects.create(name="Journey moderators approve")
    task.groups.set([moderators])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=index)

    return {
        "index_id": index.pk,
        "index_url": index.url,
        "editor": member_of(editors, "edna").username,
        "moderator": member_of(moderators, "moe").username,
    }


@pytest.fixture
def badge_png(tmp_path):
    path = tmp_path / "linked-data-badge.png"
    # A colour of its own, so Wagtail's duplicate-image check has nothing to match.
    colour = tuple(random.randrange(256) for _ in range(3))
    buffer = BytesIO()
    PILImage.new("RGB", (400, 400), colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def write_and_submit_badge(page, server_url, index_id, image_path):
    from playwright.sync_api import expect

    page.goto(f"{server_url}/admin/pages/add/badges_cms/badgepage/{index_id}/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill(SUMMARY)

    # The image: uploaded through the chooser, as an editor does with a new badge.
    page.get_by_role("button", name="Choose an image").click()
    chooser = page.get_by_role("dialog")
    chooser.get_by_role("tab", name="Upload").click()
    chooser.locator("#id_image-chooser-upload-title").fill("Linked Data for Catalogers badge")
    chooser.locator("#id_image-chooser-upload-file").set_input_files(str(image_path))
    chooser.get_by_role("button", name="Upload").click()
    expect(chooser).to_be_hidden()
    expect(page.locator("[data-contentpath=badge_image]")).to_contain_text(
        "Linked Data for Catalogers badge"
    )
    page.locator("#id_badge_image_alt").fill("A blue badge reading Linked Data")

    page.get_by_role("button", name="Choose badge issuer").click()
    chooser = page.get_by_role("dialog")
    chooser.get_by_role("link", name="Library and Information Technology Association").click()
    expect(chooser).to_be_hidden()

    # Criteria in the rich-text editor: a paragraph, then a list from Draftail's "- " shortcut.
    criteria = page.locator("[data-contentpath=criteria] [contenteditable=true]")
    criteria.click()
    page.keyboard.type("Complete every part of the course:")
    page.keyboard.press("Enter")
    page.keyboard.type("- Model ten records as linked data")
    page.keyboard.press("Enter")
    page.keyboard.type("Write one SPARQL query")
    expect(criteria.locator("li")).to_have_count(2)

    # A Credly badge in the body, pasted as Credly's embed code.
    body = page.locator("[data-contentpath=body]")
    body.get_by_role("button", name="Insert a block").click()
    page.get_by_role("option", name="Credly badge").click()
    page.locator("#body-0-value-badge_id").fill(EMBED_CODE)
    page.locator("#body-0-value-caption").fill("Ana Ruiz")

    # Submit goes straight after the last keystroke, as a quick editor's does: its POST carries
    # the whole form, whatever autosave is doing. What it needs is the draft autosave created
    # with the first edits (the address is then the page's edit view), or it would add a second.
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    open_more_actions(page)
    page.get_by_role("button", name="Submit to Journey review").click()
    expect(page.locator(".messages")).to_contain_text(
        f"Page '{TITLE}' has been submitted for moderation"
    )


def approve_and_publish(page):
    from playwright.sync_api import expect

    # The dashboard lists what awaits this moderator's review.
    review = page.locator("section, .w-panel").filter(has_text="Awaiting your review").last
    review.get_by_role("link", name=TITLE).first.click()
    expect(page.locator("#id_title")).to_have_value(TITLE)
    open_more_actions(page)
    page.get_by_role("button", name="Approve and Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(f"Page '{TITLE}' has been updated")
    # Back on the index's listing in the admin, where the page is now live.
    row = page.locator("tr").filter(has_text=TITLE)
    expect(row).to_contain_text("live", ignore_case=True)


def tab_to(page, selector, limit=80):
    """Press Tab until the focused element matches the CSS selector; fail after ``limit``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def choose_with_arrows(page, option_text, limit=30):
    """In the focused <select>, press ArrowDown until the chosen option reads option_text."""
    chosen = "document.activeElement.selectedOptions[0].textContent.trim()"
    for _ in range(limit):
        if page.evaluate(chosen) == option_text:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{option_text!r} was never chosen; stopped at {page.evaluate(chosen)!r}")


def card_titles(page):
    return page.locator(".badge-grid .badge-card__title").all_inner_texts()


def find_and_open_with_the_keyboard(page, server_url, index_url):
    from playwright.sync_api import expect

    page.goto(server_url + "/")
    tab_to(page, f'main a[href="{index_url}"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == server_url + index_url

    tab_to(page, "#badge-issuer")
    choose_with_arrows(page, "Library and Information Technology Association")
    tab_to(page, ".badge-filters button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "issuer=lita" in page.url
    assert sorted(card_titles(page)) == ["Beyond Web Page Analytics", TITLE]

    tab_to(page, "#badge-q")
    page.keyboard.type("linked data")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert card_titles(page) == [TITLE]
    expect(page.locator(".result-count")).to_contain_text(
        "1 badge from LITA, matching “linked data”"
    )

    tab_to(page, f'.badge-card__title a[href$="/{SLUG}/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def test_a_badge_goes_from_editor_to_moderator_to_a_visitor_with_a_keyboard(
    open_browser, newsroom, badge_png
):
    from playwright.sync_api import expect

    with open_browser() as browser:
        page = browser.page
        server = browser.server_url
        page.set_viewport_size({"width": 1280, "height": 900})

        with screenshots_on_failure(page, "journey-editor"):
            sign_in(page, server, newsroom["editor"], PASSWORD)
            write_and_submit_badge(page, server, newsroom["index_id"], badge_png)
            # Submitted, not published: the public index does not list it yet.
            page.context.clear_cookies()
            page.goto(server + newsroom["index_url"])
            assert TITLE not in card_titles(page)

        with screenshots_on_failure(page, "journey-moderator"):
            sign_in(page, server, newsroom["moderator"], PASSWORD)
            approve_and_publish(page)

        # What the admin asked for (its avatars come from outside) is its own business: let
        # its requests finish, then check only what the visitor's pages do.
        page.wait_for_load_state("networkidle")
        page.goto("about:blank")
        page.context.clear_cookies()
        browser.console.clear()
        browser.errors.clear()
        browser.refused_requests.clear()
        for width in (375, 1280):
            with screenshots_on_failure(page, f"journey-visitor-at-{width}"):
                page.set_viewport_size({"width": width, "height": 900})
                find_and_open_with_the_keyboard(page, server, newsroom["index_url"])

                # What the editor wrote is on the page as it was written.
                expect(page.locator(".lede")).to_have_text(SUMMARY)
                criteria = page.locator("section[aria-labelledby=criteria-heading]")
                expect(criteria.locator("p")).to_have_text("Complete every part of the course:")
                expect(criteria.locator("li")).to_have_text(
                    ["Model ten records as linked data", "Write one SPARQL query"]
                )
                image = page.locator("img.badge__image")
                expect(image).to_have_attribute("alt", "A blue badge reading Linked Data")
                frame = page.frame_locator(f"#embedded-badge-{CREDLY_ID}")
                expect(frame.locator("body")).to_contain_text("Stand-in for Credly")
                expect(page.locator(".credly-badge__name")).to_have_text("Ana Ruiz")
                expect(page.locator(".badge__facts")).to_contain_text(
                    "Library and Information Technology Association"
                )

                assert browser.csp_violations() == []
                assert browser.errors == []
                assert browser.refused_requests == []
