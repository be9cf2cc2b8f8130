"""queue_sync, what Sync now does: it puts one full sync in motion, or says why it did not."""

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from badges_cms.credly.locking import LEASE
from badges_cms.credly.standin import make_template
from badges_cms.credly.sync import CredlySync
from badges_cms.credly.tasks import (
    QUEUED_TASK_KEY,
    QueueSyncResult,
    SyncQueueing,
    queue_sync,
    queued_sync,
)
from badges_cms.models import CredlySyncRun

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def forget_the_queued_task():
    yield
    cache.delete(QUEUED_TASK_KEY)  # the cache outlives each test's database


@pytest.fixture
def queue(settings):
    """The real database queue, as in production, with no worker: tasks wait."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def templates(credly):
    credly.templates = [make_template(i) for i in range(1, 4)]
    return credly.templates


def test_an_unconfigured_credly_queues_nothing(settings, queue):
    settings.CREDLY_API_TOKEN = "a-token"
    settings.CREDLY_ORGANIZATION_ID = ""
    result = queue_sync()
    assert result.kind == SyncQueueing.NOT_CONFIGURED
    assert str(result.problem) == "CREDLY_ORGANIZATION_ID is not set."
    assert not DBTaskResult.objects.exists()


def test_while_another_process_holds_the_lock_nothing_is_queued(credly, hold_sync_lock, queue):
    assert queue_sync() == QueueSyncResult(SyncQueueing.RUNNING)  # no run says since when
    assert not DBTaskResult.objects.exists()
    assert credly.requests == []


def test_a_running_sync_says_when_it_started(credly, hold_sync_lock):
    run = CredlySyncRun.objects.create(trigger=CredlySyncRun.Trigger.COMMAND)  # running
    result = queue_sync()
    assert (result.kind, result.running_since) == (SyncQueueing.RUNNING, run.started_at)
    # A run its process left "running" when it died stops counting when the lock's lease ends.
    CredlySyncRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - LEASE - timedelta(minutes=1)
    )
    assert queue_sync() == QueueSyncResult(SyncQueueing.RUNNING)
    assert not CredlySyncRun.objects.filter(trigger=CredlySyncRun.Trigger.ADMIN).exists()


def test_it_queues_once_while_the_task_waits_for_the_worker(templates, credly, queue):
    first = queue_sync()
    assert first.kind == SyncQueueing.QUEUED
    task = DBTaskResult.objects.get()
    assert (str(task.id), task.status) == (first.task_id, TaskResultStatus.READY)
    assert cache.get(QUEUED_TASK_KEY) == first.task_id
    assert queued_sync().id == first.task_id

    assert queue_sync() == QueueSyncResult(SyncQueueing.QUEUED_ALREADY)
    assert DBTaskResult.objects.count() == 1
    assert not CredlySyncRun.objects.exists() and credly.requests == []

    # Once the worker has taken it, the next call queues another: the sync lock keeps the two
    # from running together.
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    assert queued_sync() is None
    again = queue_sync()
    assert again.kind == SyncQueueing.QUEUED and again.task_id != first.task_id
    assert DBTaskResult.objects.count() == 2


def test_a_remembered_task_the_queue_no_longer_has_blocks_nothing(templates, queue):
    cache.set(QUEUED_TASK_KEY, str(uuid.uuid4()))
    assert queued_sync() is None
    assert queue_sync().kind == SyncQueueing.QUEUED


def test_a_backend_that_runs_tasks_at_once_gives_the_outcome(templates, credly):
    result = queue_sync()  # the test settings' ImmediateBackend
    assert result.kind == SyncQueueing.FINISHED
    run = CredlySyncRun.objects.get()
    assert (run.trigger, run.status) == (
        CredlySyncRun.Trigger.ADMIN,
        CredlySyncRun.Status.SUCCEEDED,
    )
    assert result.outcome["status"] == "succeeded" and result.outcome["run"] == run.pk
    assert result.outcome["summary"].startswith("Credly sync synced: 3 templates")
    assert cache.get(QUEUED_TASK_KEY) is None  # nothing waits


def test_a_sync_that_fails_is_finished_with_its_reason(templates, credly):
    credly.add_fault("badge_templates", page=1, status=401)
    result = queue_sync()
    assert result.kind == SyncQueueing.FINISHED  # the task ran; the sync recorded its failure
    assert result.outcome["status"] == "failed" and "expired" in result.outcome["summary"]
    assert CredlySyncRun.objects.get().status == CredlySyncRun.Status.FAILED


def test_a_task_that_raises_is_failed(templates, monkeypatch):
    def a_bug(*args, **kwargs):
        raise RuntimeError("a bug in applying the figures")

    # A bug of ours, not Credly's answer (the stand-in answers normally): the sync records the
    # run as failed and raises, so the task itself fails.
    monkeypatch.setattr(CredlySync, "_plan_and_apply", a_bug)
    result = queue_sync()
    assert result.kind == SyncQueueing.FAILED and result.outcome is None
    run = CredlySyncRun.objects.get()
    assert run.status == CredlySyncRun.Status.FAILED
    assert run.message == "Unexpected RuntimeError: a bug in applying the figures"
