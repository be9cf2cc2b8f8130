"""POST /credly/webhook/: acknowledged at once, applied later by the worker, trusting only ids."""

import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from badges_cms.credly import tasks
from badges_cms.credly.standin import make_template, template_id
from badges_cms.models import CredlyBadgeTemplate, CredlySyncRun
from tests.support.webhooks import URL, event, issued, post, run_worker

# The real worker closes its database connection between tasks, as it should; that needs
# transactional tests rather than one wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(settings):
    """Webhook work goes through the real database queue, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def synced(credly, queued):
    credly.templates = [make_template(i) for i in range(1, 4)]
    call_command("sync_credly_badges", stdout=StringIO())
    credly.requests.clear()
    return credly


def test_the_response_comes_before_the_work_and_the_worker_updates_one_badge(synced):
    event_id = event(synced, template=2)
    synced.templates[1]["badges_count"] = 50
    response = post({"id": event_id, "organization_id": synced.organization_id})
    assert response.status_code == 200
    # Answered, queued, and not yet applied: Credly was not even asked.
    assert DBTaskResult.objects.get().status == "READY"
    assert synced.requests == [] and issued(2) == 6

    run_worker()
    assert issued(2) == 50
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    paths = [request.path for request in synced.requests]
    assert any(f"/events/{event_id}" in path for path in paths)
    assert not any(path.endswith("/badge_templates") for path in paths)  # no full sync
    assert CredlySyncRun.objects.filter(trigger="webhook", status="succeeded").count() == 1


def test_a_forged_event_id_changes_nothing(synced):
    synced.templates[0]["badges_count"] = 999
    forged = str(uuid.uuid4())  # Credly has no such event
    assert post({"id": forged, "organization_id": synced.organization_id}).status_code == 200
    run_worker()
    assert issued(1) == 3
    assert not CredlySyncRun.objects.filter(trigger="webhook").exists()


def test_the_body_is_not_trusted_for_anything_but_the_id(synced):
    # The body claims a template and a count; only the event Credly returns counts.
    event_id = event(synced, template=3)
    body = {
        "id": event_id,
        "organization_id": synced.organization_id,
        "event_type": "badge.created",
        "badge": {"badge_template": {"id": template_id(1)}, "badges_count": 12345},
    }
    post(body)
    run_worker()
    assert issued(1) == 3 and issued(3) == 9


def test_events_for_another_organization_are_acknowledged_and_ignored(synced):
    other = str(uuid.uuid4())
    response = post({"id": str(uuid.uuid4()), "organization_id": other})
    assert response.status_code == 200
    assert not DBTaskResult.objects.exists()
    # Credly's own copy of the event names another organization: ignored as well.
    event_id = event(synced, organization=other)
    synced.templates[0]["badges_count"] = 77
    post({"id": event_id, "organization_id": synced.organization_id})
    run_worker()
    assert issued(1) == 3


def test_a_deleted_template_keeps_its_figures(synced):
    event_id = event(synced, event_type="badge_template.deleted", template=2)
    synced.events[event_id]["badge_template"] = {"id": template_id(2)}
    synced.templates = [t for t in synced.templates if t["id"] != template_id(2)]
    post({"id": event_id, "organization_id": synced.organization_id})
    run_worker()
    row = CredlyBadgeTemplate.objects.get(pk=template_id(2))
    assert (row.present, row.badges_count) == (False, 6)


@pytest.mark.parametrize(
    "body, status",
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        ({"organization_id": "x"}, 400),
        ({"id": "../../admin", "organization_id": "x"}, 400),
        (b'{"id": "' + b"a" * 70_000 + b'"}', 400),
    ],
)
def test_malformed_or_oversized_bodies_get_400_and_queue_nothing(synced, body, status):
    assert post(body).status_code == status
    assert not DBTaskResult.objects.exists()


def test_only_post_is_accepted(synced):
    assert Client().get(URL).status_code == 405


def test_the_update_waits_for_a_running_sync_and_fails_loudly_if_it_never_ends(
    synced, monkeypatch, settings, hold_sync_lock
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(tasks, "LOCK_WAIT_SECONDS", 0.3)
    event_id = event(synced, template=1)
    synced.templates[0]["badges_count"] = 42
    result = tasks.process_credly_event.enqueue(event_id)
    assert result.status == "FAILED"
    assert issued(1) == 3
    assert synced.requests == []
