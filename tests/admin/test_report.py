"""The issuance report: rows and figures straight from the synced data, its CSV and XLSX
exports, and the daily snapshots behind its chart across several syncs."""

import csv
import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from badges_cms.conf import credly_config
from badges_cms.credly.client import CredlyClient
from badges_cms.credly.standin import make_template, template_id
from badges_cms.credly.sync import refresh_template
from badges_cms.models import CredlyBadgeTemplate, CredlyIssuanceSnapshot
from tests.support.staff import sync

pytestmark = pytest.mark.django_db

REPORT = "badges_cms_report:index"
PER_ISSUER = "badges_cms_report:issuers"


@pytest.fixture
def manager(client, staff):
    client.force_login(staff["manager"])
    return client


def csv_rows(response):
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, *rows = list(workbook.active.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_one_row_per_template_with_its_page_and_issuer(manager, synced):
    html = manager.get(reverse(REPORT)).content.decode()
    assert "30 badges issued from 4 Credly templates." in html
    assert "10 of them accepted by their earners." in html
    table = html[html.rindex('<table class="listing') :]  # the report's, after the chart's
    rows = re.findall(r"<tr[^>]*>.*?</tr>", table.split("</table>")[0], re.S)[1:]
    assert len(rows) == 4
    # Most issued first; pages and issuers beside their templates.
    assert "Example Badge 4" in rows[0] and "No badge page yet" in rows[0]
    assert "Example Badge 2" in rows[2] and "Collection Development" in rows[2]
    assert "Association for Library Collections and Technical Services" in rows[2]


def test_the_csv_export_matches_the_synced_figures(manager, synced):
    rows = csv_rows(manager.get(reverse(REPORT), {"export": "csv"}))
    assert len(rows) == CredlyBadgeTemplate.objects.count() == 4
    stored = {str(t.id): t for t in CredlyBadgeTemplate.objects.all()}
    for row in rows:
        template = stored[row["Credly template id"]]
        assert row["Credly template"] == template.name
        assert int(row["Issued"]) == template.badges_count
        assert int(row["Accepted"]) == template.accepted_count
    by_id = {row["Credly template id"]: row for row in rows}
    assert by_id[template_id(1)]["Badge page"] == "Beyond Web Page Analytics"
    assert by_id[template_id(1)]["Issuer"] == "Library and Information Technology Association"
    assert by_id[template_id(3)]["Badge page"] == "" and by_id[template_id(3)]["Issuer"] == ""


def test_the_xlsx_export_has_the_same_rows_as_numbers(manager, synced):
    rows = xlsx_rows(manager.get(reverse(REPORT), {"export": "xlsx"}))
    assert len(rows) == 4
    assert sum(row["Issued"] for row in rows) == 30
    assert all(isinstance(row["Issued"], int) for row in rows)
    assert {row["Credly template id"]: row["Accepted"] for row in rows} == {
        template_id(i): i for i in range(1, 5)
    }


def test_filters_apply_to_the_rows_the_totals_and_the_exports(manager, synced, issuers):
    params = {"issuer": issuers["alcts"].pk}
    html = manager.get(reverse(REPORT), params).content.decode()
    assert "6 badges issued from 1 Credly template." in html
    rows = csv_rows(manager.get(reverse(REPORT), {**params, "export": "csv"}))
    assert [row["Credly template"] for row in rows] == ["Example Badge 2"]


def test_per_issuer_sums_the_templates_of_each_issuers_pages(manager, synced):
    rows = csv_rows(manager.get(reverse(PER_ISSUER), {"export": "csv"}))
    got = {row["Issuer"]: (row["Badges"], row["Issued"], row["Accepted"]) for row in rows}
    assert got == {
        "No issuer (no badge page yet, or its page has none)": ("2", "21", "7"),
        "Association for Library Collections and Technical Services (ALCTS)": ("1", "6", "2"),
        "Library and Information Technology Association (LITA)": ("1", "3", "1"),
    }
    assert list(got) == sorted(got, key=lambda name: -int(got[name][1]))  # most issued first
    xlsx = xlsx_rows(manager.get(reverse(PER_ISSUER), {"export": "xlsx"}))
    assert sum(row["Issued"] for row in xlsx) == 30 and len(xlsx) == 3


def test_a_sync_without_accepted_counts_leaves_them_unknown(manager, credly):
    credly.templates = [make_template(1)]
    sync()
    rows = csv_rows(manager.get(reverse(REPORT), {"export": "csv"}))
    assert rows[0]["Accepted"] == ""
    html = manager.get(reverse(REPORT)).content.decode()
    assert "accepted by their earners" not in html


# Snapshot history


@pytest.fixture
def clock(monkeypatch):
    """Moves "now" for the sync (and everything else) to a chosen moment."""
    moment = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: moment["now"])

    def set_to(day, hour=3):
        moment["now"] = timezone.make_aware(datetime(day.year, day.month, day.day, hour, 15))

    return set_to


