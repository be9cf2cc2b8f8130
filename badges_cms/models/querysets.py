"""The rules every listing, feed, document and admin screen shares, written once, as querysets.

- Which badges anyone may see: live, and not on or below a page with a view restriction
  (``visible``), below an index (``visible_below``) or in a site (``visible_in``).
- The synced figures a badge page shows: its own Credly template's, or for an alias (which holds
  no template id) its original's (``with_figures``), and which pages show a template
  (``showing_templates``).
- What a badge card reads, in a fixed number of queries (``for_cards``), for a page of a
  listing only (``cards_of``).
- The total issued across a listing, counting an alias and its original once (``total_issued``).
- The issuers, skills and years a listing's filters offer (``facets``).

Each costs a fixed number of queries, however many badges there are.
"""

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, NullIf
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.query import PageQuerySet

from .. import renditions as renditions_shown
from .credly import CredlyBadgeTemplate
from .issuers import BadgeIssuer
from .skills import BadgeSkill, TaggedBadgeSkill

# How far figures follow aliases of aliases (Wagtail lets an editor alias an alias) to the page
# that holds the template id.
ALIAS_DEPTH = 3


class Unrestricted(Func):
    """True for a page that no view restriction covers: none on the page, none on an ancestor.
    A restriction covers its page's descendants, whose paths start with its page's path.

    The NOT EXISTS is written once, as SQL, rather than as an ORM subquery: a listing's queries
    embed the rule up to eight times (the count, the page, the total, the filters' choices), and
    Django spent more time building and compiling those subqueries than the database spent
    running them. The subquery's own aliases (vr, vr_page) are not names Django gives tables."""

    output_field = BooleanField()

    def __init__(self, path="path"):
        super().__init__(F(path))

    def as_sql(self, compiler, connection, **extra_context):
        # Only table and column names, from the models, quoted: nothing from a request.
        q = connection.ops.quote_name
        restrictions, pages = q(PageViewRestriction._meta.db_table), q(Page._meta.db_table)
        page_id, pk = q(PageViewRestriction._meta.get_field("page").column), q(Page._meta.pk.column)
        path = q(Page._meta.get_field("path").column)
        template = (
            f"NOT EXISTS (SELECT 1 FROM {restrictions} vr INNER JOIN {pages} vr_page"  # noqa: S608
            f" ON vr_page.{pk} = vr.{page_id}"
            f" WHERE vr_page.{path} = SUBSTR(%(expressions)s, 1, LENGTH(vr_page.{path})))"
        )
        return super().as_sql(compiler, connection, template=template, **extra_context)


def exclude_restricted(pages):
    """Leave out pages that are, or are below, a page with a view restriction.

    The same rule as Wagtail's ``.public()``, which reads every restriction in a query of its
    own each time it is called; here it is a NOT EXISTS inside the page query itself
    (Unrestricted)."""
    return pages.filter(Unrestricted())


def visible_pages(pages):
    """Live pages that no view restriction hides, of any page type (menus, indexes)."""
    return exclude_restricted(pages.live())


def shown_template_id(depth=ALIAS_DEPTH):
    """The id of the Credly template whose figures a badge page shows: its own or, for an alias,
    its original's (through aliases of aliases, ``depth`` hops at most).

    A page that is not an alias reads its own column. Only for an alias does the database run
    the subquery that follows ``alias_of``: it evaluates a CASE's branches lazily, row by row, so
    a listing of pages that are not aliases joins nothing for its figures, and it plans a
    simpler query."""
    if depth < 1:
        return F("credly_template_id")
    hops = ["alias_of__" * step + "badgepage__credly_template_id" for step in range(depth)]
    original = (
        Page.objects.filter(pk=OuterRef("alias_of"))
        .order_by()
        .annotate(shown=Coalesce(*hops) if len(hops) > 1 else F(hops[0]))
        .values("shown")[:1]
    )
    return Case(
        When(alias_of=None, then=F("credly_template_id")),
        default=Subquery(original),
        output_field=UUIDField(),
    )


