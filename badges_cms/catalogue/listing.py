"""Filtering, searching, sorting and paging the badges below a BadgeIndexPage.

Request parameters are untrusted: anything unknown or malformed is ignored, never an error,
so every combination answers with a page a visitor can use.
"""

import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from .. import conf

SORTS = {
    "newest": _("Newest first"),
    "name": _("Name (A–Z)"),
    "issued": _("Most issued"),
}
DEFAULT_SORT = "newest"
# Search hits beyond this many are not ranked; a catalogue of badges never comes near it.
MAX_SEARCH_RESULTS = 1000
WORD = re.compile(r"\w+")
# The parts of a result's wording that follow on without a comma ("4 badges from ALCTS for
# Cataloging"); the others come after one ("…, first issued in 2017").
FOLLOWING_ON = frozenset({"issuer", "skill", "pathway"})


@dataclass(frozen=True)
class Choice:
    """One value a filter offers: an issuer or a skill, with the short name results use."""

    slug: str
    name: str
    short_name: str = ""


@dataclass
class BadgeFilters:
    q: str = ""
    issuer: str = ""
    skill: str = ""
    pathway: str = ""
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
            pathway=params.get("pathway", "").strip()[:64],
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
            "pathway": self.pathway,
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
        return bool(self.q or self.narrowed)

    @property
    def narrowed(self):
        """Filters other than the search are applied."""
        return bool(self.issuer or self.skill or self.pathway or self.year)

    def apply(self, queryset):
        if self.issuer:
            queryset = queryset.filter(issuer__slug=self.issuer)
        if self.skill:
            queryset = queryset.filter(skills__slug=self.skill)
        if self.pathway:
            # Only a published pathway filters: a draft's slug lists nothing, like an unknown one.
            queryset = queryset.filter(
                pathway_entries__pathway__slug=self.pathway, pathway_entries__pathway__live=True
            )
        if self.year:
            queryset = queryset.filter(launched__year=self.year)
        return queryset

    @property
    def orders_by_figures(self):
        return self.sort == "issued"

    def ordered(self, queryset, ranked_ids=None):
        """The badges in this order, with no more than the order reads: the figures only for
        "Most issued". Slice it for a page's ids, and hand them to cards()."""
        return self.order(
            queryset.with_figures() if self.orders_by_figures else queryset, ranked_ids
        )

    def cards(self, page_ids, ranked_ids=None):
        """The cards of a slice of ordered() (BadgePageQuerySet.cards_of), in this order."""
        return self.order(page_ids.model.objects.cards_of(page_ids), ranked_ids)

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


class ListingPaginator(Paginator):
    """Pages through the filtered badges in their order, and reads the cards of one page only.

    ``object_list`` is the filtered badges in order, with no more than the order needs: a page
    of them is a LIMIT over narrow rows. ``cards(ids)`` makes the cards' query (figures through
    aliases, issuer, image, the listing's total) for the ids of one page, so the database joins
    those rows only, not every listed badge before it sorts them. The count is of the filtered
    rows as they are: the same number, from a query Django builds and compiles in a fraction of
    the time."""

    def __init__(self, object_list, per_page, counted, cards):
        super().__init__(object_list, per_page)
        self.counted = counted
        self.cards = cards

    @cached_property
    def count(self):
        return self.counted.count()

    def page(self, number):
        page = super().page(number)
        page.object_list = self.cards(page.object_list)
        return page


