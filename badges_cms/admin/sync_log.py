"""The sync log (CredlySyncRun, read-only) and "Sync now", which queues a full sync.

Sync now never runs two syncs at once; the rules are credly.tasks.queue_sync's, and this screen
only says what it did.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic import IndexView, InspectView, WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from ..credly.alerts import format_time, sync_health
from ..credly.locking import lock_is_held as sync_lock_is_held
from ..credly.tasks import SyncQueueing, queue_sync
from ..models import CredlySyncRun
from ..times import site_time
from .columns import FigureColumn
from .permissions import ReadOnlyViewSetMixin, can_run_sync


class SyncNowView(WagtailAdminTemplateMixin, TemplateView):
    """GET: a confirmation page (the header button is a plain link); POST: queue the sync."""

    template_name = "badges_cms/admin/sync_now.html"
    page_title = gettext_lazy("Sync now")
    header_icon = "rotate"
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not can_run_sync(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Sync log")},
            {"url": "", "label": _("Sync now")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            health=sync_health(),
            running=sync_lock_is_held(),
            next_url=get_valid_next_url_from_request(self.request),
        )
        return context

    def post(self, request):
        back = get_valid_next_url_from_request(request) or reverse(self.index_url_name)
        queueing = queue_sync()
        if queueing.kind == SyncQueueing.NOT_CONFIGURED:
            messages.error(
                request, _("Credly is not configured: %(problem)s") % {"problem": queueing.problem}
            )
        elif queueing.kind == SyncQueueing.RUNNING:
            if queueing.running_since is not None:
                started = _("It started %(when)s.") % {"when": format_time(queueing.running_since)}
            else:
                started = ""
            messages.warning(
                request,
                " ".join(
                    [_("A sync is already running; no second one was started."), started]
                ).strip(),
            )
        elif queueing.kind == SyncQueueing.QUEUED_ALREADY:
            messages.warning(
                request,
                _(
                    "A sync is already queued and waiting for the task worker; no second one "
                    "was queued."
                ),
            )
        elif queueing.kind == SyncQueueing.QUEUED:
            messages.success(
                request,
                _(
                    "Sync queued. It runs in the background in a minute or two; its result "
                    "appears in the sync log."
                ),
            )
        elif queueing.kind == SyncQueueing.FINISHED:
            # A backend that runs tasks at once (development, tests) has the outcome already.
            outcome = queueing.outcome
            say = {
                CredlySyncRun.Status.SUCCEEDED: messages.success,
                CredlySyncRun.Status.SKIPPED: messages.warning,
            }.get(outcome["status"], messages.error)
            say(request, outcome["summary"])
        else:  # SyncQueueing.FAILED
            messages.error(request, _("The sync could not run; the task worker's log says why."))
        return redirect(back)


class SyncRunIndexView(IndexView):
    page_title = gettext_lazy("Sync log")
    sync_now_url_name = None

    @cached_property
    def columns(self):
        columns = super().columns
        # The title column (started_at, linking to the run) in the site's time zone, as the
        # run's own page shows it, rather than in whichever zone the request activated.
        columns[0].accessor = started_at
        return columns

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if can_run_sync(self.request.user):
            query = urlencode({"next": self.request.path})
            url = f"{reverse(self.sync_now_url_name)}?{query}"
            buttons = [*buttons, HeaderButton(_("Sync now"), url=url, icon_name="rotate")]
        return buttons


def started_at(run):
    return site_time(run.started_at)


class SyncRunInspectView(InspectView):
    """A run's details; its times in the site's time zone, like the list (Wagtail's inspect
    view would print them in UTC)."""

    def get_started_at_display_value(self):
        return site_time(self.object.started_at)

    def get_finished_at_display_value(self):
        return site_time(self.object.finished_at) or "—"


def run_duration(run):
    if run.duration is None:
        return ""
    return _("%(seconds).1f s") % {"seconds": run.duration.total_seconds()}


def short_message(run):
    return Truncator(run.message).chars(120)


class SyncRunViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    model = CredlySyncRun
    name = "credly_sync_log"
    url_prefix = "credly/sync-log"
    url_namespace = "badges_cms_sync_log"
    icon = "history"
    menu_label = gettext_lazy("Sync log")
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SyncRunIndexView
    inspect_view_class = SyncRunInspectView
    list_filter = ["status", "trigger"]
    ordering = ["-started_at", "-id"]
    list_per_page = 50
    list_display = [
        "started_at",
        StatusTagColumn(
            "status",
            label=gettext_lazy("Result"),
            accessor="get_status_display",
            primary=lambda run: run.status == CredlySyncRun.Status.SUCCEEDED,
            sort_key="status",
            width="10%",
        ),
        Column(
            "trigger",
            label=gettext_lazy("Started by"),
            accessor="get_trigger_display",
            width="9%",
        ),
        Column("duration", label=gettext_lazy("Took"), accessor=run_duration, width="7%"),
        FigureColumn("templates_seen", label=gettext_lazy("Templates"), width="8%"),
        FigureColumn("templates_created", label=gettext_lazy("New"), width="5%"),
        FigureColumn("templates_updated", label=gettext_lazy("Changed"), width="7%"),
        FigureColumn("templates_missing", label=gettext_lazy("Gone"), width="5%"),
        FigureColumn("requests_made", label=gettext_lazy("Requests"), width="7%"),
        Column("message", label=gettext_lazy("Message"), accessor=short_message, width="20%"),
    ]
    inspect_view_fields = [
        "status",
        "trigger",
        "dry_run",
        "started_at",
        "finished_at",
        "requests_made",
        "templates_seen",
        "templates_created",
        "templates_updated",
        "templates_missing",
        "pages_created",
        "message",
    ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            sync_now_url_name=self.get_url_name("sync_now"), **kwargs
        )

    @property
    def sync_now_view(self):
        return SyncNowView.as_view(index_url_name=self.get_url_name("index"))

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("sync-now/", self.sync_now_view, name="sync_now"),
        ]

    def get_permissions_to_register(self):
        # The view permission and "Sync now" (run_credly_sync); adding or editing runs is not
        # something anyone may do.
        permissions = super().get_permissions_to_register()
        return permissions.filter(codename__in=["view_credlysyncrun", "run_credly_sync"])
