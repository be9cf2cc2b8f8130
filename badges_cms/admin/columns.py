"""Table columns shared by the staff listings and the report."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.middleware.csrf import get_token
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BaseColumn, Column

# Shown where a figure is unknown (no sync yet, accepted counts not fetched): an empty cell
# would read as zero to some people and as a rendering fault to others.
UNKNOWN = "—"


class FigureColumn(Column):
    """A count, with thousands separators, or a dash when it is not known."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        raw = context["raw_value"]
        context["value"] = UNKNOWN if raw is None else intcomma(raw)
        return context


class LinkColumn(Column):
    """A value linked to the address ``get_url(row)`` gives, or plain text when it gives none."""

    cell_template_name = "badges_cms/admin/cells/link.html"

    def __init__(self, name, get_url, **kwargs):
        super().__init__(name, **kwargs)
        self.get_url = get_url

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["url"] = self.get_url(instance)
        return context


class BadgeStatusColumn(BaseColumn):
    """Live / draft / live + draft, and "in moderation" while a workflow runs. Uses the
    workflow states the listing prefetches, so it costs no query per row."""

    cell_template_name = "badges_cms/admin/cells/badge_status.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["in_moderation"] = instance.workflow_in_progress
        return context


class TemplatePageColumn(BaseColumn):
    """The badge page a Credly template feeds, or the button that imports it as a draft."""

    cell_template_name = "badges_cms/admin/cells/template_page.html"

    def __init__(self, name="badge_page", **kwargs):
        kwargs.setdefault("label", _("Badge page"))
        super().__init__(name, **kwargs)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        context.update(
            page_id=instance.page_id,
            page_title=instance.page_title,
            page_live=instance.page_live,
            import_url=getattr(instance, "import_url", None),  # set by the listing view
            next_url=request.get_full_path(),
            # Cell templates are rendered without the request, so {% csrf_token %} needs it
            # handed over.
            csrf_token=get_token(request),
        )
        return context
