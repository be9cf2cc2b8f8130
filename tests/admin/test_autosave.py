"""An approval always publishes, whatever Wagtail's autosave sends around it
(badges_cms/admin/autosave.py).

Each test drives the edit view the way a browser tab does: it loads the form, then posts
autosaves (asking for JSON, with the revision the tab loaded or last autosaved) and the
approval (a plain form submission with the workflow action's fields). The overlap tests send
the two POSTs from two threads and hold the autosave at a point where Wagtail's edit view has
read the page but not yet written it, so that the approval comes in between unless something
keeps it out; on SQLite the threads share the test's in-memory connection, as Django's live
server does.
"""

import threading
import time
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.models.signals import pre_save
from django.db.utils import ConnectionHandler
from django.test import Client
from django.urls import reverse
from wagtail import hooks
from wagtail.models import PageLogEntry, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from badges_cms.models import BadgePage
from tests.factories import make_image

pytestmark = pytest.mark.django_db

SUMMARY = "Earners run a reference interview that finds what a reader really needs."
APPROVED = "Earners run a reference interview that finds what a patron really needs."
REFUSED = "invalid_revision"


def badge_fields(image, issuer, summary=SUMMARY):
    return {
        "title": "Reference Interview Skills",
        "slug": "reference-interview-skills",
        "summary": summary,
        "badge_image": image.pk,
        "badge_image_alt": "A gold hexagon",
        "issuer": issuer.pk,
        "credit": rich_text("<p>Certifies reference work.</p>"),
        "criteria": rich_text("<p>Run three interviews and write up one.</p>"),
        "skills": "Reference",
        "body": streamfield([]),
    }


class FormReader(HTMLParser):
    """The fields of the page's edit form as a browser would post them (buttons aside)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.action, self.fields = None, []
        self.in_form, self.select, self.textarea = False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "page-edit-form":
            self.in_form, self.action = True, attrs["action"]
        elif not self.in_form or "name" not in attrs and tag != "option":
            return
        elif tag == "input" and attrs.get("type") in ("checkbox", "radio"):
            if "checked" in attrs:
                self.fields.append((attrs["name"], attrs.get("value", "on")))
        elif tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            self.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self.textarea:
            self.fields.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "select":
            self.select = None


class EditorTab:
    """What a browser tab holds of a page's edit form, and the two kinds of POST it makes."""

    def __init__(self, user, page):
        self.client = Client()
        self.client.force_login(user)
        reader = FormReader()
        reader.feed(self.client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).text)
        self.action, self.fields = reader.action, reader.fields
        self.autosaved_revision_id = None

    def form(self, summary, **extra):
        data = {}
        for name, value in self.fields:
            data.setdefault(name, []).append(value)
        # The body's StreamField is drawn by the editor's JavaScript, not in the HTML.
        extra = {**nested_form_data({"body": streamfield([])}), "summary": summary, **extra}
        data.update({name: [value] for name, value in extra.items()})
        return data

    def autosave(self, summary=SUMMARY, **extra):
        if self.autosaved_revision_id:
            extra["overwrite_revision_id"] = self.autosaved_revision_id
        response = self.client.post(
            self.action, self.form(summary, **extra), HTTP_ACCEPT="application/json"
        )
        if response.status_code == 200 and response.json()["success"]:
            self.autosaved_revision_id = response.json()["revision_id"]
        return response

    def approve(self, summary=SUMMARY):
        return self.client.post(self.action, self.form(summary, **APPROVAL))


# The hidden fields Wagtail's workflow button adds to the form when it is pressed.
APPROVAL = {"action-workflow-action": "true", "workflow-action-name": "approve"}


@pytest.fixture
def in_review(site_tree, staff, issuers):
    """A badge page the editor has written and submitted, waiting for the moderators."""
    image = make_image("Reference badge")
    client = Client()
    client.force_login(staff["editor"])
    parent_id = site_tree["index"].pk
    add_url = reverse("wagtailadmin_pages:add", args=("badges_cms", "badgepage", parent_id))
    data = nested_form_data({**badge_fields(image, issuers["lita"]), "action-submit": "go"})
    assert client.post(add_url, data).status_code == 302
    page = BadgePage.objects.get(slug="reference-interview-skills")
    return {"page": page, **staff}


def tab(people, role="moderator"):
    return EditorTab(people[role], people["page"])


