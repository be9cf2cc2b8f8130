"""Autosave may never undo an approval.

Wagtail 8.0.1's editor autosaves (a POST to the page's edit URL asking for JSON) in the
background, and keeps doing so after the form has been submitted: an autosave may copy the
workflow action buttons' hidden fields, and it sends a copy of the page as loaded before the
approval's publish. When it overlaps the approval, Wagtail's edit view reads the page before the
publish and writes it back after (the page is left unpublished), or runs the workflow action a
second time on a workflow that has just finished (a 500).

This module's edit view, a subclass of Wagtail's, makes three promises for the plugin's pages:

- one POST at a time to a page's edit view and workflow action view (across processes on
  PostgreSQL, within one on SQLite, whose development server is one threaded process), so an
  autosave reads the page only after an approval in progress has finished, and the other way
  round;
- an autosave never performs an action: a request carrying a submit, publish or workflow action
  is refused;
- an autosave never saves over a publish its editor has not seen: the form's URL carries how the
  page was published when it was loaded, and an autosave is refused once that has changed.

A refusal answers as Wagtail refuses an autosave of an outdated version ("invalid_revision"):
its client pauses autosave and says why in the footer, with no dialog. The browser side
(static/badges_cms/js/autosave-guard.js) stops autosave once the form is submitted.
"""

import threading
import zlib
from contextlib import contextmanager

from django.db import connection
from django.utils.translation import gettext as _
from wagtail.admin.utils import set_query_params
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.workflow import WorkflowActionView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import Page

# The buttons (and the hidden fields the workflow buttons add) that make a POST to the edit view
# do more than save a draft.
ACTION_FIELDS = (
    "action-publish",
    "action-submit",
    "action-restart-workflow",
    "action-workflow-action",
    "action-cancel-workflow",
)
LOADED_PUBLICATION_PARAM = "loaded_publication"
# The first of the two 32-bit keys of the edit lock; the second is the page's id.
ADVISORY_CLASS = zlib.crc32(b"badges_cms:page-edit") & 0x7FFFFFFF

_process_locks = {}
_process_locks_guard = threading.Lock()


def publication(page_id):
    """The page's live revision and a token that changes with every publish and unpublish."""
    live_revision_id, last_published_at = (
        Page.objects.filter(pk=page_id).values_list("live_revision_id", "last_published_at").get()
    )
    if live_revision_id is None:
        return None, "unpublished"
    return live_revision_id, f"{live_revision_id}@{last_published_at}"


@contextmanager
def page_edit_lock(page_id):
    """Hold the page's edit lock: on PostgreSQL an advisory lock (held to the end of the
    transaction when the request is already in one, as under ATOMIC_REQUESTS), elsewhere a lock
    in this process."""
    if connection.vendor == "postgresql":
        in_transaction = connection.in_atomic_block
        with connection.cursor() as cursor:
            if in_transaction:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_CLASS, page_id])
            else:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_CLASS, page_id])
        try:
            yield
        finally:
            if not in_transaction:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_CLASS, page_id])
    else:
        with _process_locks_guard:
            lock = _process_locks.setdefault(page_id, threading.Lock())
        with lock:
            yield


class PageEditLockMixin:
    """POSTs to the view wait for the page's edit lock, taken before Wagtail's dispatch reads
    the page and its latest revision."""

    def dispatch(self, request, *args, **kwargs):
        if request.method != "POST":
            return super().dispatch(request, *args, **kwargs)
        with page_edit_lock(int(kwargs["page_id"])):
            return super().dispatch(request, *args, **kwargs)


class AutosaveSafeEditView(PageEditLockMixin, EditView):
    def post(self, request, *args, **kwargs):
        if self.expects_json_response:
            refusal = self.autosave_refusal()
            if refusal:
                return self.json_error_response("invalid_revision", refusal)
        return super().post(request, *args, **kwargs)

    def autosave_refusal(self):
        """Why this autosave must not be saved, or None."""
        if any(name in self.request.POST for name in ACTION_FIELDS):
            return _("Autosave has stopped because the page has been submitted.")
        live_revision_id, token = publication(self.page.pk)
        loaded = self.request.GET.get(LOADED_PUBLICATION_PARAM)
        # Without the token (a page the create view's autosave made), at least never overwrite
        # the revision that is live.
        overwrites_live = live_revision_id is not None and self.request.POST.get(
            "overwrite_revision_id"
        ) == str(live_revision_id)
        if (loaded is not None and loaded != token) or overwrites_live:
            return _(
                "This page has been published since you opened it. Reload the page to go on "
                "editing the published version."
            )
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.expects_json_response and not self.hydrate_create_view:
            # The form's URL, which its autosaves post to, says how the page was published
            # when it was loaded.
            context["action_url"] = set_query_params(
                context["action_url"],
                {LOADED_PUBLICATION_PARAM: publication(self.page.pk)[1]},
            )
        return context


class LockedWorkflowActionView(PageEditLockMixin, WorkflowActionView):
    """An approval from the dashboard waits, like one from the editor, for an autosave in
    progress."""


class AutosaveSafePageViewSet(PageViewSet):
    """Wagtail's page views for one page type, with the two views above."""

    edit_view_class = AutosaveSafeEditView
    workflow_action_view_class = LockedWorkflowActionView
    # Leave the explorer's listing of the parent page as Wagtail's base viewset makes it.
    parent_models = ()
