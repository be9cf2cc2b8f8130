"""The dashboard panel: badges published, issued in total, and the sync's health in four states."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from badges_cms.credly.alerts import HealthState, sync_health
from badges_cms.credly.tasks import run_credly_sync
from badges_cms.models import CredlySyncRun
from tests.support.staff import run_at

pytestmark = pytest.mark.django_db


def panel(client, user):
    client.force_login(user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    match = re.search(r'<section[^>]*id="badges-cms-credly-section".*?</section>', html, re.S)
    assert match, "the panel is missing from the dashboard"
    return match.group(0)


def state_of(html):
    return re.search(r'data-health-state="(\w+)"', html).group(1)


def test_never_synced(client, staff):
    html = panel(client, staff["editor"])
    assert state_of(html) == "never"
    assert "No full sync with Credly has finished yet." in html
    assert "help-critical" not in html and "help-warning" not in html


def test_healthy(client, staff):
    run_at("succeeded", hours_ago=2)
    html = panel(client, staff["editor"])
    assert state_of(html) == "healthy"
    assert "The figures are up to date." in html
    assert "help-critical" not in html and "help-warning" not in html


def test_stale_after_36_hours(client, staff):
    run_at("succeeded", hours_ago=37)
    html = panel(client, staff["editor"])
    assert state_of(html) == "stale"
    assert "help-warning" in html
    assert "No sync has succeeded for more than 36 hours." in html


def test_failed(client, staff):
    run_at("succeeded", hours_ago=5)
    run_at("failed", hours_ago=1, message="Credly refused the API token (HTTP 401).")
    html = panel(client, staff["editor"])
    assert state_of(html) == "failed"
    assert "help-critical" in html
    assert "Credly refused the API token (HTTP 401)." in html
    assert "The last successful sync finished" in html


def test_a_success_after_a_failure_is_healthy_again(client, staff):
    run_at("failed", hours_ago=3, message="Credly answered HTTP 503.")
    run_at("succeeded", hours_ago=1)
    assert state_of(panel(client, staff["editor"])) == "healthy"


@pytest.mark.parametrize(
    "hours_ago, expected", [(35.9, HealthState.HEALTHY), (36.1, HealthState.STALE)]
)
def test_the_36_hour_line(db, hours_ago, expected):
    run_at("succeeded", hours_ago=hours_ago)
    assert sync_health().state == expected


def test_the_threshold_is_a_setting(db, settings):
    settings.BADGES_CMS_SYNC_STALE_AFTER_HOURS = 12
    run_at("succeeded", hours_ago=13)
    assert sync_health().state == HealthState.STALE


def test_webhook_refreshes_and_skipped_runs_do_not_count(db):
    # A webhook refreshes one template; it says nothing about whether the nightly sync works.
    run_at("succeeded", hours_ago=48)
    run_at("succeeded", hours_ago=1, trigger="webhook")
    run_at("skipped", hours_ago=1)
    assert sync_health().state == HealthState.STALE
    run_at("failed", hours_ago=0.5, trigger="webhook", message="HTTP 503")
    assert sync_health().state == HealthState.STALE


def test_a_sync_now_run_counts(db):
    run_at("succeeded", hours_ago=48)
    run_at("succeeded", hours_ago=1, trigger="admin")
    assert sync_health().state == HealthState.HEALTHY


def test_a_running_sync_is_shown_and_hides_the_button(client, staff):
    run_at("succeeded", hours_ago=20)
    CredlySyncRun.objects.create(status="running", trigger="command")
    html = panel(client, staff["manager"])
    assert "Running now" in html
    assert reverse("badges_cms_sync_log:sync_now") not in html


def test_a_run_left_running_by_a_dead_process_stops_counting(db):
    run = CredlySyncRun.objects.create(status="running", trigger="command")
    assert sync_health().running == run
    run_at("succeeded", hours_ago=2)
    CredlySyncRun.objects.filter(pk=run.pk).update(started_at=run.started_at.replace(year=2020))
    assert sync_health().running is None


def test_figures_count_published_badges_and_credly_counts_every_template(
    client, staff, synced, make_badge
):
    make_badge("Not yet published", publish=False)
    html = panel(client, staff["editor"])
    published = re.search(r'data-figure="badges-published">(\d+)<', html).group(1)
    issued = re.search(r'data-figure="issued-total">([\d,]+)<', html).group(1)
    in_credly = re.search(r'data-figure="issued-in-credly">([\d,]+)<', html).group(1)
    # The published badges show templates 1 and 2 (3 + 6 issued); Credly's four templates, those
    # without a page among them, 3 + 6 + 9 + 12. The draft is not counted.
    assert (published, issued, in_credly) == ("2", "9", "30")
    assert "across all 4 of the organization's templates" in html


def test_before_any_sync_the_total_is_unknown_not_zero(client, staff):
    html = panel(client, staff["editor"])
    assert 'data-figure="issued-total">—<' in html


def test_the_panel_costs_the_same_few_queries_with_more_badges(client, staff, synced, make_badge):
    client.force_login(staff["editor"])
    url = reverse("wagtailadmin_home")
    client.get(url)

    def plugin_queries():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return [query for query in queries.captured_queries if "badges_cms" in query["sql"]]

    before = plugin_queries()
    for number in range(6):
        make_badge(f"Extra badge {number}")
    assert len(plugin_queries()) == len(before) <= 8


def test_the_panel_is_only_for_people_who_work_on_badges(client, staff):
    """Someone who may open the admin for other work, with no permission of the badges app,
    gets Wagtail's dashboard without the Credly panel; each badges role gets it."""
    outsider = get_user_model().objects.create_user("outsider", "o@example.org", "pw")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(outsider)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert "badges-cms-credly-section" not in response.content.decode()
    for role in ("editor", "moderator", "manager", "superuser"):
        assert "badges-cms-credly-section" in panel(client, staff[role])