class BadgeListing:
    """The badges a visitor sees on one BadgeIndexPage for one request.

    A render costs a fixed number of queries, whatever the catalogue's size: the count, the
    page of cards (with the total issued, see total_issued) and what the cards prefetch, and
    the filters' choices."""

    def __init__(self, index_page, params, per_page=None):
        self.index_page = index_page
        self.params = params
        self.per_page = per_page or conf.get("BADGES_CMS_PER_PAGE")
        self.filters = BadgeFilters.from_query(params)

    @cached_property
    def visible(self):
        """Only what anyone may see: live, not behind a view restriction, below this index."""
        return self.index_page.visible_badges()

    @cached_property
    def filtered(self):
        """The visible badges the filters and the search leave, and the search's ranking."""
        queryset = self.filters.apply(self.visible)
        ranked_ids = None
        if self.filters.q:
            terms = self.filters.search_terms
            searched = self.visible.model.objects.searchable_below(self.index_page)
            hits = searched.search(terms, operator="and")[:MAX_SEARCH_RESULTS] if terms else []
            ranked_ids = [page.pk for page in hits]
            queryset = queryset.filter(pk__in=ranked_ids)
        return queryset, ranked_ids

    @cached_property
    def paginator(self):
        queryset, ranked_ids = self.filtered

        def cards(page_ids):
            # The total is the same on every row: one value, which the database computes once,
            # read without a query of its own.
            cards = self.filters.cards(page_ids, ranked_ids)
            return cards.annotate(listing_total_issued=queryset.total_issued())

        ordered = self.filters.ordered(queryset, ranked_ids)
        return ListingPaginator(ordered, self.per_page, queryset, cards)

    @cached_property
    def page(self):
        return self.paginator.get_page(self.params.get("page"))

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

    @property
    def total_issued(self):
        """Badges issued across every listed badge (all pages), or None before any sync."""
        cards = self.page.object_list
        # No card: nothing is listed, and a sum over nothing is None as well.
        return cards[0].listing_total_issued if len(cards) else None

    @property
    def clear_search_query(self):
        """The filters without the search, for the link that clears it ("" for none)."""
        return replace(self.filters, q="").as_query()

    def qualifiers(self, count, with_search=True):
        """What the filters say of the badges listed, as (kind, phrase) in the order they are
        read: from ALCTS, for Cataloging, first issued in 2017, matching “xyz”. Each phrase is
        translated for the number of badges it qualifies."""
        filters, phrases = self.filters, []
        if filters.issuer:
            choice = self.choice("issuer", filters.issuer)
            name = (choice.short_name or choice.name) if choice else filters.issuer
            phrase = ngettext("from %(issuer)s", "from %(issuer)s", count) % {"issuer": name}
            phrases.append(("issuer", phrase))
        if filters.skill:
            choice = self.choice("skill", filters.skill)
            name = choice.name if choice else filters.skill
            phrase = ngettext("for %(skill)s", "for %(skill)s", count) % {"skill": name}
            phrases.append(("skill", phrase))
        if filters.pathway:
            choice = self.choice("pathway", filters.pathway)
            name = choice.name if choice else filters.pathway
            phrase = ngettext("in the %(pathway)s pathway", "in the %(pathway)s pathway", count) % {
                "pathway": name
            }
            phrases.append(("pathway", phrase))
        if filters.year:
            phrase = ngettext("first issued in %(year)s", "first issued in %(year)s", count)
            phrases.append(("year", phrase % {"year": filters.year}))
        if filters.q and with_search:
            phrase = ngettext("matching “%(query)s”", "matching “%(query)s”", count)
            phrases.append(("search", phrase % {"query": filters.q}))
        return phrases

    @staticmethod
    def joined(start, phrases):
        """start and phrases as one sentence: the issuer and the skill follow on ("4 badges
        from ALCTS for Cataloging"), the year and the search come after a comma ("…, first
        issued in 2017")."""
        text = start
        for number, (kind, phrase) in enumerate(phrases):
            follows_on = number == 0 or kind in FOLLOWING_ON
            text += " " if follows_on else pgettext("between the parts of a result", ", ")
            text += phrase
        return text

    @cached_property
    def summary(self):
        """The listing in one sentence: "4 badges from ALCTS", "3 badges for Cataloging",
        "2 badges first issued in 2017", "1 badge matching “xyz”", "No badges match “xyz”."."""
        count = self.count
        filters = self.filters
        if count:
            start = ngettext("%(count)s badge", "%(count)s badges", count) % {"count": count}
            return self.joined(start, self.qualifiers(count))
        if not filters.active:
            return gettext("No badges have been published here yet.")
        unknown = any(
            value and not self.choice(facet, value)
            for facet, value in (
                ("issuer", filters.issuer),
                ("skill", filters.skill),
                ("pathway", filters.pathway),
            )
        )
        if unknown:  # an issuer, skill or pathway no visible badge has, from an old link
            return gettext("No badges match these filters.")
        phrases = self.qualifiers(0, with_search=False)
        sentence = self.joined(gettext("No badges"), phrases)
        if filters.q:
            # "No badges from ALCTS, first issued in 2017, match": a comma closes the aside.
            after_comma = any(
                number and kind not in FOLLOWING_ON
                for number, (kind, _phrase) in enumerate(phrases)
            )
            separator = pgettext("between the parts of a result", ", ") if after_comma else " "
            sentence += separator + gettext("match “%(query)s”") % {"query": filters.q}
        return gettext("%(sentence)s.") % {"sentence": sentence}

    def choice(self, facet, slug):
        return next((c for c in self.filter_choices[facet] if c.slug == slug), None)

    @cached_property
    def filter_choices(self):
        """{facet: values} for the issuer, skill, pathway and year filters, in one query: every
        issuer, skill, published pathway and year of a visible badge (the choices do not narrow
        as filters are applied)."""
        facets = self.visible.facets()
        choices = {
            facet: [Choice(slug, name, short) for slug, name, short in facets[facet]]
            for facet in ("issuer", "skill", "pathway")
        }
        return {**choices, "year": facets["year"]}

    def issuer_choices(self):
        return self.filter_choices["issuer"]

    def skill_choices(self):
        return self.filter_choices["skill"]

    def pathway_choices(self):
        return self.filter_choices["pathway"]

    def year_choices(self):
        return self.filter_choices["year"]
