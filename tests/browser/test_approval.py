"""An approval always publishes, in Chromium against the live server, done the way a quick person
does it: an editor writes two badge pages and submits each for review straight after typing; a
moderator changes one word of the first and at once uses Approve and Publish; a superuser does
the same on the second, more quickly still. Nobody waits for the autosave indicator.

Wagtail's autosave keeps running in the background while the approval is on its way (see
badges_cms/admin/autosave.py). The pages must end up live, as approved, with nothing saved over
the publish; no request may fail. The approvers see no "new version" dialog: it would stop
the click, and no message would say the page was updated.

Whatever the browser sent is let reach the server before the end state is read: the test counts
the requests the live server starts and finishes (Django's request signals) and waits, on a
condition with a deadline, until the server has started as many autosaves as the browser sent
and has none in flight.
"""

import sys
import threading
import traceback
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.signals import got_request_exception, request_finished, request_started
from wagtail.models import PageLogEntry

from badges_cms.models import BadgePage
from home import demo_staff
from tests.browser.admin_steps import open_more_actions, sign_in
from tests.browser.screenshots import screenshots_on_failure
from tests.factories import make_image

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "approval-password-not-secret"
# A person's pace, given to the page by moving its clock on (page.clock) instead of sleeping:
# a moment to read a form before typing in it (Wagtail starts watching a form for edits two
# seconds after it loads), then from the last keystroke to the button. Wagtail notices a
# keystroke within half a second, queues an autosave of the form as it is then half a second
# later, and sends it half a second after that. So with the slower hand the button is pressed
# while that autosave is on its way; with the quick one the autosave leaves just after the
# button's POST and reaches the server while the approval is being made; with the quicker one
# the button is pressed before the autosave is queued, and the autosave copies its fields.
READING = 2_500
SLOWER_HAND = 1_600
QUICK_HAND = 700
QUICKER_HAND = 400
# How long a person waits for the admin to answer a click, as long as any Playwright action
# waits here (Playwright's expect would give up after 5 s, short on a busy test machine).
ANSWER = 15_000
IMAGE_TITLE = "Review desk badge"
BADGES = {
    "first": {
        "title": "Reference Interview Skills",
        "summary": "Earners run a reference interview that finds what a reader really needs.",
        "approved": "Earners run a reference interview that finds what a patron really needs.",
    },
    "second": {
        "title": "Open Access Advocacy",
        "summary": "Earners explain open access publishing to faculty and to students.",
        "approved": "Earners explain open access publishing to faculty and to researchers.",
    },
}


def autosave_request(method, path, accept):
    # How Wagtail's autosave client tells itself apart from a form submission: a POST to the
    # page's own form URL asking for JSON.
    return method == "POST" and "/admin/pages/" in path and "text/html" not in (accept or "")


class ServerRequests:
    """What the live server did with the browser's requests, counted from Django's signals."""

    def __init__(self):
        self.condition = threading.Condition()
        self.in_flight = 0
        self.autosaves = 0
        self.exceptions = []

    def started(self, sender, environ, **kwargs):
        with self.condition:
            self.in_flight += 1
            if autosave_request(
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO", ""),
                environ.get("HTTP_ACCEPT"),
            ):
                self.autosaves += 1

    def finished(self, sender, **kwargs):
        with self.condition:
            self.in_flight -= 1
            self.condition.notify_all()

    def failed(self, sender, request=None, **kwargs):
        # Printed as well, so that pytest shows the traceback when a later step fails.
        traceback.print_exc()
        self.exceptions.append(f"{request and request.path}: {sys.exc_info()[1]!r}")

    def wait_until_quiet(self, autosaves_sent, timeout=10):
        """Wait for the autosaves the browser sent; one it dropped before sending never comes,
        so after the deadline the test goes on and says so if the end state is wrong."""
        with self.condition:
            self.condition.wait_for(
                lambda: self.autosaves >= autosaves_sent and self.in_flight <= 0, timeout
            )
            return f"{self.autosaves} of {autosaves_sent} autosaves reached the server"


@contextmanager
def counting_server_requests():
    requests = ServerRequests()
    request_started.connect(requests.started)
    request_finished.connect(requests.finished)
    got_request_exception.connect(requests.failed)
    try:
        yield requests
    finally:
        request_started.disconnect(requests.started)
        request_finished.disconnect(requests.finished)
        got_request_exception.disconnect(requests.failed)


@pytest.fixture
def review_desk(site_tree, issuers):
    """The demo's staff groups and "Badge review" workflow on the badge index, an editor, a
    moderator and a superuser, and an image to choose for a badge."""
    demo_staff.load_staff(site_tree["index"])
    # Its chooser thumbnail made now: on SQLite, the chooser writing it while an autosave
    # writes too finds the table locked (SQLite's in-memory test database locks whole tables).
    make_image(IMAGE_TITLE).get_rendition("max-165x165")
    users = get_user_model().objects
    for username, group in (("edie", demo_staff.EDITORS), ("mo", demo_staff.MODERATORS)):
        user = users.create_user(username, f"{username}@example.org", PASSWORD)
        user.groups.add(Group.objects.get(name=group))
    users.create_superuser("sue", "sue@example.org", PASSWORD)
    return {"index_id": site_tree["index"].pk}


