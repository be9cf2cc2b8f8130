"""Filtering, searching, sorting and paging the badges below a BadgeIndexPage.

Request parameters are untrusted: anything unknown or malformed is ignored, never an error,
so every combination answers with a page a visitor can use.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import ExtractYear
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import conf

SORTS = {
    "newest": _("Newest first"),
    "name": _("Name (A–Z)"),
    "issued": _("Most issued"),
}
DEFAULT_SORT = "newest"
# Must match the {% image %} filter in includes/badge_card.html, or each card costs a query.
CARD_RENDITION = "fill-160x160"
# Search hits beyond this many are not ranked; a catalogue of badges never comes near it.
MAX_SEARCH_RESULTS = 1000
WORD = re.compile(r"\w+")
# Longest ?page= whose rendering is stored.
MAX_PAGE_PARAM = 6


def with_listing_data(queryset):
    """Everything a badge card shows, fetched in a fixed number of queries however many cards."""
    from wagtail.images import get_image_model

    from .models import CredlyBadgeTemplate

    templates = CredlyBadgeTemplate.objects.filter(pk=OuterRef("credly_template_id"))
    images = get_image_model().objects.prefetch_renditions(CARD_RENDITION)
    return (
        queryset.select_related("issuer")
        .prefetch_related(Prefetch("badge_image", queryset=images), "skills")
        .annotate(
            synced_badges_count=Subquery(templates.values("badges_count")[:1]),
            synced_state=Subquery(templates.values("state")[:1]),
        )
    )


@dataclass
class BadgeFilters:
    q: str = ""
    issuer: str = ""
    skill: str = ""
    year: int | None = None
    sort: str = DEFAULT_SORT
    sort_given: bool = False
    errors: list = field(default_factory=list)

    @classmethod
    def from_query(cls, params):
        q = " ".join(params.get("q", "").split())[: conf.get("BADGES_CMS_MAX_QUERY_LENGTH")]
        year_text = params.get("year", "").strip()
        year = int(year_text) if year_text.isdigit() and 1900 <= int(year_text) <= 9999 else None
        sort = params.get("sort", "")
        return cls(
            q=q,
            issuer=params.get("issuer", "").strip()[:64],
            skill=params.get("skill", "").strip()[:100],
            year=year,
            sort=sort if sort in SORTS else DEFAULT_SORT,
            sort_given=sort in SORTS,
        )

    def as_query(self, **extra):
        """The cleaned filters as a query string, for links that keep them (e.g. paging)."""
        params = {
            "q": self.q,
            "issuer": self.issuer,
            "skill": self.skill,
            "year": self.year or "",
            "sort": self.sort if self.sort_given else "",
            **extra,
        }
        return urlencode({key: value for key, value in params.items() if value})

    @property
    def search_terms(self):
        """The query as plain words. Punctuation and upper-case AND/OR/NOT/NEAR are operators
        to some full-text engines (SQLite FTS5 fails on an unbalanced quote), so only words
        reach the search backend."""
        return " ".join(word.lower() for word in WORD.findall(self.q))

    @property
    def active(self):
        return bool(self.q or self.issuer or self.skill or self.year)

    def apply(self, queryset):
        if self.issuer:
            queryset = queryset.filter(issuer__slug=self.issuer)
        if self.skill:
            queryset = queryset.filter(skills__slug=self.skill)
        if self.year:
            queryset = queryset.filter(launched__year=self.year)
        return queryset

    def order(self, queryset, ranked_ids=None):
        if ranked_ids is not None and not self.sort_given:
            # A search without an explicit sort lists the best matches first.
            rank = Case(
                *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ranked_ids)],
                output_field=IntegerField(),
            )
            return queryset.order_by(rank, "title")
        if self.sort == "name":
            return queryset.order_by("title", "pk")
        if self.sort == "issued":
            return queryset.order_by(F("synced_badges_count").desc(nulls_last=True), "title", "pk")
        return queryset.order_by(
            F("launched").desc(nulls_last=True), F("first_published_at").desc(), "pk"
        )


class BadgeListing:
    """The badges a visitor sees on one BadgeIndexPage for one request. Nothing is read from
    the database or the search index until a template asks, so a page whose listing comes
    from the fragment cache costs no listing queries."""

    def __init__(self, index_page, params, per_page=None):
        self.index_page = index_page
        self.params = params
        self.per_page = per_page or conf.get("BADGES_CMS_PER_PAGE")
        self.filters = BadgeFilters.from_query(params)

    @cached_property
    def visible(self):
        """Only what anyone may see: live, not behind a view restriction, below this index."""
        from .models import BadgePage

        return BadgePage.objects.live().public().descendant_of(self.index_page)

    @cached_property
    def paginator(self):
        queryset = self.filters.apply(self.visible)
        ranked_ids = None
        if self.filters.q:
            terms = self.filters.search_terms
            hits = self.visible.search(terms, operator="and")[:MAX_SEARCH_RESULTS] if terms else []
            ranked_ids = [page.pk for page in hits]
            queryset = queryset.filter(pk__in=ranked_ids)
        queryset = self.filters.order(with_listing_data(queryset), ranked_ids)
        return Paginator(queryset, self.per_page, allow_empty_first_page=True)

    @cached_property
    def page(self):
        return self.paginator.get_page(self.params.get("page"))

    @property
    def cache_vary(self):
        """What the listing's rendering depends on besides the content: the cleaned filters
        and the page asked for, exactly as given ("2.0", "-1" and "999999" each answer a
        page of their own choosing, so none may share a stored fragment with another)."""
        return self.filters.as_query(page=self.params.get("page", ""))

    @property
    def cacheable(self):
        """Whether a rendering may be stored: not search results (they follow the search
        index, which a background task refreshes after a publish), nor page numbers no
        visitor types, which would only fill the cache."""
        return not self.filters.q and len(self.params.get("page", "")) <= MAX_PAGE_PARAM

    @property
    def previous_query(self):
        if self.page.has_previous():
            return self.filters.as_query(page=self.page.previous_page_number())
        return None

    @property
    def next_query(self):
        if self.page.has_next():
            return self.filters.as_query(page=self.page.next_page_number())
        return None

    @property
    def count(self):
        return self.paginator.count

    @cached_property
    def total_issued(self):
        """Badges issued across every listed badge (all pages), or None before any sync."""
        from django.db.models import Sum

        from .models import CredlyBadgeTemplate

        template_ids = self.paginator.object_list.values("credly_template_id")
        templates = CredlyBadgeTemplate.objects.filter(pk__in=template_ids)
        return templates.aggregate(total=Sum("badges_count"))["total"]

    def issuer_choices(self):
        from .models import BadgeIssuer

        return BadgeIssuer.objects.filter(badge_pages__in=self.visible).distinct().order_by("name")

    def skill_choices(self):
        from .models import BadgeSkill

        return BadgeSkill.objects.filter(tagged_badges__content_object__in=self.visible).distinct()

    def year_choices(self):
        # order_by() drops the page ordering, which DISTINCT would otherwise apply per page.
        years = (
            self.visible.exclude(launched=None)
            .order_by()
            .annotate(year=ExtractYear("launched"))
            .values_list("year", flat=True)
            .distinct()
        )
        return sorted(years, reverse=True)
