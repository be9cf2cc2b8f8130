"""The dashboard panel: badges published, issued in total, and the health of the Credly sync.

Everyone with a permission of this app sees it (editors need the figures and a warning when they
are out of date; wagtail_hooks.py leaves it out for everyone else); the Sync now button and the
link to the sync log only those allowed to use them.

"Badges issued in total" counts what a badge index counts: the badges issued of the templates
that visible badge pages show (each template once). Credly's own total, over every template of
the organization with a page or not, is shown beside it under its own name.
"""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Count, Sum
from django.middleware.csrf import get_token
from wagtail.admin.ui.components import Component

from .. import conf
from ..credly.alerts import sync_health
from ..models import BadgePage, CredlyBadgeTemplate, FrontendCachePurge
from .permissions import can_run_sync, can_view_sync_log
from .task_queue import tasks_left_waiting


def figure(number):
    return None if number is None else intcomma(number)


class CredlySyncPanel(Component):
    name = "badges_cms_credly_sync"
    template_name = "badges_cms/admin/dashboard_panel.html"
    order = 150  # after Wagtail's site summary, before its lists of pages

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        visible = BadgePage.objects.visible()
        in_credly = CredlyBadgeTemplate.objects.aggregate(
            issued=Sum("badges_count"), templates=Count("pk")
        )
        return {
            "request": request,
            "csrf_token": get_token(request),  # the panel is rendered from a plain dict
            "badges_published": visible.count(),
            "issued_total": figure(visible.issued_total()),
            "issued_in_credly": figure(in_credly["issued"]),
            "templates_in_credly": in_credly["templates"],
            # Said before anyone presses Sync now: which settings are missing or malformed.
            "credly_problems": conf.credly_config_problems(),
            "health": sync_health(),
            # A purge of the HTTP cache in front that failed, and was not followed by one
            # that succeeded: pages there may be out of date.
            "purge_failure": FrontendCachePurge.objects.latest_failure(),
            # Tasks queued long ago and not started: no task worker is running.
            "waiting_tasks": tasks_left_waiting(),
            "can_run_sync": can_run_sync(request.user),
            "can_view_sync_log": can_view_sync_log(request.user),
            "next_url": request.get_full_path(),
        }
