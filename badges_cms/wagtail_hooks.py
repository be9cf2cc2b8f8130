from django.contrib.auth.models import Permission
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.staticfiles import versioned_static
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .admin.autosave import AutosaveSafePageViewSet
from .admin.dashboard import CredlySyncPanel
from .admin.menu import BadgeIssuerViewSet, BadgesMenu, PathwayViewSet, StepGuideViewSet
from .admin.permissions import ReadOnlyPermissionPolicy
from .catalogue import aliases
from .models import BadgeIndexPage, BadgePage, CredlyBadgeTemplate, CredlySyncRun
from .sharing.image_operations import CanvasOperation

# Synced data is Credly's: its viewsets may list and inspect it, never add, edit or delete.
# Registered before anything else here, as Wagtail asks, so no fallback policy exists yet.
for model in (CredlyBadgeTemplate, CredlySyncRun):
    register_permission_policy(model, ReadOnlyPermissionPolicy(model), exact_class=True)

register_snippet(BadgeIssuerViewSet)
register_snippet(StepGuideViewSet)
register_snippet(PathwayViewSet)


@hooks.register("register_admin_viewset")
def register_badges_menu():
    # Badges, Credly templates, Sync log, Issuance report and Credly settings; the snippets
    # above join the same menu through its submenu hook.
    return BadgesMenu()


@hooks.register("construct_homepage_panels")
def add_credly_sync_panel(request, panels):
    # Only for people who work on badges (any permission of this app): the figures and the
    # sync's health are nothing to someone who edits other parts of the site.
    if request.user.has_module_perms("badges_cms"):
        panels.append(CredlySyncPanel())


@hooks.register("register_permissions")
def register_report_permission():
    # For the group editor; the viewsets register the view and "Sync now" permissions.
    return Permission.objects.filter(
        content_type__app_label="badges_cms", codename="view_issuance_report"
    )


@hooks.register("register_image_operations")
def register_canvas_operation():
    # canvas-WxH-RRGGBB: the link-preview rendition of a badge (see image_operations.py).
    return [("canvas", CanvasOperation)]


@hooks.register("after_copy_page")
def tell_editor_copies_are_unlinked(request, page, new_page):
    # A copy never takes its original's (unique) Credly template id: say so (aliases.py).
    aliases.tell_editor_copies_are_unlinked(request, page, new_page)


@hooks.register("register_admin_viewset")
def register_autosave_safe_page_views():
    # The plugin's pages go through review: their edit view keeps autosave from undoing an
    # approval (admin/autosave.py).
    return [
        AutosaveSafePageViewSet(f"badges_cms_{model._meta.model_name}_pages", model=model)
        for model in (BadgeIndexPage, BadgePage)
    ]


@hooks.register("insert_editor_js")
def autosave_guard_js():
    # Stops the editor's autosave once its form is submitted (static/badges_cms/js/).
    return format_html(
        '<script src="{}"></script>', versioned_static("badges_cms/js/autosave-guard.js")
    )
