"""Webhooks cannot starve the sync or spend our quota: repeated ids queue nothing, a burst beyond
the per-minute budget folds into one full refresh, the answer confirms nothing, and webhook work
yields to full syncs."""

import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from badges_cms.credly import locking, tasks
from badges_cms.credly.standin import make_template
from badges_cms.models import CredlySyncLock, CredlySyncRun, CredlyWebhookEvent
from tests.support.webhooks import URL, event, issued, post, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def synced(credly, settings):
    """Three templates synced once; webhook work through the real database queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.BADGES_CMS_WEBHOOK_REFRESHES_PER_MINUTE = 5
    settings.BADGES_CMS_WEBHOOK_REFRESH_DELAY = 0  # the folded refresh is ready at once
    credly.templates = [make_template(i) for i in range(1, 4)]
    call_command("sync_credly_badges", stdout=StringIO())
    credly.requests.clear()
    return credly


def queued(task):
    return DBTaskResult.objects.filter(task_path=task.module_path)


def answer(response):
    return response.status_code, response["Content-Type"], response.content


def test_a_flood_of_random_ids_costs_the_budget_and_one_full_refresh(synced):
    ours = synced.organization_id
    answers = {answer(post({"id": str(uuid.uuid4()), "organization_id": ours})) for _ in range(400)}
    assert answers == {(200, "text/plain", b"Queued.")}
    assert queued(tasks.process_credly_event).count() == 5
    assert queued(tasks.refresh_credly_soon).count() == 1
    assert CredlyWebhookEvent.objects.filter(handling="folded").count() == 395

    run_worker()
    # Credly was listed once, and asked about at most the 5 budgeted events (none of which it
    # knows): those the full refresh ran before needed no request at all.
    assert len(synced.requests_to("/badge_templates")) == 1
    assert len(synced.requests_to("/events/")) <= 5
    results = set(queued(tasks.process_credly_event).values_list("return_value", flat=True))
    assert results <= {"unknown event", "covered by a full sync"}
    refresh = CredlySyncRun.objects.get(trigger="webhooks")
    assert refresh.status == "succeeded" and refresh.templates_seen == 3


def test_the_folded_refresh_applies_what_the_overflow_was_about(synced):
    synced.templates[0]["badges_count"] = 70
    for _ in range(5):  # the budget, spent on events Credly does not know
        post({"id": str(uuid.uuid4()), "organization_id": synced.organization_id})
    post({"id": event(synced, template=1), "organization_id": synced.organization_id})
    run_worker()
    assert issued(1) == 70
    # A later burst queues a refresh of its own.
    CredlyWebhookEvent.objects.update(received_at=timezone.now() - timedelta(minutes=2))
    for _ in range(7):
        post({"id": str(uuid.uuid4()), "organization_id": synced.organization_id})
    assert queued(tasks.refresh_credly_soon).filter(status="READY").count() == 1


def test_a_repeated_event_id_queues_nothing_more(synced):
    event_id = event(synced, template=2)
    for _ in range(10):
        response = post({"id": event_id, "organization_id": synced.organization_id})
        assert answer(response) == (200, "text/plain", b"Queued.")
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert len(synced.requests_to(f"/events/{event_id}")) == 1


def test_another_organization_gets_the_very_same_answer_and_costs_nothing(synced):
    ours = post({"id": str(uuid.uuid4()), "organization_id": synced.organization_id})
    theirs = post({"id": str(uuid.uuid4()), "organization_id": str(uuid.uuid4())})
    nobody = post({"id": str(uuid.uuid4())})
    assert answer(ours) == answer(theirs) == answer(nobody)
    assert sorted(ours.headers) == sorted(theirs.headers)
    assert DBTaskResult.objects.count() == 1
    assert CredlyWebhookEvent.objects.count() == 1


def test_a_webhook_refresh_covered_by_a_later_full_sync_calls_nobody(synced):
    event_id = event(synced, template=2)
    post({"id": event_id, "organization_id": synced.organization_id})
    call_command("sync_credly_badges", stdout=StringIO())  # the nightly sync runs first
    synced.requests.clear()
    run_worker()
    assert synced.requests == []
    assert queued(tasks.process_credly_event).get().return_value == "covered by a full sync"


@pytest.fixture
def other_holder():
    """Takes a lock the way another process would (another PostgreSQL session, or a lock row)
    and gives a function that lets it go, as that process would once its work is done."""
    holders = []

    def hold(name):
        if connection.vendor == "postgresql":
            import psycopg  # the PostgreSQL driver, there only when that is the database

            other = psycopg.connect(**connection.get_connection_params(), autocommit=True)
            other.execute("SELECT pg_advisory_lock(%s)", [locking.advisory_key(name)])
            holders.append(other)
            return other.close
        expires = timezone.now() + timedelta(minutes=5)
        CredlySyncLock.objects.create(name=name, holder="other-host:1", expires_at=expires)
        return lambda: CredlySyncLock.objects.filter(name=name).delete()

    yield hold
    for other in holders:
        other.close()


def test_the_nightly_sync_waits_for_a_webhook_refresh_and_is_not_skipped(
    synced, other_holder, monkeypatch
):
    """A webhook task holds the sync lock; the nightly sync shows its intent and waits; the
    webhook task finishes (here: on the sync's first poll) and the nightly sync runs."""
    release = other_holder(locking.SYNC_LOCK)
    polls = []

    def webhook_task_finishes(seconds):
        polls.append(seconds)
        if len(polls) == 1:
            assert locking.lock_is_held(locking.INTENT_LOCK)  # webhook tasks now yield
            release()

    monkeypatch.setattr(locking.time, "sleep", webhook_task_finishes)
    synced.templates[2]["badges_count"] = 90
    call_command("sync_credly_badges", stdout=StringIO())
    assert polls and issued(3) == 90
    assert CredlySyncRun.objects.latest("id").status == "succeeded"


def test_webhook_tasks_yield_while_a_full_sync_wants_the_lock(synced, other_holder):
    other_holder(locking.INTENT_LOCK)  # a full sync waiting for, or holding, the sync lock
    with tasks.webhook_turn(wait=0.3, poll=0.05) as held:
        assert held is False
    assert not locking.lock_is_held(locking.SYNC_LOCK)


def test_a_nightly_sync_behind_a_stuck_sync_exits_1_with_a_message(synced, other_holder):
    other_holder(locking.INTENT_LOCK)  # another full sync that does not end
    with pytest.raises(CommandError, match="held the sync lock for more than") as raised:
        call_command("sync_credly_badges", stdout=StringIO())
    assert raised.value.returncode == 1
    assert synced.requests == []
    assert CredlySyncRun.objects.latest("id").status == "failed"


def test_webhook_events_are_forgotten_after_a_week(synced):
    old = uuid.uuid4()
    CredlyWebhookEvent.objects.create(
        id=old, received_at=timezone.now() - timedelta(days=8), handling="refresh"
    )
    recent = uuid.uuid4()
    CredlyWebhookEvent.objects.create(id=recent, handling="refresh")
    call_command("sync_credly_badges", stdout=StringIO())
    assert list(CredlyWebhookEvent.objects.values_list("id", flat=True)) == [recent]


def test_only_post_is_accepted_here_too(client):
    assert client.get(URL).status_code == 405
