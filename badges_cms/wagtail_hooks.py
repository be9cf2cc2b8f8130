from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import BadgeIssuer, StepGuide


class BadgeIssuerViewSet(SnippetViewSet):
    model = BadgeIssuer
    icon = "group"
    menu_label = _("Issuers")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "acronym", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym"]
    ordering = ["name"]


class StepGuideViewSet(SnippetViewSet):
    model = StepGuide
    icon = "list-ol"
    menu_label = _("Step guides")
    list_display = ["title", "slug"]


register_snippet(BadgeIssuerViewSet)
register_snippet(StepGuideViewSet)
