"""Which issuers a BadgeIndexPage publishes a page and an Open Badges Profile for.

An issuer is public below an index when it issues, or partners in, a badge that anyone may see
there (live, not behind a view restriction), or is a parent organisation of such an issuer. An
issuer known only from drafts stays unknown: its address answers 404, like the drafts.
"""

from django.utils.functional import cached_property


class IssuerDirectory:
    def __init__(self, index_page):
        self.index_page = index_page
        self.visible_badges = index_page.visible_badges()

    @cached_property
    def _issuers_by_id(self):
        """Every issuer, for walking up parent organisations in memory: a handful of rows."""
        # The issuer model, through Django's model API: this module is part of the page
        # models' routes (catalogue/routes.py), so it imports no model.
        issuer_model = self.visible_badges.model._meta.get_field("issuer").related_model
        issuers = {issuer.pk: issuer for issuer in issuer_model.objects.select_related("logo")}
        for issuer in issuers.values():
            # Each its parent from the same rows, so reading issuer.parent costs no query.
            if issuer.parent_id in issuers:
                issuer.parent = issuers[issuer.parent_id]
        return issuers

    @cached_property
    def public_ids(self):
        # One query, distinct in the database: a handful of issuers, however many badges.
        direct = self.visible_badges.issuer_ids()
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
        by title, from one listing."""
        badges = self.visible_badges.in_partnership_with(issuer)
        issued, in_partnership = [], []
        for badge in badges.for_cards().order_by("title", "pk"):
            (issued if badge.issuer_id == issuer.pk else in_partnership).append(badge)
        return issued, in_partnership