def test_an_unconfigured_credly_is_said_before_anyone_presses_sync_now(client, staff, settings):
    settings.CREDLY_API_TOKEN = ""
    settings.CREDLY_ORGANIZATION_ID = ""
    html = panel(client, staff["manager"])
    assert 'data-credly-state="not-configured"' in html
    assert (
        "Credly is not configured: CREDLY_API_TOKEN and CREDLY_ORGANIZATION_ID are not set." in html
    )
    assert reverse("badges_cms_sync_log:sync_now") not in html  # it could only fail


def test_a_configured_credly_is_not_flagged(client, staff, credly):
    html = panel(client, staff["manager"])
    assert "Credly is not configured" not in html
    assert reverse("badges_cms_sync_log:sync_now") in html


def test_a_malformed_setting_is_named_too(client, staff, credly, settings):
    settings.CREDLY_ORGANIZATION_ID = "not-a-uuid"
    html = panel(client, staff["editor"])
    assert "Credly is not configured: CREDLY_ORGANIZATION_ID is not a UUID" in html


@pytest.fixture
def database_queue(settings):
    """Tasks go to django-tasks-db's queue, as on a server, and wait there: no worker runs."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queue_task(minutes_ago, run_after=None):
    task = run_credly_sync.using(run_after=run_after) if run_after else run_credly_sync
    result = task.enqueue()
    queued_at = timezone.now() - timedelta(minutes=minutes_ago)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=queued_at)


def test_tasks_waiting_for_minutes_say_the_worker_is_not_running(client, staff, database_queue):
    queue_task(minutes_ago=12)
    queue_task(minutes_ago=7)
    html = panel(client, staff["editor"])
    assert 'data-task-queue="waiting"' in html
    assert "2 background tasks have been waiting, the oldest for 12 minutes" in html
    assert "the task worker does not seem to be running" in html
    assert "python manage.py db_worker" in html


def test_tasks_just_queued_or_deferred_are_no_cause_for_alarm(client, staff, database_queue):
    queue_task(minutes_ago=1)  # a worker picks it up in seconds
    queue_task(minutes_ago=30, run_after=timezone.now() + timedelta(minutes=1))  # not due yet
    html = panel(client, staff["editor"])
    assert 'data-task-queue="waiting"' not in html