def with_figures(pages, **template_fields):
    """Badge pages (any queryset of them, the admin's too) with the names issued_count,
    is_retired and shown_template_id read instead of querying: synced_template_id,
    synced_badges_count, synced_state, and one annotation per keyword (name=CredlyBadgeTemplate
    field), all in the page query."""
    pages = pages.annotate(synced_template_id=shown_template_id())
    templates = CredlyBadgeTemplate.objects.filter(pk=OuterRef("synced_template_id"))
    fields = {"synced_badges_count": "badges_count", "synced_state": "state"}
    fields.update(template_fields)
    return pages.annotate(
        **{name: Subquery(templates.values(field)[:1]) for name, field in fields.items()}
    )


class VisiblePageQuerySet(PageQuerySet):
    """Pages of one type, with the rule of what anyone may see."""

    def visible(self):
        """What anyone may see: live, and not behind a view restriction."""
        return visible_pages(self)

    def visible_below(self, page):
        return self.visible().descendant_of(page)

    def visible_in(self, site):
        """Visible pages of a site, or of every site when there is none (no request)."""
        visible = self.visible()
        return visible.in_site(site) if site is not None else visible

    def visible_for(self, request):
        """Visible pages of the site the request is for."""
        site = Site.find_for_request(request) if request is not None else None
        return self.visible_in(site)