def history(page):
    return list(
        PageLogEntry.objects.filter(page=page)
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


def assert_published_as_approved(page, summary):
    page = BadgePage.objects.get(pk=page.pk)
    actions = history(page)
    assert page.live, actions
    assert not page.has_unpublished_changes, actions
    assert page.live_revision_id == page.latest_revision_id, actions
    assert page.summary == summary
    assert actions[-1] == "wagtail.publish", actions
    assert WorkflowState.objects.get(object_id=str(page.pk)).status == "approved"


def assert_refused(response):
    assert response.status_code == 400, response.content
    assert response.json()["error_code"] == REFUSED


def test_an_autosave_carrying_the_approval_does_not_approve(in_review):
    moderator = tab(in_review)
    assert_refused(moderator.autosave(APPROVED, **APPROVAL))
    page = BadgePage.objects.get(pk=in_review["page"].pk)
    assert not page.live
    assert WorkflowState.objects.get(object_id=str(page.pk)).status == "in_progress"
    # The approval itself, sent with the same fields, publishes.
    assert moderator.approve(APPROVED).status_code == 302
    assert_published_as_approved(page, APPROVED)


@pytest.mark.parametrize(
    "before_approval, approved_summary",
    [
        pytest.param(False, APPROVED, id="a-word-changed"),
        pytest.param(False, SUMMARY, id="approved-as-it-was"),
        pytest.param(True, APPROVED, id="after-an-autosave-of-the-word"),
    ],
)
def test_an_autosave_after_the_approval_is_refused(in_review, before_approval, approved_summary):
    moderator = tab(in_review)
    if before_approval:
        assert moderator.autosave(approved_summary).status_code == 200
    assert moderator.approve(approved_summary).status_code == 302
    # The autosave the tab still had on its way: refused, with the answer Wagtail gives an
    # outdated autosave (its client pauses autosave and says why, with no dialog).
    assert_refused(moderator.autosave(approved_summary))
    assert_published_as_approved(in_review["page"], approved_summary)


@contextmanager
def thread_database():
    """The database connection of a request thread: its own on PostgreSQL; on in-memory SQLite
    the test's, shared as Django's live server shares it."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        shared = connections[DEFAULT_DB_ALIAS]

        def enter():
            connections[DEFAULT_DB_ALIAS] = shared

        shared.inc_thread_sharing()
        try:
            yield enter, (lambda: None)
        finally:
            shared.dec_thread_sharing()
    else:
        yield (lambda: None), (lambda: connections.close_all())


def overlap(first, second, pause):
    """Send ``first`` until it reaches ``pause`` (or is answered before), then ``second``; let
    ``first`` go on once ``second`` has been answered, or has been kept waiting for a second.
    Returns both responses."""
    responses = {}
    settled, go_on = threading.Event(), threading.Event()

    def hold():
        if threading.current_thread().name == "first":
            settled.set()
            go_on.wait(10)

    with thread_database() as (enter, leave):

        def run(name, request):
            enter()
            try:
                responses[name] = request()
            except Exception as error:  # reported below, in the test's thread
                responses[name] = error
            finally:
                leave()
                if name == "first":
                    settled.set()

        threads = {
            name: threading.Thread(target=run, args=(name, request), name=name)
            for name, request in (("first", first), ("second", second))
        }
        with pause(hold):
            threads["first"].start()
            assert settled.wait(10)
            threads["second"].start()
            threads["second"].join(1.0)
            go_on.set()
            for thread in threads.values():
                thread.join(20)
                assert not thread.is_alive()
    for name, response in responses.items():
        if isinstance(response, Exception):
            raise AssertionError(f"the {name} request failed: {response!r}") from response
    return responses["first"], responses["second"]


@contextmanager
def after_the_edit_view_has_read_the_page(hold):
    # Wagtail's before_edit_page hooks run once the view has loaded the page and its latest
    # revision, before the request writes anything.
    def hook(request, page):
        hold()

    with hooks.register_temporarily("before_edit_page", hook):
        yield


@contextmanager
def as_the_edit_view_saves_the_page(hold):
    # In the workflow action's path: after Wagtail has found the action valid, before it is run.
    def receiver(sender, **kwargs):
        hold()

    pre_save.connect(receiver, sender=BadgePage, dispatch_uid="test-autosave-pause")
    try:
        yield
    finally:
        pre_save.disconnect(dispatch_uid="test-autosave-pause", sender=BadgePage)


# The threads need the test's data committed; the site tree comes back for the next test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "autosave_fields, pause",
    [
        # The autosave of the changed word, sent just before the button was pressed.
        pytest.param({}, after_the_edit_view_has_read_the_page, id="autosave-of-the-word"),
        # An autosave sent after the button was pressed, with the button's hidden fields.
        pytest.param(APPROVAL, as_the_edit_view_saves_the_page, id="autosave-with-the-action"),
    ],
)
def test_an_autosave_overlapping_the_approval(in_review, autosave_fields, pause):
    # One tab, two requests at once: each gets its own client (a test client is not shared
    # between threads), both loaded with the same form.
    autosaving, approving = tab(in_review), tab(in_review)
    autosave, approval = overlap(
        lambda: autosaving.autosave(APPROVED, **autosave_fields),
        lambda: approving.approve(APPROVED),
        pause,
    )
    assert autosave.status_code in (200, 400), autosave.content[:300]
    assert approval.status_code == 302, approval.content[:300]
    assert_published_as_approved(in_review["page"], APPROVED)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_autosave_overlapping_an_approval_from_the_dashboard(in_review):
    # Another tab's autosave, and the moderator's Approve on the dashboard's review list.
    autosaving = tab(in_review, "superuser")
    page = in_review["page"]
    task_state = WorkflowState.objects.get(object_id=str(page.pk)).current_task_state
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)
    )
    dashboard = Client()
    dashboard.force_login(in_review["moderator"])
    autosave, approval = overlap(
        lambda: autosaving.autosave(APPROVED),
        lambda: dashboard.post(approve_url, {"comment": ""}),
        after_the_edit_view_has_read_the_page,
    )
    assert autosave.status_code == 200, autosave.content[:300]
    assert approval.status_code in (200, 302), approval.content[:300]
    assert_published_as_approved(page, APPROVED)


def test_autosave_goes_on_as_before(make_badge, staff):
    # A live badge: each autosave is kept as its draft, and the page stays live.
    page = make_badge("Reference Interview Skills", slug="reference-interview-skills")
    editor = EditorTab(staff["moderator"], page)
    first = editor.autosave("A first change.")
    assert first.status_code == 200, first.content[:300]
    second = editor.autosave("A second change.")
    assert second.status_code == 200, second.content[:300]
    assert second.json()["revision_id"] == first.json()["revision_id"]
    page.refresh_from_db()
    assert page.live and page.has_unpublished_changes
    assert page.get_latest_revision_as_object().summary == "A second change."


def test_an_autosave_on_a_page_published_since_it_was_loaded_is_refused(make_badge, staff):
    # A live badge with a draft; the tab loads the draft, and someone else publishes that same
    # draft meanwhile. Wagtail's own check sees no newer revision; the tab has not seen the
    # publish, so its autosave must not make a new draft over it.
    page = make_badge("Reference Interview Skills", slug="reference-interview-skills")
    page.summary = "A draft to be published."
    draft = page.save_revision()
    editor = EditorTab(staff["moderator"], page)
    draft.publish()
    assert_refused(editor.autosave("A change to an old copy."))
    page.refresh_from_db()
    assert page.live_revision_id == draft.pk and not page.has_unpublished_changes


def test_sqlite_transactions_wait_for_each_other(tmp_path):
    """Two overlapping transactions that read and then write: in SQLite's default (deferred)
    mode the second fails at once with "database is locked"; with the site's options it waits
    for the first, then goes through."""
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3")}
    handler = ConnectionHandler(
        {
            "default": database,
            "deferred_1": database,
            "deferred_2": database,
            "site_1": {**database, "OPTIONS": settings.SQLITE_OPTIONS},
            "site_2": {**database, "OPTIONS": settings.SQLITE_OPTIONS},
        }
    )
    with handler["default"].cursor() as cursor:
        cursor.execute("CREATE TABLE counter (value integer)")
        cursor.execute("INSERT INTO counter VALUES (0)")

    def begin_and_read(alias):
        wrapper = handler[alias]
        wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        wrapper.cursor().execute("SELECT value FROM counter").fetchall()
        return wrapper

    def write(wrapper):
        wrapper.cursor().execute("UPDATE counter SET value = value + 1")

    def commit(wrapper):
        wrapper.commit()
        wrapper.set_autocommit(True)

    first, second = begin_and_read("deferred_1"), begin_and_read("deferred_2")
    write(first)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        write(second)
    assert time.monotonic() - started < 1  # at once: no busy timeout helps
    second.rollback()
    second.set_autocommit(True)
    commit(first)

    first = begin_and_read("site_1")
    write(first)
    first.inc_thread_sharing()
    # The second begins while the first is still open: it waits for the first's commit.
    threading.Timer(0.3, commit, args=(first,)).start()
    second = begin_and_read("site_2")
    write(second)
    commit(second)
    with handler["default"].cursor() as cursor:
        cursor.execute("SELECT value FROM counter")
        assert cursor.fetchone()[0] == 3
    handler.close_all()
