"""The issuers a BadgeIndexPage has pages and Open Badges Profiles for, and what each issues there.

Every issuer has a page below every index (``issuers/<slug>/``, listed at ``issuers/``), whether
or not it has published a badge yet: the association's divisions, offices and programmes are
public organisations, and a visitor who follows a link to one should learn who it is before its
first badge is out. What they issue, and the counts beside their names, are only the badges
anyone may see there (live, not behind a view restriction): a draft or a private badge is never
listed or counted, so an issuer known only from drafts reads as having no badge yet.
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class IssuerEntry:
    """An issuer with the number of visible badges it issues, and issues in partnership with
    another issuer (not counting its own), below one index."""

    issuer: object
    issued: int
    partnered: int

    @property
    def has_badges(self):
        return bool(self.issued or self.partnered)

    @property
    def badge_count_text(self):
        """The counts in words: "4 badges", "5 badges in partnership", "No badges yet"."""
        if self.issued and self.partnered:
            issued = ngettext("%(count)s badge", "%(count)s badges", self.issued) % {
                "count": self.issued
            }
            return ngettext(
                "%(issued)s, and %(count)s in partnership",
                "%(issued)s, and %(count)s in partnership",
                self.partnered,
            ) % {"issued": issued, "count": self.partnered}
        if self.issued:
            return ngettext("%(count)s badge", "%(count)s badges", self.issued) % {
                "count": self.issued
            }
        if self.partnered:
            return ngettext(
                "%(count)s badge in partnership", "%(count)s badges in partnership", self.partnered
            ) % {"count": self.partnered}
        return _("No badges yet")


class IssuerDirectory:
    def __init__(self, index_page):
        self.index_page = index_page
        self.visible_badges = index_page.visible_badges()

    @cached_property
    def _issuers_by_id(self):
        """Every issuer, with its counts of visible badges, in one query: a handful of rows,
        whose parents are then read in memory."""
        badges = self.visible_badges.order_by()
        # The models through Django's model API: this module is part of the page models' routes
        # (catalogue/routes.py), so it imports no model.
        issuer_model = badges.model._meta.get_field("issuer").related_model
        partnerships = badges.model.partner_issuers.through.objects
        issued = (
            badges.filter(issuer=OuterRef("pk")).values("issuer").annotate(n=Count("pk"))
        ).values("n")
        partnered = (
            partnerships.filter(badgeissuer=OuterRef("pk"), badgepage__in=badges.values("pk"))
            # A badge it issues itself is counted once, as one it issues.
            .exclude(badgepage__issuer=OuterRef("pk"))
            .order_by()
            .values("badgeissuer")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rows = issuer_model.objects.select_related("logo").annotate(
            visible_issued=Coalesce(Subquery(issued), 0),
            visible_partnered=Coalesce(Subquery(partnered), 0),
        )
        issuers = {issuer.pk: issuer for issuer in rows}
        for issuer in issuers.values():
            # Each its parent from the same rows, so reading issuer.parent costs no query.
            if issuer.parent_id in issuers:
                issuer.parent = issuers[issuer.parent_id]
        return issuers

    def all(self):
        """Every issuer, by name."""
        return sorted(self._issuers_by_id.values(), key=lambda issuer: issuer.name.lower())

    def entries(self):
        """An IssuerEntry for every issuer, by name."""
        return [self.entry(issuer) for issuer in self.all()]

    def units(self):
        """The entries of the issuers that are part of another organisation (an association's
        divisions, offices and programmes, without the association above them), or of every
        issuer when none is."""
        entries = self.entries()
        units = [entry for entry in entries if entry.issuer.parent_id in self._issuers_by_id]
        return units or entries

    def entry(self, issuer):
        return IssuerEntry(
            issuer,
            getattr(issuer, "visible_issued", 0),
            getattr(issuer, "visible_partnered", 0),
        )

    def get(self, slug):
        """The issuer with this slug, or None."""
        for issuer in self._issuers_by_id.values():
            if issuer.slug == slug:
                return issuer
        return None

    def parent_of(self, issuer):
        return self._issuers_by_id.get(issuer.parent_id)

    def children_of(self, issuer):
        """The entries of the organisations that are part of ``issuer``, by name."""
        return [entry for entry in self.entries() if entry.issuer.parent_id == issuer.pk]

    def badges_of(self, issuer):
        """(the badges issuer issues, those it issues in partnership with another issuer), each
        by title, from one listing."""
        badges = self.visible_badges.in_partnership_with(issuer)
        issued, in_partnership = [], []
        for badge in badges.for_cards().order_by("title", "pk"):
            (issued if badge.issuer_id == issuer.pk else in_partnership).append(badge)
        return issued, in_partnership
