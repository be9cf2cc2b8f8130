"""sync_credly_badges against a stand-in Credly on 127.0.0.1: what operators and visitors see."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from badges_cms.credly import locking
from badges_cms.credly.standin import make_template, template_id
from badges_cms.models import CredlyBadgeTemplate, CredlySyncLock, CredlySyncRun

pytestmark = pytest.mark.django_db


def sync(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("sync_credly_badges", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, str(exc), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def counts():
    return dict(CredlyBadgeTemplate.objects.values_list("id", "badges_count"))


def test_sync_stores_every_template_with_one_request_per_50(templates, credly):
    code, out, _ = sync()
    assert code == 0, out
    assert "120 templates (120 new, 0 changed, 0 gone from Credly)" in out
    assert len(credly.requests_to("/badge_templates")) == 3
    assert all(request.auth_ok for request in credly.requests)
    stored = CredlyBadgeTemplate.objects.get(pk=template_id(7))
    assert (stored.name, stored.badges_count, stored.state) == ("Example Badge 7", 21, "active")
    run = CredlySyncRun.objects.get()
    assert run.status == "succeeded" and run.templates_created == 120 and run.requests_made == 3


def test_second_sync_reports_only_real_changes(templates, credly):
    sync()
    credly.templates[4]["badges_count"] += 5
    code, out, _ = sync()
    assert code == 0
    assert "(0 new, 1 changed, 0 gone from Credly)" in out
    assert CredlyBadgeTemplate.objects.get(pk=template_id(5)).badges_count == 20


def test_issued_count_appears_on_the_badge_page(templates, credly, make_badge, client):
    page = make_badge(credly_template_id=template_id(10))
    sync()
    html = client.get(page.url).content.decode()
    assert "Issued 30 times" in html
    page.refresh_from_db()
    assert page.issued_count == 30


@pytest.mark.parametrize(
    "fault, expected",
    [
        ({"path": "badge_templates", "page": 2, "status": 503, "times": None}, "HTTP 503"),
        ({"path": "badge_templates", "page": 2, "status": 500, "times": None}, "HTTP 500"),
        ({"path": "badge_templates", "page": 3, "body": b'{"data": [{"id": '}, "not a JSON"),
        ({"path": "badge_templates", "page": 2, "body": b"<html>Maintenance</html>"}, "not a JSON"),
        ({"path": "badge_templates", "page": 1, "status": 401}, "expired"),
        ({"path": "badge_templates", "page": 2, "delay": 3, "times": None}, "did not answer"),
        (
            {"path": "badge_templates", "page": 1, "next_page_url": "http://evil.example/v1/x"},
            "another host",
        ),
    ],
)
def test_a_failure_anywhere_changes_nothing_and_is_recorded(templates, credly, fault, expected):
    sync()  # a good sync first, so there are figures to keep
    before = counts()
    for template in credly.templates:
        template["badges_count"] += 100
    credly.add_fault(**fault)
    code, message, _ = sync()
    assert code == 1
    assert expected in message
    assert credly.token not in message
    assert counts() == before
    failed = CredlySyncRun.objects.filter(status="failed").get()
    assert expected in failed.message and failed.finished_at is not None


def test_a_next_page_on_another_host_is_never_requested(templates, credly):
    credly.add_fault("badge_templates", page=1, next_page_url="http://127.0.0.2:1/api/v1/next")
    code, _, _ = sync()
    assert code == 1
    assert len(credly.requests) == 1


def test_429_with_retry_after_is_honoured_and_the_sync_succeeds(templates, credly):
    credly.add_fault("badge_templates", page=2, status=429, retry_after="1")
    started = timezone.now()
    code, out, _ = sync()
    assert code == 0, out
    assert timezone.now() - started >= timedelta(seconds=1)
    assert len(credly.requests_to("/badge_templates")) == 4
    assert len(counts()) == 120


def test_unknown_organization_fails_with_a_clear_message(templates, credly, settings):
    settings.CREDLY_ORGANIZATION_ID = "11111111-2222-4333-8444-555555555555"
    code, message, _ = sync()
    assert code == 1
    assert "HTTP 404" in message and "CREDLY_ORGANIZATION_ID" in message


@pytest.mark.parametrize(
    "setting, value",
    [
        ("CREDLY_API_TOKEN", ""),
        ("CREDLY_ORGANIZATION_ID", ""),
        ("CREDLY_ORGANIZATION_ID", "not-a-uuid"),
        ("CREDLY_API_BASE_URL", "ftp://api.credly.com/v1"),
    ],
)
def test_missing_or_malformed_settings_exit_2_before_any_request(credly, settings, setting, value):
    setattr(settings, setting, value)
    code, message, _ = sync()
    assert code == 2
    assert setting in message
    assert credly.requests == []
    assert not CredlySyncRun.objects.exists()


def test_dry_run_reports_and_writes_nothing(templates, credly):
    sync()
    credly.templates[0]["badges_count"] = 999
    credly.templates.append(make_template(500))
    runs = CredlySyncRun.objects.count()
    code, out, _ = sync("--dry-run")
    assert code == 0
    assert "would change: 121 templates (1 new, 1 changed, 0 gone from Credly)" in out
    assert "change: Example Badge 1: badges_count 3 -> 999" in out
    assert "new template: Example Badge 500" in out
    assert CredlyBadgeTemplate.objects.get(pk=template_id(1)).badges_count == 3
    assert not CredlyBadgeTemplate.objects.filter(pk=template_id(500)).exists()
    assert CredlySyncRun.objects.count() == runs


def test_a_template_gone_from_credly_keeps_its_figures(templates, credly, make_badge, client):
    page = make_badge(credly_template_id=template_id(3))
    sync()
    first_seen = CredlyBadgeTemplate.objects.get(pk=template_id(3)).last_seen_at
    credly.templates = [t for t in credly.templates if t["id"] != template_id(3)]
    code, out, _ = sync()
    assert "1 gone from Credly" in out
    gone = CredlyBadgeTemplate.objects.get(pk=template_id(3))
    assert (gone.present, gone.badges_count, gone.last_seen_at) == (False, 9, first_seen)
    page.refresh_from_db()
    assert page.live  # a sync never unpublishes or deletes pages
    assert "Issued 9 times" in client.get(page.url).content.decode()


def test_an_archived_template_hides_the_earn_link(templates, credly, make_badge, client):
    page = make_badge(credly_template_id=template_id(4), earn_url="https://www.ala.org/enrol")
    assert "https://www.ala.org/enrol" in client.get(page.url).content.decode()
    credly.templates[3]["state"] = "archived"
    sync()
    html = client.get(page.url).content.decode()
    assert "no longer issued" in html
    assert "https://www.ala.org/enrol" not in html


def test_a_sync_adds_no_revision_and_an_old_revision_cannot_roll_a_count_back(
    templates, credly, make_badge
):
    page = make_badge(credly_template_id=template_id(6))
    old_revision = page.latest_revision
    sync()
    assert page.revisions.count() == 1
    credly.templates[5]["badges_count"] = 77
    sync()
    assert page.revisions.count() == 1
    old_revision.publish()
    page.refresh_from_db()
    assert page.issued_count == 77


def test_accepted_counts_ask_only_for_issued_templates(credly, settings):
    credly.templates = [make_template(i) for i in range(1, 6)] + [make_template(9, badges_count=0)]
    credly.accepted_counts = {template_id(i): i for i in range(1, 6)}
    code, out, _ = sync("--accepted-counts")
    assert code == 0, out
    accepted = {
        str(tid): count
        for tid, count in CredlyBadgeTemplate.objects.values_list("id", "accepted_count")
    }
    assert accepted[template_id(2)] == 2 and accepted[template_id(9)] == 0
    assert len(credly.requests_to("/badges")) == 5  # not for the never-issued one


def test_a_lock_held_too_long_fails_without_calling_credly(templates, credly, hold_sync_lock):
    """Cron must hear of a sync that does not end: the nightly sync waits a while for the lock
    (BADGES_CMS_SYNC_LOCK_WAIT), then exits 1 with a message, and records a failed run."""
    code, out, _ = sync()
    assert code == 1
    assert "Another sync has held the sync lock for more than" in out
    assert credly.requests == []
    run = CredlySyncRun.objects.get()
    assert run.status == "failed" and "held the sync lock" in run.message


def test_an_expired_lock_row_is_taken_over(db):
    # The lock row is what guards databases without advisory locks (SQLite); its takeover
    # logic is exercised directly so it is tested on every database.
    CredlySyncLock.objects.create(
        name="credly-sync", holder="crashed:1", expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert locking._row_acquire("credly-sync", "me:1") is True
    assert locking._row_acquire("credly-sync", "someone-else:2") is False
    locking._row_release("credly-sync", "me:1")
    assert not CredlySyncLock.objects.exists()
