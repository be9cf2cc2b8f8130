"""Whether the task worker runs: background tasks (search-index updates, purges, webhook
events, Sync now) waiting in django-tasks-db's queue for longer than a worker would leave them.

The queue is looked up only where the site has django_tasks_db installed; elsewhere (another
task backend, or tasks run inline) there is nothing to say.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.db.models import Count, Min, Q
from django.utils import timezone

# A worker polls every few seconds (`db_worker --interval 2` in development, 0.2 on a server):
# a task still waiting after this long means no worker is running, or it is stuck.
WORKER_MISSING_AFTER = timedelta(minutes=5)
# django-tasks-db's run_after for a task that may run at once (its get_date_max()).
NOT_DEFERRED = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class WaitingTasks:
    count: int
    oldest: datetime  # when the longest-waiting one was queued

    @property
    def minutes(self):
        return int((timezone.now() - self.oldest).total_seconds() // 60)


def tasks_left_waiting(now=None):
    """The tasks due for more than WORKER_MISSING_AFTER and not started, or None if none are
    (or the site has no database task queue)."""
    if not apps.is_installed("django_tasks_db"):
        return None
    cutoff = (now or timezone.now()) - WORKER_MISSING_AFTER
    task_results = apps.get_model("django_tasks_database", "DBTaskResult").objects
    due = Q(run_after__gte=NOT_DEFERRED) | Q(run_after__lte=cutoff)
    waiting = task_results.filter(due, status="READY", enqueued_at__lte=cutoff).aggregate(
        count=Count("pk"), oldest=Min("enqueued_at")
    )
    if not waiting["count"]:
        return None
    return WaitingTasks(count=waiting["count"], oldest=waiting["oldest"])
