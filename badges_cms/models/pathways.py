"""Pathways: an ordered series of badges a learner earns one after another, such as ALCTS's
"Fundamentals of …" badges. Each badge of a pathway is required or elective.

A pathway is a snippet with drafts and revisions: editors change it as a draft and publish it
when it is ready, under the snippet permissions (add, change, delete, publish). What the public
sees of a pathway is its published state, and of its badges only the ones anyone may see (live,
not behind a view restriction, of the site): a draft or a private badge is never listed, counted
or offered as "next".
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import DraftStateMixin, Orderable, RevisionMixin
from wagtail.search import index

from ..catalogue.forms import PathwayForm
from .pages import BadgePage


class PathwayQuerySet(models.QuerySet):
    def published(self):
        """Pathways anyone may see: published, and not unpublished since."""
        return self.filter(live=True)

    def with_badge_counts(self, badges):
        """Each pathway with ``shown_badges``: how many of ``badges`` (the badges anyone may
        see in a site, say) it holds, in the same query."""
        shown = Count("entries", filter=Q(entries__badge__in=badges.values("pk")))
        return self.annotate(shown_badges=shown)


class PathwayBadgeQuerySet(models.QuerySet):
    def shown_in(self, site):
        """The entries the public sees: of published pathways, for badges anyone may see in
        ``site`` (or in any site, for None)."""
        visible = BadgePage.objects.visible_in(site)
        return self.filter(pathway__live=True, badge__in=visible.values("pk"))

    def places_of(self, badge, site):
        """The published pathways ``badge`` is part of, with its place in each ("2 of 3") and the
        badges before and after it, by pathway title: one query, however many pathways and badges.
        An alias stands where its original does (a pathway names the original)."""
        own_id = badge.alias_of_id or badge.pk
        entries = (
            self.shown_in(site)
            .filter(pathway__entries__badge_id=own_id)
            .select_related("pathway", "badge")
            .order_by("pathway__title", "pathway_id", "sort_order", "pk")
        )
        by_pathway = {}
        for entry in entries:
            by_pathway.setdefault(entry.pathway_id, []).append(entry)
        places = []
        for series in by_pathway.values():
            index = next((i for i, entry in enumerate(series) if entry.badge_id == own_id), None)
            if index is None:  # the badge itself is not shown (a draft in preview, say)
                continue
            places.append(
                PathwayPlace(
                    pathway=series[index].pathway,
                    position=index + 1,
                    total=len(series),
                    required=series[index].required,
                    next_badge=series[index + 1].badge if index + 1 < len(series) else None,
                    previous_badge=series[index - 1].badge if index else None,
                )
            )
        return places


@dataclass(frozen=True)
class PathwayPlace:
    """Where a badge stands in one pathway, counting only the badges the public sees there."""

    pathway: "Pathway"
    position: int
    total: int
    required: bool
    next_badge: object  # the BadgePage after it, or None when it is the last
    previous_badge: object


class Pathway(DraftStateMixin, RevisionMixin, index.Indexed, ClusterableModel):
    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(
        _("slug"),
        max_length=64,
        unique=True,
        help_text=_(
            "Used in addresses such as pathways/<slug>/ and ?pathway=<slug>; keep it stable once "
            "published."
        ),
    )
    issuer = models.ForeignKey(
        "badges_cms.BadgeIssuer",
        verbose_name=_("issuer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pathways",
        help_text=_("Who offers the pathway, when one issuer does."),
    )
    description = models.TextField(
        _("description"),
        max_length=1000,
        help_text=_("What the pathway leads to and who it is for, in a few plain sentences."),
    )

    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("slug")]),
        FieldPanel("issuer"),
        FieldPanel("description"),
        InlinePanel(
            "entries",
            heading=_("Badges, in the order they are earned"),
            label=_("Badge"),
            min_num=1,
        ),
    ]
    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.SearchField("description"),
        index.FilterField("live"),
    ]

    objects = PathwayQuerySet.as_manager()
    base_form_class = PathwayForm

    class Meta:
        ordering = ["title"]
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")

    def __str__(self):
        return self.title


class PathwayBadge(Orderable):
    """One badge of a pathway, in its place (sort_order, set by dragging in the editor)."""

    pathway = ParentalKey(Pathway, on_delete=models.CASCADE, related_name="entries")
    badge = models.ForeignKey(
        "badges_cms.BadgePage",
        verbose_name=_("badge"),
        on_delete=models.CASCADE,
        related_name="pathway_entries",
    )
    required = models.BooleanField(
        _("required"),
        default=True,
        help_text=_("Untick for an elective: a badge learners may earn on the way, or skip."),
    )

    panels = [FieldRowPanel([FieldPanel("badge"), FieldPanel("required")])]

    objects = PathwayBadgeQuerySet.as_manager()

    class Meta(Orderable.Meta):
        verbose_name = _("pathway badge")
        verbose_name_plural = _("pathway badges")
        # Each badge once a pathway: PathwayForm checks it (see there why not the database).

    def clean(self):
        super().clean()
        badge = getattr(self, "badge", None)
        if badge is not None and badge.alias_of_id is not None:
            raise ValidationError(
                {"badge": _("Choose the original badge page, not an alias of it.")}
            )

    def __str__(self):
        return f"{self.pathway} – {self.badge}"