def write_and_submit(page, server_url, index_id, badge):
    """Fill in a new badge page and submit it for review as soon as the last field is typed."""
    from playwright.sync_api import expect

    page.goto(f"{server_url}/admin/pages/add/badges_cms/badgepage/{index_id}/")
    page.clock.run_for(READING)
    page.locator("#id_title").fill(badge["title"])
    # Draftail copies what was typed into its form field a moment later, so the rich text
    # comes first here, as it would for a person who then still has the other fields to do.
    page.locator("[data-contentpath=criteria] [contenteditable=true]").click()
    page.keyboard.type("Run three interviews and write up one.")
    page.get_by_role("button", name="Choose an image").click()
    chooser = page.get_by_role("dialog")
    chooser.get_by_role("link", name=IMAGE_TITLE).first.click()
    expect(chooser).to_be_hidden()
    page.locator("#id_badge_image_alt").fill("A gold hexagon")
    page.get_by_role("button", name="Choose badge issuer").click()
    chooser = page.get_by_role("dialog")
    chooser.get_by_role("link", name="Library and Information Technology Association").click()
    expect(chooser).to_be_hidden()
    page.locator("#id_summary").fill(badge["summary"])
    open_more_actions(page)
    page.clock.run_for(SLOWER_HAND)
    page.get_by_role("button", name=f"Submit to {demo_staff.WORKFLOW_NAME}").click()
    # "created and submitted", or "has been submitted" when an autosave created the page first.
    expect(page.locator(".messages")).to_contain_text("submitted for moderation", timeout=ANSWER)


def change_a_word_and_approve(page, badge, hand):
    """From the dashboard's review list: one word changed, then Approve and Publish at once."""
    from playwright.sync_api import expect

    page.goto(page.url.split("/admin/")[0] + "/admin/")
    review = page.locator("section, .w-panel").filter(has_text="Awaiting your review").last
    review.get_by_role("link", name=badge["title"]).first.click()
    summary = page.locator("#id_summary")
    expect(summary).to_have_value(badge["summary"], timeout=ANSWER)
    page.clock.run_for(READING)
    summary.fill(badge["approved"])
    open_more_actions(page)
    page.clock.run_for(hand)
    page.get_by_role("button", name="Approve and Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(
        f"Page '{badge['title']}' has been updated", timeout=ANSWER
    )


def test_every_approval_publishes(open_browser, review_desk):
    sent = []
    with counting_server_requests() as server:
        with open_browser() as browser:
            approve_in_the_browser(browser, review_desk["index_id"], sent)
        arrived = server.wait_until_quiet(len(sent))

    assert server.exceptions == [], arrived
    for badge in BADGES.values():
        badge_page = BadgePage.objects.get(title=badge["title"])
        history = list(
            PageLogEntry.objects.filter(page=badge_page)
            .order_by("timestamp", "pk")
            .values_list("action", flat=True)
        )
        context = (badge["title"], history, arrived)
        assert badge_page.live, context
        assert not badge_page.has_unpublished_changes, context
        assert badge_page.live_revision_id == badge_page.latest_revision_id, context
        assert badge_page.summary == badge["approved"], context
        # Nothing was saved over the publish.
        assert history[-1] == "wagtail.publish", context


def approve_in_the_browser(browser, index_id, sent):
    from playwright.sync_api import expect

    page = browser.page
    url = browser.server_url
    page.set_viewport_size({"width": 1280, "height": 900})
    page.clock.install()
    page.on(
        "request",
        lambda request: (
            sent.append(request.url)
            if autosave_request(request.method, request.url, request.headers.get("accept"))
            else None
        ),
    )
    with screenshots_on_failure(page, "approval-editor"):
        sign_in(page, url, "edie", PASSWORD)
        for badge in BADGES.values():
            write_and_submit(page, url, index_id, badge)
    approvals = (("mo", BADGES["first"], QUICK_HAND), ("sue", BADGES["second"], QUICKER_HAND))
    for approver, badge, hand in approvals:
        with screenshots_on_failure(page, f"approval-{approver}"):
            sign_in(page, url, approver, PASSWORD)
            change_a_word_and_approve(page, badge, hand)
    # As the approvers would check: the public pages say what they approved.
    page.context.clear_cookies()
    for badge in BADGES.values():
        response = page.goto(f"{url}/badges/{badge_slug(badge)}/")
        assert response.status == 200, badge["title"]
        expect(page.locator(".lede")).to_have_text(badge["approved"])
    page.goto("about:blank")


def badge_slug(badge):
    return badge["title"].lower().replace(" ", "-")
