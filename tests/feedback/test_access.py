"""Earners' answers are for the people who run the programme: Badge managers (and superusers)
read, export and delete feedback; Editors and Moderators edit the feedback page but see none of
its submissions, through the menu, the forms listing, the page editor or any direct URL."""

from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from badges_cms.feedback.models import BadgeFeedbackSubmission
from home import demo_staff
from tests.support.staff import make_user

pytestmark = pytest.mark.django_db

SECRET = "ann.secret@example.org"
READERS = {"manager", "superuser"}
EDITING_STAFF = {"editor", "moderator"}


@pytest.fixture
def submission(feedback_page):
    return BadgeFeedbackSubmission.objects.create(
        page=feedback_page,
        form_data={
            "badge": "",
            "badge_title": "",
            "how_did_you_use_it": "Told my manager about it.",
            "email": SECRET,
        },
    )


def submission_urls(page, submission):
    listing = reverse("wagtailforms:list_submissions", args=(page.pk,))
    delete = reverse("wagtailforms:delete_submissions", args=(page.pk,))
    return {
        "listing": listing,
        "listing results": reverse("wagtailforms:list_submissions_results", args=(page.pk,)),
        "csv": f"{listing}?export=csv",
        "xlsx": f"{listing}?export=xlsx",
        "delete confirmation": f"{delete}?selected-submissions={submission.pk}",
    }


def text_of(response):
    """What a person would read in the response: an XLSX workbook's cells, or the body."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        rows = load_workbook(BytesIO(content)).active.iter_rows(values_only=True)
        return " ".join(str(value) for row in rows for value in row)
    return content.decode()


def outcome(response):
    """ "ok", "login" (sent to sign in) or "denied" (sent to the dashboard, or a 403)."""
    if response.status_code == 200:
        return "ok"
    if response.status_code == 403:
        return "denied"
    assert response.status_code == 302, response.status_code
    if response.url.startswith(reverse("wagtailadmin_login")):
        return "login"
    assert response.url == reverse("wagtailadmin_home"), response.url
    return "denied"


@pytest.mark.parametrize("role", ["anonymous", "editor", "moderator", "manager", "superuser"])
def test_only_badge_managers_reach_the_submissions(client, staff, feedback_page, submission, role):
    if staff[role] is not None:
        client.force_login(staff[role])
    expected = "ok" if role in READERS else "login" if role == "anonymous" else "denied"
    for name, url in submission_urls(feedback_page, submission).items():
        response = client.get(url)
        assert (name, outcome(response)) == (name, expected)
        if name == "delete confirmation":
            shown = "Are you sure you want to delete" in text_of(response)
        else:
            shown = SECRET in text_of(response)
        assert (name, shown) == (name, role in READERS)


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_editing_staff_cannot_delete_submissions(client, staff, feedback_page, submission, role):
    client.force_login(staff[role])
    url = reverse("wagtailforms:delete_submissions", args=(feedback_page.pk,))
    response = client.post(f"{url}?selected-submissions={submission.pk}")
    assert outcome(response) == "denied"
    assert BadgeFeedbackSubmission.objects.filter(pk=submission.pk).exists()


def test_a_badge_manager_can_delete_a_submission(client, staff, feedback_page, submission):
    client.force_login(staff["manager"])
    url = reverse("wagtailforms:delete_submissions", args=(feedback_page.pk,))
    response = client.post(f"{url}?selected-submissions={submission.pk}")
    assert response.status_code == 302
    assert not BadgeFeedbackSubmission.objects.filter(pk=submission.pk).exists()


@pytest.mark.parametrize("role", ["editor", "moderator", "manager", "superuser"])
def test_the_forms_menu_and_listing_show_the_page_to_badge_managers_only(
    client, staff, feedback_page, submission, role
):
    client.force_login(staff[role])
    listing_url = reverse("wagtailforms:list_submissions", args=(feedback_page.pk,))
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert (reverse("wagtailforms:index") in dashboard) == (role in READERS)
    for name in ("wagtailforms:index", "wagtailforms:index_results"):
        response = client.get(reverse(name))
        shown = response.status_code == 200 and listing_url in response.content.decode()
        assert shown == (role in READERS), name


@pytest.mark.parametrize("role", ["editor", "moderator", "superuser"])
def test_editing_staff_still_edit_the_feedback_page_without_its_submissions(
    client, staff, feedback_page, submission, role
):
    client.force_login(staff[role])
    response = client.get(reverse("wagtailadmin_pages:edit", args=(feedback_page.pk,)))
    assert response.status_code == 200
    listing_url = reverse("wagtailforms:list_submissions", args=(feedback_page.pk,))
    assert (listing_url in response.content.decode()) == (role in READERS)


def test_editing_staff_keep_their_page_permissions_on_the_feedback_page(staff, feedback_page):
    moderator = feedback_page.permissions_for_user(staff["moderator"])
    assert moderator.can_edit() and moderator.can_publish()
    assert feedback_page.permissions_for_user(staff["editor"]).can_edit()


def test_the_permission_alone_opens_the_submissions_of_every_feedback_page(
    client, site_tree, feedback_page, submission
):
    # A Badge manager needs no page permission on the feedback page to read its answers.
    demo_staff.load_staff(site_tree["index"])
    manager = make_user("manager")
    assert not feedback_page.permissions_for_user(manager).can_edit()
    client.force_login(manager)
    response = client.get(reverse("wagtailforms:list_submissions", args=(feedback_page.pk,)))
    assert response.status_code == 200
    assert SECRET in response.content.decode()


def test_badge_managers_are_given_the_feedback_permissions_once(site_tree):
    demo_staff.load_staff(site_tree["index"])
    managers = Group.objects.get(name=demo_staff.BADGE_MANAGERS)
    codenames = set(managers.permissions.values_list("codename", flat=True))
    assert {"view_badgefeedbacksubmission", "delete_badgefeedbacksubmission"} <= codenames
    for name in (demo_staff.EDITORS, demo_staff.MODERATORS):
        group = Group.objects.get(name=name)
        assert not group.permissions.filter(codename__endswith="badgefeedbacksubmission").exists()
    assert demo_staff.load_staff(site_tree["index"]) == [
        "staff: 0 groups, 0 permissions and 0 workflows created"
    ]
