"""Sync-health emails to the Badge managers group: once per incident, a new incident only after a
success, staleness and token reminders from the idempotent `check_credly_health` command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from badges_cms.credly.alerts import check_health
from badges_cms.models import CredlySyncIncident, CredlySyncRun, CredlyTokenReminder
from tests.support.staff import make_user, run_at, sync

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def check():
    out = StringIO()
    call_command("check_credly_health", stdout=out)
    return out.getvalue()


def fail_next_sync(credly):
    credly.add_fault("badge_templates", page=1, status=503, times=None)


def emails_to_managers():
    return [message for message in mail.outbox if message.to == ["manager@example.org"]]


def test_a_failed_sync_emails_each_badge_manager_once(staff, synced):
    make_user("manager", username="second")
    fail_next_sync(synced["credly"])
    sync()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "manager@example.org",
        "second@example.org",
    ]  # one message each, nobody sees the other's address; editors get nothing
    message = mail.outbox[0]
    assert "Credly sync failed" in message.subject
    assert "HTTP 503" in message.body
    assert "/admin/credly/sync-log/" in message.body
    assert synced["credly"].token not in message.body
    incident = CredlySyncIncident.objects.get()
    assert incident.is_open and incident.notified_at and incident.reason == "failed"


def test_one_email_per_incident_and_a_new_one_after_a_success(staff, synced):
    credly = synced["credly"]
    fail_next_sync(credly)
    sync()
    sync()  # fails again: the same incident, no second email
    assert len(emails_to_managers()) == 1
    credly.faults.clear()
    sync()  # succeeds: the incident closes, and success sends nothing
    assert len(emails_to_managers()) == 1
    closed = CredlySyncIncident.objects.get()
    assert not closed.is_open and closed.closed_by_run.status == "succeeded"
    fail_next_sync(credly)
    sync()  # a new incident
    assert len(emails_to_managers()) == 2
    assert CredlySyncIncident.objects.filter(is_open=True).count() == 1


def test_staleness_is_found_by_the_periodic_check_once(staff):
    run_at("succeeded", hours_ago=40)
    assert "Out of date" in check()
    check()
    check()
    assert len(emails_to_managers()) == 1
    assert "out of date" in emails_to_managers()[0].subject
    assert "more than 36 hours" in emails_to_managers()[0].body
    assert CredlySyncIncident.objects.get().reason == "stale"


def test_a_stale_incident_that_then_fails_is_still_one_incident(staff, synced):
    CredlySyncRun.objects.update(
        started_at=timezone.now() - timedelta(hours=50),
        finished_at=timezone.now() - timedelta(hours=50),
    )
    check()
    fail_next_sync(synced["credly"])
    sync()
    check()
    assert len(emails_to_managers()) == 1
    synced["credly"].faults.clear()
    sync()
    assert not CredlySyncIncident.objects.filter(is_open=True).exists()
    check()
    assert len(emails_to_managers()) == 1  # healthy again: nothing to say


def test_healthy_and_never_synced_send_nothing(staff):
    check()
    run_at("succeeded", hours_ago=1)
    check()
    assert mail.outbox == []
    assert not CredlySyncIncident.objects.exists()


def test_a_failure_recorded_while_mail_was_down_is_retried_by_the_check(staff, synced, settings):
    settings.EMAIL_BACKEND = "tests.credly.test_alerts.BrokenBackend"
    fail_next_sync(synced["credly"])
    with pytest.raises(CommandError) as failed:
        call_command("sync_credly_badges", stdout=StringIO(), stderr=StringIO())
    assert failed.value.returncode == 1  # the sync's own outcome, not the mail server's
    assert "HTTP 503" in str(failed.value)
    assert CredlySyncIncident.objects.get().notified_at is None
    with pytest.raises(CommandError) as check_failed:
        check()
    assert check_failed.value.returncode == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    check()
    check()
    assert len(emails_to_managers()) == 1
    assert CredlySyncIncident.objects.get().notified_at is not None


def test_without_badge_managers_the_alert_waits_for_one(staff, synced):
    staff["manager"].groups.clear()
    fail_next_sync(synced["credly"])
    sync()
    assert mail.outbox == []
    check()  # still nobody to tell
    assert mail.outbox == []
    staff["manager"].groups.add(Group.objects.get(name="Badge managers"))
    check()
    assert len(emails_to_managers()) == 1


def test_inactive_users_and_other_groups_get_nothing(staff, synced):
    staff["manager"].is_active = False
    staff["manager"].save()
    fail_next_sync(synced["credly"])
    sync()
    assert mail.outbox == []


# Token reminders


def test_token_reminders_14_and_3_days_before_once_each(staff, settings):
    today = timezone.localdate()
    settings.CREDLY_TOKEN_EXPIRES = (today + timedelta(days=20)).isoformat()
    noon = timezone.now()

    def on(days_later):
        check_health(now=noon + timedelta(days=days_later))
        return [m.subject for m in emails_to_managers()]

    assert on(0) == []  # 20 days left
    assert on(6) == ["[ALA Digital Badges] The Credly API token expires in 14 days"]
    assert len(on(7)) == 1 and len(on(10)) == 1  # 13 and 10 days left: already reminded
    assert on(17)[-1] == "[ALA Digital Badges] The Credly API token expires in 3 days"
    assert len(on(18)) == 2 and len(on(19)) == 2
    assert CredlyTokenReminder.objects.count() == 2


def test_a_late_first_check_sends_one_reminder_not_two(staff, settings):
    settings.CREDLY_TOKEN_EXPIRES = (timezone.localdate() + timedelta(days=2)).isoformat()
    check()
    check()
    assert [m.subject for m in emails_to_managers()] == [
        "[ALA Digital Badges] The Credly API token expires in 2 days"
    ]
    assert "CREDLY_API_TOKEN" in emails_to_managers()[0].body
    assert set(CredlyTokenReminder.objects.values_list("days_before", flat=True)) == {14, 3}


def test_a_new_token_date_gets_its_own_reminders(staff, settings):
    settings.CREDLY_TOKEN_EXPIRES = (timezone.localdate() + timedelta(days=10)).isoformat()
    check()
    settings.CREDLY_TOKEN_EXPIRES = (timezone.localdate() + timedelta(days=190)).isoformat()
    check()
    assert len(emails_to_managers()) == 1
    settings.CREDLY_TOKEN_EXPIRES = (timezone.localdate() + timedelta(days=12)).isoformat()
    check()
    assert len(emails_to_managers()) == 2


def test_no_expiry_date_no_reminder(staff, settings):
    settings.CREDLY_TOKEN_EXPIRES = ""
    check()
    assert mail.outbox == [] and not CredlyTokenReminder.objects.exists()


def test_a_malformed_expiry_date_exits_2_after_checking_the_rest(staff, settings):
    settings.CREDLY_TOKEN_EXPIRES = "30/09/2026"
    run_at("succeeded", hours_ago=40)
    with pytest.raises(CommandError) as failed:
        check()
    assert failed.value.returncode == 2
    assert "CREDLY_TOKEN_EXPIRES" in str(failed.value) and "ISO date" in str(failed.value)
    assert len(emails_to_managers()) == 1  # the staleness alert still went out
