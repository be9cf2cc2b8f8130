"""The dashboard panel: badges published, issued in total, and the health of the Credly sync.

Everyone with a permission of this app sees it (editors need the figures and a warning when they
are out of date; wagtail_hooks.py leaves it out for everyone else); the Sync now button and the
link to the sync log only those allowed to use them.
"""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Sum
from django.middleware.csrf import get_token
from wagtail.admin.ui.components import Component

from ..credly.alerts import sync_health
from ..models import BadgePage, CredlyBadgeTemplate, FrontendCachePurge
from .permissions import can_run_sync, can_view_sync_log


class CredlySyncPanel(Component):
    name = "badges_cms_credly_sync"
    template_name = "badges_cms/admin/dashboard_panel.html"
    order = 150  # after Wagtail's site summary, before its lists of pages

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        issued = CredlyBadgeTemplate.objects.aggregate(total=Sum("badges_count"))["total"]
        return {
            "request": request,
            "csrf_token": get_token(request),  # the panel is rendered from a plain dict
            "badges_published": BadgePage.objects.live().count(),
            "issued_total": None if issued is None else intcomma(issued),
            "health": sync_health(),
            # A purge of the HTTP cache in front that failed, and was not followed by one
            # that succeeded: pages there may be out of date.
            "purge_failure": FrontendCachePurge.objects.latest_failure(),
            "can_run_sync": can_run_sync(request.user),
            "can_view_sync_log": can_view_sync_log(request.user),
            "next_url": request.get_full_path(),
        }
