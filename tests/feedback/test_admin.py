"""Staff read and export feedback with Wagtail's own form submission screens; the badge is a
column of both."""

import csv
from io import BytesIO, StringIO

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from openpyxl import load_workbook

from badges_cms.feedback.models import BadgeFeedbackSubmission

pytestmark = pytest.mark.django_db

EXPECTED_HEADINGS = [
    "Submission date",
    "Badge",
    "Badge title",
    "Where have you shared the badge?",
    "How did you use it?",
    "What would improve the programme?",
    "Email address",
]


@pytest.fixture
def submitted(make_badge, post, answers):
    analytics = make_badge("Beyond Web Page Analytics")
    collections = make_badge("Collection Development Basics")
    post(answers(badge=analytics.slug, email="ann@example.org"))
    post(answers(badge=collections.slug, how_did_you_use_it="In a job application."))
    assert BadgeFeedbackSubmission.objects.count() == 2
    return {"analytics": analytics, "collections": collections}


def test_the_feedback_page_is_listed_among_the_forms(admin_client, feedback_page):
    response = admin_client.get(reverse("wagtailforms:index"))
    assert response.status_code == 200
    assert feedback_page.title in response.content.decode()


def test_submissions_are_listed_with_their_badge(admin_client, feedback_page, submitted):
    url = reverse("wagtailforms:list_submissions", args=(feedback_page.pk,))
    response = admin_client.get(url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    headings = [th.get_text(strip=True) for th in soup.select("table.listing thead th")][1:]
    assert headings == EXPECTED_HEADINGS
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in soup.select("tbody tr")]
    badges = {row[2]: row[3] for row in rows}
    assert badges == {
        submitted["analytics"].slug: "Beyond Web Page Analytics",
        submitted["collections"].slug: "Collection Development Basics",
    }


def test_the_csv_export_has_the_badge_column(admin_client, feedback_page, submitted):
    url = reverse("wagtailforms:list_submissions", args=(feedback_page.pk,))
    response = admin_client.get(url, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(StringIO(content)))
    assert rows[0] == EXPECTED_HEADINGS
    assert len(rows) == 3
    # Oldest first, as Wagtail exports.
    assert rows[1][1:3] == [submitted["analytics"].slug, "Beyond Web Page Analytics"]
    assert rows[1][-1] == "ann@example.org"
    assert rows[2][1:3] == [submitted["collections"].slug, "Collection Development Basics"]
    assert rows[2][4] == "In a job application."


def test_the_xlsx_export_has_the_badge_column(admin_client, feedback_page, submitted):
    url = reverse("wagtailforms:list_submissions", args=(feedback_page.pk,))
    response = admin_client.get(url, {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == EXPECTED_HEADINGS
    assert [row[1] for row in rows[1:]] == [
        submitted["analytics"].slug,
        submitted["collections"].slug,
    ]


def test_the_page_editor_shows_the_submission_count(admin_client, feedback_page, submitted):
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=(feedback_page.pk,)))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    listing = reverse("wagtailforms:list_submissions", args=(feedback_page.pk,))
    assert soup.find("a", href=listing).get_text(strip=True) == "2"


def test_staff_can_delete_a_submission_in_the_admin(admin_client, feedback_page, submitted):
    submission = BadgeFeedbackSubmission.objects.get(form_data__email="ann@example.org")
    url = reverse("wagtailforms:delete_submissions", args=(feedback_page.pk,))
    response = admin_client.post(f"{url}?selected-submissions={submission.pk}")
    assert response.status_code == 302
    assert not BadgeFeedbackSubmission.objects.filter(pk=submission.pk).exists()
    assert BadgeFeedbackSubmission.objects.count() == 1


def test_anonymous_visitors_cannot_see_submissions(client, feedback_page, submitted):
    url = reverse("wagtailforms:list_submissions", args=(feedback_page.pk,))
    response = client.get(url, {"export": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
