"""The issuance report: issued (and accepted) counts per badge and per issuer, with Wagtail's CSV
and XLSX export, and a chart of the totals over time from the daily snapshots.

A row is a Credly badge template, the unit Credly counts. Its badge page, and through the page
its issuer, are looked up with subqueries, so templates nobody has made a page for yet are in
the figures too ("no badge page yet"): the report's totals are Credly's totals.
"""

import django_filters
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery, Sum
from django.forms import CheckboxSelectMultiple
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.base import ViewSet

from ..models import BadgeIssuer, BadgePage, CredlyBadgeTemplate, CredlyIssuanceSnapshot
from .charts import issuance_chart
from .columns import FigureColumn, LinkColumn
from .filters import TemplateStateFilter
from .permissions import can_view_report

NO_ISSUER = _("No issuer (no badge page yet, or its page has none)")


def with_badge_pages(templates):
    """Templates annotated with their badge page's id, title and issuer (one subquery each)."""
    page = BadgePage.objects.linked_to(OuterRef("pk"))
    return templates.annotate(
        badge_page_id=Subquery(page.values("pk")[:1]),
        badge_page_title=Subquery(page.values("title")[:1]),
        badge_issuer_id=Subquery(page.values("issuer_id")[:1]),
        badge_issuer_name=Subquery(page.values("issuer__name")[:1]),
    )


def badge_page_edit_url(template):
    if template.badge_page_id is None:
        return None
    return reverse("wagtailadmin_pages:edit", args=(template.badge_page_id,))


class IssuerFilter(django_filters.ModelMultipleChoiceFilter):
    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(badge_issuer_id__in=[issuer.pk for issuer in value])


class IssuanceFilterSet(WagtailFilterSet):
    issuer = IssuerFilter(
        label=_("Issuer"), queryset=BadgeIssuer.objects.all(), widget=CheckboxSelectMultiple
    )
    state = TemplateStateFilter()

    class Meta:
        model = CredlyBadgeTemplate
        fields = []


class IssuanceReportMixin:
    header_icon = "table"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not can_view_report(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report_tabs"] = [
            {
                "url": reverse("badges_cms_report:index"),
                "label": _("Per badge"),
                "current": self.index_url_name == "badges_cms_report:index",
            },
            {
                "url": reverse("badges_cms_report:issuers"),
                "label": _("Per issuer"),
                "current": self.index_url_name == "badges_cms_report:issuers",
            },
        ]
        return context


class IssuancePerBadgeView(IssuanceReportMixin, ReportView):
    page_title = _("Issuance report")
    template_name = "badges_cms/admin/report.html"
    results_template_name = "badges_cms/admin/report_results.html"
    index_url_name = "badges_cms_report:index"
    index_results_url_name = "badges_cms_report:index_results"
    model = CredlyBadgeTemplate
    filterset_class = IssuanceFilterSet
    default_ordering = "-badges_count"
    export_filename = "badge-issuance"
    columns = [
        Column("name", label=_("Credly template"), sort_key="name"),
        LinkColumn(
            "badge_page_title",
            label=_("Badge page"),
            accessor=lambda template: template.badge_page_title or _("No badge page yet"),
            get_url=badge_page_edit_url,
        ),
        Column("issuer", label=_("Issuer"), accessor="badge_issuer_name"),
        Column("state", label=_("State"), accessor="get_state_display"),
        FigureColumn("badges_count", label=_("Issued"), sort_key="badges_count"),
        FigureColumn("accepted_count", label=_("Accepted"), sort_key="accepted_count"),
    ]
    list_export = [
        "name",
        "badge_page_title",
        "badge_issuer_name",
        "state",
        "badges_count",
        "accepted_count",
        "id",
        "synced_at",
    ]
    export_headings = {
        "name": _("Credly template"),
        "badge_page_title": _("Badge page"),
        "badge_issuer_name": _("Issuer"),
        "state": _("State in Credly"),
        "badges_count": _("Issued"),
        "accepted_count": _("Accepted"),
        "id": _("Credly template id"),
        "synced_at": _("Figures synced at"),
    }

    def get_base_queryset(self):
        return with_badge_pages(CredlyBadgeTemplate.objects.all())

    def order_queryset(self, queryset):
        # A tie-breaker, so that rows with equal counts keep their places from page to page.
        ordered = super().order_queryset(queryset)
        return ordered.order_by(*ordered.query.order_by, "name", "pk")

    @cached_property
    def filtered_templates(self):
        return self.filter_queryset(self.get_base_queryset()).order_by()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.is_export:
            context.update(self.summary())
        return context

    def summary(self):
        totals = self.filtered_templates.aggregate(
            templates=Count("pk"), issued=Sum("badges_count"), accepted=Sum("accepted_count")
        )
        totals["issued"] = intcomma(totals["issued"] or 0)
        if totals["accepted"] is not None:
            totals["accepted"] = intcomma(totals["accepted"])
        days = list(
            CredlyIssuanceSnapshot.objects.filter(template__in=self.filtered_templates.values("pk"))
            .values("date")
            .annotate(issued=Sum("badges_count"), accepted=Sum("accepted_count"))
            .order_by("date")
            .values_list("date", "issued", "accepted")
        )
        chart = issuance_chart(
            days,
            title=_("Badges issued over time"),
            issued_label=_("Issued"),
            accepted_label=_("Accepted"),
            x_label=_("Date of the sync"),
            y_label=_("Badges"),
        )
        return {"totals": totals, "chart": chart}


