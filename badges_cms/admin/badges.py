"""Badges: every badge page in one flat listing, with its issuer, synced figures and status.

The figures come from CredlyBadgeTemplate through subqueries and the issuer through a join, so
the listing costs the same number of queries for 5 badges or 500.
"""

from functools import partial

import django_filters
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.forms import CheckboxSelectMultiple, RadioSelect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.auth import user_has_any_page_permission
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.ui.tables.pages import BulkActionsColumn, PageTitleColumn
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.models import PagePermissionTester, WorkflowState, get_default_page_content_type

from ..models import BadgeIssuer, BadgePage
from ..models.querysets import with_figures
from .columns import BadgeStatusColumn, FigureColumn


class BadgeStatusFilter(django_filters.ChoiceFilter):
    LIVE, DRAFT, IN_MODERATION = "live", "draft", "in_moderation"
    CHOICES = [
        (LIVE, _("Live")),
        (DRAFT, _("Draft (not live)")),
        (IN_MODERATION, _("In moderation")),
    ]

    def __init__(self, **kwargs):
        super().__init__(choices=self.CHOICES, **kwargs)

    def filter(self, qs, value):
        if value == self.LIVE:
            return qs.filter(live=True)
        if value == self.DRAFT:
            return qs.filter(live=False)
        if value == self.IN_MODERATION:
            # WorkflowState.object_id is text; cast the page id so PostgreSQL compares like
            # with like.
            in_progress = WorkflowState.objects.filter(
                base_content_type=get_default_page_content_type(),
                object_id=Cast(OuterRef("pk"), output_field=CharField()),
                status=WorkflowState.STATUS_IN_PROGRESS,
            )
            return qs.filter(Exists(in_progress))
        return qs


class BadgePageFilterSet(WagtailFilterSet):
    issuer = django_filters.ModelMultipleChoiceFilter(
        label=_("Issuer"), queryset=BadgeIssuer.objects.all(), widget=CheckboxSelectMultiple
    )
    status = BadgeStatusFilter(label=_("Status"), empty_label=_("Any"), widget=RadioSelect)

    class Meta:
        model = BadgePage
        fields = []


class LeafPagePermissionTester(PagePermissionTester):
    """Wagtail's delete and move checks ask the database whether "this page and its descendants"
    include live pages or other owners' pages: one query per listed page for users without
    publish permission. A page without children (badge pages never have any) is its own subtree,
    so the same answer comes from the row already loaded."""

    def can_delete(self, ignore_bulk=False):
        if self.page.numchild or self.page_is_root or not self.user.is_active:
            return super().can_delete(ignore_bulk)
        if self.user.is_superuser:
            return True
        owned = self.page.owner_id == self.user.pk
        if "change" in self.permissions:
            return "publish" in self.permissions or not self.page.live
        if "add" in self.permissions:
            return owned if "publish" in self.permissions else owned and not self.page.live
        return False


class BadgePageIndexView(IndexView):
    page_title = _("Badges")
    default_ordering = "title"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The listing's action menus call page.permissions_for_user(); hand them the tester
        # that answers from the loaded row (see LeafPagePermissionTester).
        for page in context["object_list"]:
            page.permissions_for_user = partial(LeafPagePermissionTester, page=page)
        return context

    def get_base_queryset(self):
        # The names BadgePage.issued_count and is_retired read instead of querying (an alias
        # shows its original's figures).
        return with_figures(super().get_base_queryset(), synced_at="synced_at").select_related(
            "issuer", for_specific_subqueries=True
        )


class BadgePageListingViewSet(PageListingViewSet):
    model = BadgePage
    name = "badges"
    url_namespace = "badges_cms_badges"
    icon = "tag"
    menu_label = _("Badges")
    index_view_class = BadgePageIndexView
    filterset_class = BadgePageFilterSet
    columns = [
        BulkActionsColumn("bulk_actions"),
        PageTitleColumn("title", label=_("Title"), sort_key="title", classname="title"),
        Column("issuer", label=_("Issuer"), accessor="issuer.short_name", sort_key="issuer__name"),
        FigureColumn(
            "issued_count", label=_("Issued"), sort_key="synced_badges_count", width="10%"
        ),
        DateColumn("synced_at", label=_("Last synced"), sort_key="synced_at", width="14%"),
        BadgeStatusColumn("status", label=_("Status"), sort_key="live", width="18%"),
    ]

    @cached_property
    def menu_item_class(self):
        class BadgesMenuItem(MenuItem):
            def is_shown(self, request):
                # The listing shows only pages the user may work on; without any page
                # permission it would always be empty.
                return user_has_any_page_permission(request.user)

        return BadgesMenuItem