def snapshots():
    return {
        (row.date, str(row.template_id)): (row.badges_count, row.accepted_count)
        for row in CredlyIssuanceSnapshot.objects.all()
    }


def test_each_successful_sync_records_the_days_figures(manager, credly, clock):
    day1, day2, day3, day4 = (date(2026, 3, d) for d in (2, 3, 4, 5))
    credly.templates = [make_template(1), make_template(2)]  # 3 and 6 issued

    clock(day1)
    sync()
    clock(day2)
    credly.templates[0]["badges_count"] = 10
    sync()
    clock(day2, hour=15)  # a second sync the same day overwrites that day's figures
    credly.templates[0]["badges_count"] = 12
    credly.accepted_counts = {template_id(1): 5, template_id(2): 1}
    sync("--accepted-counts")
    clock(day3)
    credly.add_fault("badge_templates", page=1, status=503, times=None)
    assert "failed" in sync()  # a failed sync records nothing
    credly.faults.clear()
    sync("--dry-run")  # nor does a dry run
    clock(day4)
    credly.templates.append(make_template(3))  # 9 issued
    sync()

    t1, t2, t3 = template_id(1), template_id(2), template_id(3)
    assert snapshots() == {
        (day1, t1): (3, None),
        (day1, t2): (6, None),
        (day2, t1): (12, 5),
        (day2, t2): (6, 1),
        (day4, t1): (12, 5),  # accepted counts not fetched: the last known ones
        (day4, t2): (6, 1),
        (day4, t3): (9, None),
    }

    html = manager.get(reverse(REPORT)).content.decode()
    table = html[html.index("The figures behind the chart") :]
    days = re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td><td>([^<]+)</td>', table)
    assert days == [
        ("March 2, 2026", "9", "—"),
        ("March 3, 2026", "18", "6"),
        ("March 5, 2026", "27", "6"),
    ]
    assert "Issued: 27" in html  # the line's direct label


def test_a_webhook_refresh_records_no_snapshot(credly, settings):
    credly.templates = [make_template(1)]
    sync()
    before = snapshots()
    credly.templates[0]["badges_count"] = 99
    refresh_template(CredlyClient(credly_config()), template_id(1))
    assert CredlyBadgeTemplate.objects.get().badges_count == 99
    assert snapshots() == before


def test_the_chart_follows_the_issuer_filter(manager, synced, issuers, clock):
    clock(timezone.localdate() + timedelta(days=1))
    sync()
    html = manager.get(reverse(REPORT), {"issuer": issuers["lita"].pk}).content.decode()
    assert "Issued: 3" in html and "Issued: 30" not in html


def test_no_history_yet_says_so(manager, staff):
    html = manager.get(reverse(REPORT)).content.decode()
    assert "There is no history yet" in html
    assert "<svg viewBox" not in html
