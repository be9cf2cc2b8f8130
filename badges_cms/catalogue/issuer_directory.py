"""Which issuers a BadgeIndexPage publishes a page and an Open Badges Profile for.

An issuer is public below an index when it issues, or partners in, a badge that anyone may see
there (live, not behind a view restriction), or is a parent organisation of such an issuer. An
issuer known only from drafts stays unknown: its address answers 404, like the drafts.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.functional import cached_property

from .listing import public_pages, with_listing_data


class IssuerDirectory:
    def __init__(self, index_page):
        from ..models import BadgePage

        self.index_page = index_page
        self.visible_badges = public_pages(BadgePage.objects.live().descendant_of(index_page))

    @cached_property
    def _issuers_by_id(self):
        """Every issuer, for walking up parent organisations in memory: a handful of rows."""
        from ..models import BadgeIssuer

        issuers = {issuer.pk: issuer for issuer in BadgeIssuer.objects.select_related("logo")}
        for issuer in issuers.values():
            # Each its parent from the same rows, so reading issuer.parent costs no query.
            if issuer.parent_id in issuers:
                issuer.parent = issuers[issuer.parent_id]
        return issuers

    @cached_property
    def public_ids(self):
        # One query, distinct in the database: a handful of issuers, however many badges.
        from ..models import BadgePage

        badges = self.visible_badges.order_by()
        issuer_ids = badges.exclude(issuer=None).values_list("issuer_id", flat=True)
        partnerships = BadgePage.partner_issuers.through.objects.filter(
            badgepage__in=badges.values("pk")
        )
        partner_ids = partnerships.values_list("badgeissuer_id", flat=True)
        direct = set(issuer_ids.union(partner_ids))
        public = set()
        for issuer_id in direct:
            seen = set()
            while issuer_id is not None and issuer_id not in seen:
                seen.add(issuer_id)
                public.add(issuer_id)
                parent = self._issuers_by_id.get(issuer_id)
                issuer_id = parent.parent_id if parent else None
        return public

    def all(self):
        issuers = [self._issuers_by_id[pk] for pk in self.public_ids if pk in self._issuers_by_id]
        return sorted(issuers, key=lambda issuer: issuer.name.lower())

    def get(self, slug):
        """The public issuer with this slug, or None."""
        for issuer in self._issuers_by_id.values():
            if issuer.slug == slug and issuer.pk in self.public_ids:
                return issuer
        return None

    def parent_of(self, issuer):
        parent = self._issuers_by_id.get(issuer.parent_id)
        return parent if parent and parent.pk in self.public_ids else None

    def children_of(self, issuer):
        children = [
            candidate
            for candidate in self._issuers_by_id.values()
            if candidate.parent_id == issuer.pk and candidate.pk in self.public_ids
        ]
        return sorted(children, key=lambda child: child.name.lower())

    def badges_of(self, issuer):
        """(the badges issuer issues, those it issues in partnership with another issuer), each
        by title: what badges_issued_by and badges_in_partnership_with answer, in one listing."""
        from ..models import BadgePage

        partnerships = BadgePage.partner_issuers.through.objects.filter(
            badgepage=OuterRef("pk"), badgeissuer=issuer
        )
        badges = self.visible_badges.filter(Q(issuer=issuer) | Exists(partnerships))
        issued, in_partnership = [], []
        for badge in with_listing_data(badges).order_by("title", "pk"):
            (issued if badge.issuer_id == issuer.pk else in_partnership).append(badge)
        return issued, in_partnership

    def badges_issued_by(self, issuer):
        badges = self.visible_badges.filter(issuer=issuer)
        return with_listing_data(badges).order_by("title", "pk")

    def badges_in_partnership_with(self, issuer):
        badges = self.visible_badges.filter(Q(partner_issuers=issuer) & ~Q(issuer=issuer))
        return with_listing_data(badges.distinct()).order_by("title", "pk")
