"""Two syncs started together on PostgreSQL: one works, the other skips without calling Credly."""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from badges_cms.credly.locking import INTENT_LOCK, advisory_key, lock_is_held
from badges_cms.credly.standin import make_template
from badges_cms.models import CredlyBadgeTemplate, CredlySyncRun


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_syncs_started_together_one_works_one_skips(credly, settings):
    assert connection.vendor == "postgresql"
    settings.BADGES_CMS_SYNC_LOCK_WAIT = 30  # the second waits for the first, then stands down
    credly.templates = [make_template(i) for i in range(1, 151)]
    intent_key = str(advisory_key(INTENT_LOCK))
    second_refused = threading.Event()
    outputs, errors = [], []

    def hold_the_lock_until_the_second_was_refused(execute, sql, params, many, context):
        # The first sync keeps its locks until the second has asked for them and been told no,
        # however long a busy machine takes to start the second.
        if "pg_advisory_unlock" in sql:
            assert second_refused.wait(30), "the second sync never asked for the lock"
        return execute(sql, params, many, context)

    tries = []

    def count_the_second_syncs_tries(execute, sql, params, many, context):
        # A second try at the intent lock means the first was refused.
        if "pg_try_advisory_lock" in sql and str(params[0]) == intent_key:
            tries.append(sql)
            if len(tries) == 2:
                second_refused.set()
        return execute(sql, params, many, context)

    def run_sync(wrapper):
        out = StringIO()
        try:
            with connection.execute_wrapper(wrapper):
                call_command("sync_credly_badges", stdout=out)
            outputs.append(out.getvalue())
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection (and advisory lock)

    first = threading.Thread(target=run_sync, args=[hold_the_lock_until_the_second_was_refused])
    second = threading.Thread(target=run_sync, args=[count_the_second_syncs_tries])
    first.start()
    deadline = time.monotonic() + 30
    while not lock_is_held(INTENT_LOCK) and first.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    second.start()
    for thread in (first, second):
        thread.join(timeout=60)
    assert errors == []
    assert second_refused.is_set()
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
