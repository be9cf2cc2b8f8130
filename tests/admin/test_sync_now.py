"""Sync now: a POST with CSRF from a badge manager queues the full sync as a task; a second press
while a sync runs or waits says so instead of starting another."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from badges_cms.credly.standin import make_template
from badges_cms.credly.tasks import QUEUED_TASK_KEY, run_credly_sync
from badges_cms.models import CredlySyncRun

URL = "badges_cms_sync_log:sync_now"


def last_message(response):
    """The message this response added (earlier ones wait until a page shows them)."""
    return [str(message).strip() for message in get_messages(response.wsgi_request)][-1]


@pytest.mark.django_db
def test_the_confirmation_page_posts_with_a_csrf_token(staff, synced):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["manager"])
    assert client.post(reverse(URL)).status_code == 403  # no token, no sync
    html = client.get(reverse(URL)).content.decode()
    form = re.search(
        r'<form action="/admin/credly/sync-log/sync-now/" method="post".*?</form>', html, re.S
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    response = client.post(reverse(URL), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert CredlySyncRun.objects.filter(trigger="admin", status="succeeded").count() == 1


@pytest.mark.django_db
def test_run_inline_it_reports_the_outcome(client, staff, synced):
    synced["credly"].templates[0]["badges_count"] = 50
    client.force_login(staff["manager"])
    response = client.post(reverse(URL), {"next": reverse("wagtailadmin_home")})
    assert response.url == reverse("wagtailadmin_home")
    assert re.fullmatch(
        r"Credly sync synced: 4 templates \(0 new, 1 changed, 0 gone from Credly\); "
        r"1 request in [\d.]+s\.",
        last_message(response),
    )


@pytest.mark.django_db
def test_a_failed_sync_is_reported_as_an_error(client, staff, synced):
    synced["credly"].add_fault("badge_templates", page=1, status=401)
    client.force_login(staff["manager"])
    response = client.post(reverse(URL))
    [message] = get_messages(response.wsgi_request)
    assert message.level_tag == "error" and "expired" in str(message)
    assert CredlySyncRun.objects.latest().status == "failed"


@pytest.mark.django_db
def test_a_second_press_while_a_sync_runs_starts_nothing(client, staff, synced, hold_sync_lock):
    client.force_login(staff["manager"])
    runs = CredlySyncRun.objects.count()
    response = client.post(reverse(URL))
    assert last_message(response) == "A sync is already running; no second one was started."
    assert CredlySyncRun.objects.count() == runs
    assert len(synced["credly"].requests_to("/badge_templates")) == 1  # the fixture's sync


@pytest.mark.django_db
def test_an_unconfigured_credly_is_said_at_once(client, staff, settings):
    settings.CREDLY_API_TOKEN = "a-token"
    settings.CREDLY_ORGANIZATION_ID = ""
    client.force_login(staff["manager"])
    response = client.post(reverse(URL))
    assert last_message(response) == "Credly is not configured: CREDLY_ORGANIZATION_ID is not set."
    assert not CredlySyncRun.objects.exists()


@pytest.fixture
def queued(settings):
    """Sync now goes through the real database queue, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield
    cache.delete(QUEUED_TASK_KEY)  # the queued task's id outlives the test's database


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture
def manager_with_sync_now(credly):
    """A badge manager by permission alone, for the transactional tests below (they need no
    pages or groups), and three templates in Credly."""
    credly.templates = [make_template(i) for i in range(1, 4)]
    user = get_user_model().objects.create_user("manager", "manager@example.org", "pw")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="run_credly_sync"),
    )
    return user


# The worker closes its database connection between tasks, as it should: transactional tests.
# serialized_rollback puts back what the migrations made (content types, Wagtail's first pages)
# for the transactional tests that come after, as the browser tests do.
QUEUE_TEST = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@QUEUE_TEST
def test_it_queues_a_task_and_a_second_press_waits_for_it(manager_with_sync_now, queued):
    client = Client()
    client.force_login(manager_with_sync_now)
    runs = CredlySyncRun.objects.count()

    first = client.post(reverse(URL))
    assert "Sync queued" in last_message(first)
    assert DBTaskResult.objects.get().status == "READY"
    assert CredlySyncRun.objects.count() == runs  # nothing ran yet

    second = client.post(reverse(URL))
    assert "already queued" in last_message(second)
    assert DBTaskResult.objects.count() == 1

    run_worker()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    run = CredlySyncRun.objects.latest()
    assert (run.trigger, run.status) == ("admin", "succeeded")

    third = client.post(reverse(URL))  # the queued one is done: a new one may be queued
    assert "Sync queued" in last_message(third)
    assert DBTaskResult.objects.count() == 2


@QUEUE_TEST
def test_a_queued_sync_that_meets_a_running_one_is_skipped(credly, queued, hold_sync_lock):
    run_credly_sync.enqueue()
    run_worker()
    run = CredlySyncRun.objects.latest()
    assert (run.trigger, run.status) == ("admin", "skipped")
