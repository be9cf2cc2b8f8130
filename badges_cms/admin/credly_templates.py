"""Credly templates: the synced templates, read-only, with the ones that have no badge page yet
and an action that imports one as a draft page.

The screen only asks and answers: the import itself (fetching the template from Credly now,
making the draft, its images) is credly.imports.import_template.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.forms import RadioSelect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic import IndexView, WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from ..credly.imports import ImportRefused, import_template
from ..models import BadgeIndexPage, BadgePage, CredlyBadgeTemplate
from .columns import FigureColumn, TemplatePageColumn
from .filters import TemplateStateFilter
from .permissions import VIEW_TEMPLATES, ReadOnlyViewSetMixin


def importable_indexes(user):
    """The badge indexes this user may add a badge page under."""
    return [
        index
        for index in BadgeIndexPage.objects.order_by("path")
        if index.permissions_for_user(user).can_add_subpage()
    ]


class ImportTemplateView(WagtailAdminTemplateMixin, TemplateView):
    """GET: confirm and choose the index; POST: import. The listing's button posts directly,
    which imports at once when the user can add badges under exactly one index."""

    template_name = "badges_cms/admin/import_template.html"
    page_title = gettext_lazy("Import from Credly")
    header_icon = "download"
    index_url_name = None

    def dispatch(self, request, pk):
        if not request.user.has_perm(VIEW_TEMPLATES):
            raise PermissionDenied
        self.template = get_object_or_404(CredlyBadgeTemplate, pk=pk)
        self.indexes = importable_indexes(request.user)
        if not self.indexes:
            raise PermissionDenied
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.template.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Credly templates")},
            {"url": "", "label": self.template.name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            credly_template=self.template,
            indexes=self.indexes,
            existing_page=BadgePage.objects.linked_to(self.template.pk).first(),
            next_url=get_valid_next_url_from_request(self.request),
        )
        return context

    def post(self, request, pk):
        index = self.chosen_index()
        if index is None:
            return self.render_to_response(self.get_context_data(needs_choice=True))
        back = get_valid_next_url_from_request(request) or reverse(self.index_url_name)
        try:
            page, problems = import_template(self.template.pk, index, request.user)
        except ImportRefused as exc:
            messages.error(request, str(exc))
            return redirect(back)
        edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
        messages.success(
            request,
            _("Draft page “%(title)s” created from Credly. Add its issuer before publishing.")
            % {"title": page.title},
            buttons=[messages.button(edit_url, _("Edit"))],
        )
        for problem in problems:
            messages.warning(request, _("Image not imported: %(problem)s") % {"problem": problem})
        return redirect(edit_url if page.permissions_for_user(request.user).can_edit() else back)

    def chosen_index(self):
        chosen = self.request.POST.get("index")
        if not chosen:
            return self.indexes[0] if len(self.indexes) == 1 else None
        return next((index for index in self.indexes if str(index.pk) == chosen), None)


class HasPageFilter(django_filters.ChoiceFilter):
    def __init__(self, **kwargs):
        choices = [("no", gettext_lazy("No page yet")), ("yes", gettext_lazy("Has a page"))]
        super().__init__(choices=choices, **kwargs)

    def filter(self, qs, value):
        if value == "no":
            return qs.filter(page_id__isnull=True)
        if value == "yes":
            return qs.filter(page_id__isnull=False)
        return qs


class CredlyTemplateFilterSet(WagtailFilterSet):
    badge_page = HasPageFilter(
        label=gettext_lazy("Badge page"), empty_label=gettext_lazy("Any"), widget=RadioSelect
    )
    state = TemplateStateFilter()

    class Meta:
        model = CredlyBadgeTemplate
        fields = ["present"]


class CredlyTemplateIndexView(IndexView):
    import_url_name = None

    def get_base_queryset(self):
        pages = BadgePage.objects.linked_to(OuterRef("pk"))
        return (
            super()
            .get_base_queryset()
            .annotate(
                page_id=Subquery(pages.values("pk")[:1]),
                page_title=Subquery(pages.values("title")[:1]),
                page_live=Subquery(pages.values("live")[:1]),
            )
        )

    @cached_property
    def can_import(self):
        return bool(importable_indexes(self.request.user))

    def get_import_url(self, instance):
        if self.can_import and instance.page_id is None:
            return reverse(self.import_url_name, args=(instance.pk,))
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Table cells see only the row and the request, so each row carries its action.
        for template in context["object_list"]:
            template.import_url = self.get_import_url(template)
        return context


class CredlyTemplateViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    model = CredlyBadgeTemplate
    name = "credly_templates"
    url_prefix = "credly/templates"
    url_namespace = "badges_cms_credly_templates"
    icon = "list-ul"
    menu_label = gettext_lazy("Credly templates")
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = CredlyTemplateIndexView
    filterset_class = CredlyTemplateFilterSet
    search_fields = ["name"]
    search_backend_name = None  # not a search-indexed model: search the database directly
    ordering = ["name"]
    list_per_page = 50
    list_display = [
        "name",
        TemplatePageColumn(width="30%"),
        Column("state", label=gettext_lazy("State"), accessor="get_state_display", width="8%"),
        FigureColumn(
            "badges_count", label=gettext_lazy("Issued"), sort_key="badges_count", width="8%"
        ),
        FigureColumn(
            "accepted_count", label=gettext_lazy("Accepted"), sort_key="accepted_count", width="9%"
        ),
        BooleanColumn("present", label=gettext_lazy("In Credly"), width="8%"),
        DateColumn("synced_at", label=gettext_lazy("Synced"), sort_key="synced_at", width="10%"),
    ]
    inspect_view_fields = [
        "name",
        "id",
        "state",
        "present",
        "badges_count",
        "accepted_count",
        "url",
        "image_url",
        "synced_at",
        "last_seen_at",
    ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(import_url_name=self.get_url_name("import"), **kwargs)

    @property
    def import_view(self):
        return ImportTemplateView.as_view(index_url_name=self.get_url_name("index"))

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<uuid:pk>/", self.inspect_view, name="inspect"),
            path("import/<uuid:pk>/", self.import_view, name="import"),
        ]

    def get_permissions_to_register(self):
        return super().get_permissions_to_register().filter(codename__startswith="view_")