class BadgePageQuerySet(VisiblePageQuerySet):
    def searchable_below(self, page):
        """Visible badges below ``page``, for the search backend, which translates a queryset's
        filters into its own and knows no NOT EXISTS: Wagtail's .public() says the same."""
        return self.live().public().descendant_of(page)

    def with_figures(self, **template_fields):
        """See with_figures()."""
        return with_figures(self, **template_fields)

    def linked_to(self, template_id):
        """The page that holds this template id (a value, or an OuterRef in a subquery): at most
        one, as the id is unique. Aliases hold none; they show their original's figures."""
        return self.filter(credly_template_id=template_id)

    def linked_to_any(self, template_ids):
        return self.filter(credly_template_id__in=list(template_ids))

    def and_their_aliases(self, page_ids):
        """These badge pages and the aliases of them (which show what they show)."""
        page_ids = list(page_ids)
        return self.filter(Q(pk__in=page_ids) | Q(alias_of__in=page_ids))

    def showing_templates(self, template_ids):
        """The badge pages that show these templates' figures: their own pages and aliases."""
        return self.annotate(shown=shown_template_id()).filter(shown__in=list(template_ids))

    def for_cards(self):
        """Everything a badge card shows, in a fixed number of queries however many cards: the
        page rows with their issuer, image and figures, then the card renditions, then the
        skills."""
        renditions = get_image_model().get_rendition_model().objects
        return (
            self.select_related("issuer", "badge_image")
            .prefetch_related(
                # Wagtail serves a rendition from a prefetch of the image's renditions (without
                # a query or a cache lookup) when the template asks for this filter spec.
                Prefetch(
                    "badge_image__renditions",
                    queryset=renditions.filter(filter_spec=renditions_shown.CARD),
                ),
                "skills",
            )
            .with_figures()
        )

    def cards_of(self, page_ids):
        """for_cards() for the pages of ``page_ids``: a slice of these pages in some order (a
        page of a listing, the newest few). The database sorts and limits those narrow rows
        first, then joins and reads what the cards show for that slice alone, not for every
        page it sorted. Order the result again: a subquery's order is not the query's."""
        return self.filter(pk__in=page_ids.values("pk")).for_cards()

    def shown_templates(self):
        """The Credly templates whose figures these pages show, each once however many of the
        pages show it (an alias and its original listed together). A page that is not an alias
        shows its own template; only the aliases, few if any, are followed to their originals,
        so the database does not join every page to its would-be originals."""
        own = self.filter(alias_of=None).order_by().values("credly_template_id")
        through = (
            self.exclude(alias_of=None)
            .order_by()
            .annotate(shown=shown_template_id())
            .values("shown")
        )
        return CredlyBadgeTemplate.objects.filter(Q(pk__in=own) | Q(pk__in=through))

    def total_issued(self):
        """A subquery: badges issued across these pages' templates, each template once, or None
        before any sync. It does not depend on the row it is annotated on, so the database
        computes it once."""
        # Grouped by a constant: one group, so one sum (a bare values(total=Sum()) groups by id).
        total = (
            self.shown_templates()
            .order_by()
            .annotate(listed=Value(1))
            .values("listed")
            .annotate(total=Sum("badges_count"))
            .values("total")
        )
        return Subquery(total)

    def issued_total(self):
        """The figure total_issued() puts in a page query, as a value of its own: badges issued
        across these pages' templates, each template once, or None before any sync. The
        dashboard's total is this over every visible badge, as a badge index's is over its
        own."""
        return self.shown_templates().aggregate(total=Sum("badges_count"))["total"]

    def facets(self):
        """{"issuer": [(slug, name, short name)], "skill": [(slug, name, name)], "pathway":
        [(slug, title, title)], "year": [newest first]}: every issuer, skill, published pathway
        and year of these badges, in one query, names sorted in the database. An issuer's short
        name is its acronym, or its name when it has none."""
        ISSUER, SKILL, PATHWAY, YEAR = "issuer", "skill", "pathway", "year"
        pages = self.order_by()
        issuers = (
            BadgeIssuer.objects.filter(Exists(pages.filter(issuer=OuterRef("pk"))))
            .order_by()
            .annotate(facet=Value(ISSUER), short=Coalesce(NullIf("acronym", Value("")), "name"))
            .values_list("facet", "slug", "name", "short")
        )
        taggings = TaggedBadgeSkill.objects.filter(
            tag=OuterRef("pk"), content_object__in=pages.values("pk")
        )
        skills = (
            BadgeSkill.objects.filter(Exists(taggings))
            .order_by()
            .annotate(facet=Value(SKILL), short=F("name"))
            .values_list("facet", "slug", "name", "short")
        )
        # The pathway model through the relation, as pathways.py imports this module's pages.
        entries = self.model._meta.get_field("pathway_entries").related_model.objects
        pathway_ids = entries.filter(badge__in=pages.values("pk")).values("pathway")
        pathways = (
            entries.model._meta.get_field("pathway")
            .related_model.objects.filter(live=True, pk__in=pathway_ids)
            .order_by()
            .annotate(facet=Value(PATHWAY), name=F("title"), short=F("title"))
            .values_list("facet", "slug", "name", "short")
        )
        years = (
            pages.exclude(launched=None)
            .annotate(
                facet=Value(YEAR),
                year=Cast(ExtractYear("launched"), CharField()),
                label=Value(""),
                short=Value(""),
            )
            .values_list("facet", "year", "label", "short")
            .distinct()
        )
        facets = {ISSUER: [], SKILL: [], PATHWAY: [], YEAR: []}
        rows = issuers.union(skills, pathways, years, all=True).order_by("facet", "name")
        for facet, value, name, short in rows:
            facets[facet].append(int(value) if facet == YEAR else (value, name, short))
        facets[YEAR].sort(reverse=True)
        return facets

    def issuer_ids(self):
        """The issuers and partner issuers of these badges, in one query."""
        pages = self.order_by()
        issued = pages.exclude(issuer=None).values_list("issuer_id", flat=True)
        partnerships = self.model.partner_issuers.through.objects.filter(
            badgepage__in=pages.values("pk")
        )
        return set(issued.union(partnerships.values_list("badgeissuer_id", flat=True)))

    def in_partnership_with(self, issuer):
        """Badges ``issuer`` issues or partners in, as one filter."""
        partnerships = self.model.partner_issuers.through.objects.filter(
            badgepage=OuterRef("pk"), badgeissuer=issuer
        )
        return self.filter(Q(issuer=issuer) | Exists(partnerships))
