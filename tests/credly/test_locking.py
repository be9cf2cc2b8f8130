"""Two syncs started together on PostgreSQL: one works, the other skips without calling Credly."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from badges_cms.credly.standin import make_template
from badges_cms.models import CredlyBadgeTemplate, CredlySyncRun


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_syncs_started_together_one_works_one_skips(credly, settings):
    assert connection.vendor == "postgresql"
    settings.BADGES_CMS_SYNC_LOCK_WAIT = 30  # the second waits for the first, then stands down
    credly.templates = [make_template(i) for i in range(1, 151)]
    # Three pages: the first sync holds the lock for about two seconds (each answer stays under
    # the tests' 1 s read timeout), long enough for the second to find it held even when a busy
    # machine (parallel test workers) delays its start.
    credly.latency = 0.6
    start = threading.Barrier(2)
    outputs, errors = [], []

    def run_sync():
        out = StringIO()
        try:
            start.wait()
            call_command("sync_credly_badges", stdout=out)
            outputs.append(out.getvalue())
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection (and advisory lock)

    threads = [threading.Thread(target=run_sync) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(run.status for run in CredlySyncRun.objects.all()) == ["skipped", "succeeded"]
    assert sum("Another sync was running and has since succeeded" in out for out in outputs) == 1
    # Only the winner talked to Credly: one request per page of 50.
    assert len(credly.requests_to("/badge_templates")) == 3
    assert CredlyBadgeTemplate.objects.count() == 150


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_advisory_lock_is_released_after_a_failed_sync(credly):
    credly.templates = [make_template(1)]
    credly.add_fault("badge_templates", status=401)
    with pytest.raises(Exception, match="expired"):
        call_command("sync_credly_badges", stdout=StringIO())
    call_command("sync_credly_badges", stdout=StringIO())
    assert CredlySyncRun.objects.filter(status="succeeded").count() == 1
