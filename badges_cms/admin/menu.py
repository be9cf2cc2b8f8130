"""The "Badges" menu: every staff screen of the plugin under one item of the admin's sidebar.

The issuer, step-guide and pathway snippets stay registered through register_snippet (Wagtail
needs to know them as snippets from start-up: choosers, permissions); their menu items join the
group through the group's submenu hook instead of its items.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import BadgeIssuer, Pathway, StepGuide
from .badges import BadgePageListingViewSet
from .credly_settings import CredlySettingsViewSet
from .credly_templates import CredlyTemplateViewSet
from .reports import IssuanceReportViewSet
from .sync_log import SyncRunViewSet

BADGES_MENU_HOOK = "register_badges_cms_menu_item"


class BadgeIssuerViewSet(SnippetViewSet):
    model = BadgeIssuer
    icon = "group"
    menu_label = _("Issuers")
    menu_hook = BADGES_MENU_HOOK
    menu_order = 20
    list_display = ["name", "acronym", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym"]
    ordering = ["name"]


class StepGuideViewSet(SnippetViewSet):
    model = StepGuide
    icon = "list-ol"
    menu_label = _("Step guides")
    menu_hook = BADGES_MENU_HOOK
    menu_order = 30
    list_display = ["title", "slug"]


class PathwayViewSet(SnippetViewSet):
    model = Pathway
    icon = "tasks"
    menu_label = _("Pathways")
    menu_hook = BADGES_MENU_HOOK
    menu_order = 25
    list_display = ["title", "issuer", "slug"]
    list_filter = ["issuer", "live"]
    search_fields = ["title", "description"]
    ordering = ["title"]


class BadgesMenu(ViewSetGroup):
    menu_label = _("Badges")
    menu_icon = "tag"
    menu_order = 210  # where the Issuers item used to be, after Pages and Images
    submenu_hook = BADGES_MENU_HOOK
    items = (
        BadgePageListingViewSet(menu_order=10),
        CredlyTemplateViewSet(menu_order=40),
        SyncRunViewSet(menu_order=50),
        IssuanceReportViewSet(menu_order=60),
        CredlySettingsViewSet(menu_order=70),
    )