class IssuerRowsPaginator(WagtailPaginator):
    # Its rows are sums over templates, not templates: "3 issuers", not "3 Credly templates".
    verbose_name = _("issuer")
    verbose_name_plural = _("issuers")


class IssuancePerIssuerView(IssuanceReportMixin, ReportView):
    page_title = _("Issuance report")
    page_subtitle = _("Per issuer")
    template_name = "badges_cms/admin/report.html"
    results_template_name = "badges_cms/admin/report_issuer_results.html"
    index_url_name = "badges_cms_report:issuers"
    index_results_url_name = "badges_cms_report:issuers_results"
    model = CredlyBadgeTemplate
    verbose_name = _("issuer")
    verbose_name_plural = _("issuers")
    paginator_class = IssuerRowsPaginator
    default_ordering = "-issued"
    export_filename = "badge-issuance-per-issuer"
    columns = [
        Column("issuer", label=_("Issuer"), accessor="issuer_name"),
        FigureColumn("templates", label=_("Badges"), sort_key="templates"),
        FigureColumn("issued", label=_("Issued"), sort_key="issued"),
        FigureColumn("accepted", label=_("Accepted"), sort_key="accepted"),
    ]
    list_export = ["issuer_name", "templates", "issued", "accepted"]
    export_headings = {
        "issuer_name": _("Issuer"),
        "templates": _("Badges"),
        "issued": _("Issued"),
        "accepted": _("Accepted"),
    }

    def get_base_queryset(self):
        # One row per issuer (and one for templates without one), summed in the database.
        return (
            with_badge_pages(CredlyBadgeTemplate.objects.all())
            .values("badge_issuer_id")
            .annotate(
                templates=Count("pk"), issued=Sum("badges_count"), accepted=Sum("accepted_count")
            )
            .order_by()
        )

    def order_queryset(self, queryset):
        ordered = super().order_queryset(queryset)
        return ordered.order_by(*ordered.query.order_by, "badge_issuer_id")

    def decorate_paginated_queryset(self, rows):
        rows = list(rows)
        names = BadgeIssuer.objects.in_bulk([row["badge_issuer_id"] for row in rows])
        for row in rows:
            issuer = names.get(row["badge_issuer_id"])
            row["issuer_name"] = str(issuer) if issuer else str(NO_ISSUER)
        return rows


class IssuanceReportViewSet(ViewSet):
    name = "badges_cms_report"
    url_prefix = "badge-report"
    icon = "table"
    menu_label = _("Issuance report")

    @cached_property
    def menu_item_class(self):
        class ReportMenuItem(MenuItem):
            def is_shown(self, request):
                return can_view_report(request.user)

        return ReportMenuItem

    def get_urlpatterns(self):
        per_badge, per_issuer = IssuancePerBadgeView, IssuancePerIssuerView
        return [
            path("", per_badge.as_view(), name="index"),
            path("results/", per_badge.as_view(results_only=True), name="index_results"),
            path("issuers/", per_issuer.as_view(), name="issuers"),
            path("issuers/results/", per_issuer.as_view(results_only=True), name="issuers_results"),
        ]
