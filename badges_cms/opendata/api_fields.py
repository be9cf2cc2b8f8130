"""Serializer fields for badge pages in Wagtail's API (v2): see BadgePage.api_fields."""

from rest_framework.fields import Field, UUIDField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.rich_text import expand_db_html

from .. import links, renditions
from ..sharing.image_operations import share_image_filter

# Every rendition the API serves, so the API's queryset can prefetch them all at once.
API_RENDITIONS = {
    "badge_image_thumbnail": renditions.API_THUMBNAIL,
    "badge_image_png": renditions.OPEN_BADGES_PNG,
    "share_image": share_image_filter(),
}


class RichTextHTMLField(Field):
    """Rich text as front-end HTML (links to pages and documents resolved), not Wagtail's
    database format with its <a linktype="page" id="…"> placeholders."""

    def to_representation(self, value):
        return expand_db_html(value) if value else ""


class SkillNamesField(Field):
    """Skill names, read from the prefetched skills (Wagtail's own tags field queries the
    names afresh for every page)."""

    def to_representation(self, skills):
        return sorted((skill.name for skill in skills.all()), key=str.casefold)


class IssuerField(Field):
    def to_representation(self, issuer):
        return {
            "id": issuer.pk,
            "name": issuer.name,
            "acronym": issuer.acronym,
            "slug": issuer.slug,
            "kind": issuer.kind,
            "website": issuer.website,
        }


class IssuerListField(Field):
    def to_representation(self, issuers):
        return [IssuerField().to_representation(issuer) for issuer in issuers.all()]


class ShownTemplateIdField(UUIDField):
    """The id of the Credly template whose figures the page shows: for an alias, which holds
    no id of its own, its original's (BadgePage.shown_template_id)."""

    def __init__(self, **kwargs):
        super().__init__(source="shown_template_id", read_only=True, **kwargs)


class OpenBadgesLinksField(Field):
    """The addresses of the badge's Open Badges documents (source="*": the page itself)."""

    def to_representation(self, page):
        request = self.context["request"]
        page_url = links.page_url(page, request)
        # A badge page is a direct child of its index, so the index's address is its own
        # without the last segment: no query for the parent.
        index_url = page_url.rstrip("/").rsplit("/", 1)[0] + "/"
        documents = {
            "badgeclass": page_url + links.BADGECLASS_FILENAME,
            "achievement": page_url + links.ACHIEVEMENT_FILENAME,
        }
        if page.issuer_id:
            documents["issuer"] = f"{index_url}{links.ISSUERS_ROUTE}{page.issuer.slug}.json"
        return documents


def rendition_field(name):
    # preserve_svg: an SVG badge keeps its vector original instead of failing to rasterise.
    return ImageRenditionField(API_RENDITIONS[name], source="badge_image", preserve_svg=True)


class PathwayBadgesField(Field):
    """A pathway's badges anyone may see in the request's site, in the pathway's order, from
    the entries PathwaysAPIViewSet prefetches (source="shown_entries"). ``position`` counts only
    those badges, as the pathway's page does: a draft or private badge leaves no gap."""

    def to_representation(self, entries):
        request = self.context["request"]
        return [
            {
                "id": entry.badge.pk,
                "title": entry.badge.title,
                "url": links.page_url(entry.badge, request),
                "required": entry.required,
                "position": position,
            }
            for position, entry in enumerate(entries, start=1)
        ]
