"""Open Badges 2.0 and 3.0 documents built from a BadgePage and its issuer.

- ``badge_class``: an Open Badges 2.0 BadgeClass, served as ``<badge>/badgeclass.json``.
- ``issuer_profile``: the issuer's 2.0 Profile, served as ``<index>/issuers/<slug>.json``.
- ``achievement``: an Open Badges 3.0 Achievement, served as ``<badge>/achievement.json``.

Every property used is a term of the document's own context (the tests expand the documents
with the published contexts and fail on any dropped term). Credly stays the issuer of record
of the badges people hold: when a page is linked to a synced Credly template the documents
point to it with ``related``, which both contexts define.

The published pathways a badge is part of are stated as ``alignment``s (2.0 AlignmentObject, 3.0
Alignment) to the pathway's page, ``targetFramework`` "Pathway": not as ``related``, which 3.0
keeps for the same achievement in another language or version.
"""

from django.utils.translation import get_language
from wagtail.models import Site

from .. import conf, links, renditions
from .markdown import richtext_to_markdown

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Open Badges 2.0 expects a PNG or SVG badge image (the formats a badge can be baked into).
CRITERIA_ANCHOR = "#criteria-heading"
# The targetFramework of an alignment to a pathway: what tells it from other alignments.
PATHWAY_FRAMEWORK = "Pathway"


def badge_image_url(image, request):
    """The badge image as PNG (or the SVG original), absolute; None without an image."""
    if image is None:
        return None
    try:
        png = None if image.is_svg() else renditions.rendition(image, renditions.OPEN_BADGES_PNG)
        url = png.url if png else image.file.url
    except OSError:  # the original file is gone: leave the image out rather than fail
        return None
    return links.absolute_url(request, url)


def issuer_email(issuer):
    """The issuer's contact address, or its nearest parent organisation's, or the site's."""
    seen = set()
    while issuer is not None and issuer.pk not in seen:
        if issuer.contact_email:
            return issuer.contact_email
        seen.add(issuer.pk)
        issuer = issuer.parent
    return conf.get("BADGES_CMS_ISSUER_FALLBACK_EMAIL") or None


def language_tag():
    """The active language as a BCP 47 tag, e.g. "en-US" for Django's "en-us"."""
    language, _, region = (get_language() or "en").partition("-")
    return f"{language}-{region.upper()}" if region else language


def credly_url(page):
    """The public address of the badge's Credly template, once a sync has recorded it."""
    template = page.credly_template
    return template.url if template and template.url else None


def skills(page):
    """The badge's skills by name (sorted in memory, so a prefetch is reused)."""
    return sorted(page.skills.all(), key=lambda skill: skill.name.casefold())


def skill_names(page):
    return [skill.name for skill in skills(page)]


def criteria(page, request):
    return {
        "id": links.page_url(page, request) + CRITERIA_ANCHOR,
        "narrative": richtext_to_markdown(page.criteria, links.absolute_url(request, "/")),
    }


def pathway_places_of(page, request):
    """The published pathways the badge is part of, in the request's site, with its place in
    each (PathwayBadge.objects.places_of, one query); none when the badge itself is not shown.
    The model is reached through the page's relation: this module is part of the page models'
    routes (documents.py), so it imports no model."""
    entries = page._meta.get_field("pathway_entries").related_model
    return entries.objects.places_of(page, Site.find_for_request(request))


def _pathway_alignments(page, request, pathway_places, **extra):
    """One alignment a pathway, by pathway title (the order of places_of). The pathway's page
    is the one below the badge's own index, read from the badge's URL (no query)."""
    if pathway_places is None:
        pathway_places = pathway_places_of(page, request)
    alignments = []
    for place in pathway_places:
        pathway = place.pathway
        url = links.pathway_page_url_beside(page, pathway, request)
        if url is None:
            continue
        alignments.append(
            _without_empty(
                {
                    **extra,
                    "targetName": pathway.title,
                    "targetUrl": links.absolute_url(request, url),
                    "targetDescription": pathway.description,
                    "targetFramework": PATHWAY_FRAMEWORK,
                    "targetCode": pathway.slug,
                }
            )
        )
    return alignments


def _without_empty(document):
    """Drop unset properties: JSON-LD treats null as absent, and the specs want them absent."""
    return {key: value for key, value in document.items() if value not in (None, "", [], {})}


def badge_class(page, request, pathway_places=None):
    """Open Badges 2.0 BadgeClass (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#BadgeClass).

    pathway_places: the badge's PathwayPlace list (PathwayBadge.objects.places_of), looked up
    for the request's site when None."""
    image_url = badge_image_url(page.badge_image, request)
    related = credly_url(page)
    return _without_empty(
        {
            "@context": OB2_CONTEXT,
            "type": "BadgeClass",
            "id": links.badgeclass_url(page, request),
            "name": page.title,
            "description": page.summary,
            "image": image_url
            and {"type": "Image", "id": image_url, "caption": page.badge_image_alt},
            "criteria": criteria(page, request),
            "issuer": page.issuer and links.issuer_json_url(page.index_page, page.issuer, request),
            "tags": skill_names(page),
            "related": [related] if related else None,
            "alignment": _pathway_alignments(page, request, pathway_places),
        }
    )


def issuer_profile(issuer, index_page, request):
    """Open Badges 2.0 issuer Profile."""
    logo_url = badge_image_url(issuer.logo, request)
    return _without_empty(
        {
            "@context": OB2_CONTEXT,
            "type": "Profile",
            "id": links.issuer_json_url(index_page, issuer, request),
            "name": issuer.name,
            "url": issuer.website or links.issuer_page_url(index_page, issuer, request),
            "email": issuer_email(issuer),
            "description": issuer.description,
            "image": logo_url and {"type": "Image", "id": logo_url, "caption": issuer.name},
        }
    )


def _profile_v3(issuer, index_page, request):
    logo_url = badge_image_url(issuer.logo, request)
    return _without_empty(
        {
            "id": links.issuer_json_url(index_page, issuer, request),
            "type": ["Profile"],
            "name": issuer.name,
            "url": issuer.website or links.issuer_page_url(index_page, issuer, request),
            "email": issuer_email(issuer),
            "description": issuer.description,
            "image": logo_url and {"id": logo_url, "type": "Image", "caption": issuer.name},
        }
    )


def achievement(page, request, pathway_places=None):
    """Open Badges 3.0 Achievement (https://www.imsglobal.org/spec/ob/v3p0/#achievement);
    pathway_places as for badge_class."""
    image_url = badge_image_url(page.badge_image, request)
    related = credly_url(page)
    return _without_empty(
        {
            "@context": [OB3_CONTEXT],
            "id": links.achievement_url(page, request),
            "type": ["Achievement"],
            "achievementType": "Badge",
            "name": page.title,
            "description": page.summary,
            "criteria": criteria(page, request),
            "image": image_url
            and {"id": image_url, "type": "Image", "caption": page.badge_image_alt},
            "creator": page.issuer and _profile_v3(page.issuer, page.index_page, request),
            "tag": skill_names(page),
            "inLanguage": language_tag(),
            "related": related and [{"id": related, "type": ["Related"]}],
            "alignment": _pathway_alignments(page, request, pathway_places, type=["Alignment"]),
        }
    )
