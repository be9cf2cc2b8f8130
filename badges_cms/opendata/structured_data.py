"""schema.org JSON-LD for pages, and the safe way to put JSON-LD into HTML.

Search engines read ``<script type="application/ld+json">`` blocks: a BreadcrumbList on every
page below the home page, a WebSite on the home page, an EducationalOccupationalCredential on
each badge page and an ItemList on badge indexes.
Such a block is data, never run, so a Content Security Policy without inline scripts allows it.
"""

import json
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import links
from .openbadges import badge_image_url, skills

SCHEMA_ORG = "https://schema.org"
# As django.utils.html.json_script: text inside a <script> element ends at the first "</",
# and "<!--" changes how it is parsed, so <, > and & are written as JSON escapes.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data):
    """A <script type="application/ld+json"> element holding data, safe to place in HTML."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),  # noqa: S308 - escaped just above
    )


def breadcrumb_list(trail):
    """trail: (name, absolute URL) pairs from the site's home page down to the current page."""
    return {
        "@context": SCHEMA_ORG,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def website(name, url):
    """The site itself, on its home page: the name search engines show for it."""
    return {"@context": SCHEMA_ORG, "@type": "WebSite", "name": name, "url": url}


def organization(issuer, index_page, request):
    return {
        "@type": "Organization",
        "@id": links.issuer_page_url(index_page, issuer, request),
        "name": issuer.name,
        "url": issuer.website or links.issuer_page_url(index_page, issuer, request),
        **({"alternateName": issuer.acronym} if issuer.acronym else {}),
    }


def organization_document(issuer, index_page, request):
    """An issuer as a stand-alone schema.org Organization, for its own page."""
    data = {"@context": SCHEMA_ORG, **organization(issuer, index_page, request)}
    if issuer.description:
        data["description"] = issuer.description
    if issuer.contact_email:
        data["email"] = issuer.contact_email
    if issuer.parent:
        data["parentOrganization"] = organization(issuer.parent, index_page, request)
    return data


def credential(page, request, pathway_places=()):
    """The badge as an EducationalOccupationalCredential, part of the pathways it belongs to
    (pathway_places: PathwayBadge.objects.places_of)."""
    url = links.page_url(page, request)
    index_url = links.page_url(page.index_page, request)
    data = {
        "@context": SCHEMA_ORG,
        "@type": "EducationalOccupationalCredential",
        "@id": url + "#credential",
        "name": page.title,
        "description": page.summary,
        "url": url,
        "credentialCategory": "badge",
        "competencyRequired": [
            {
                "@type": "DefinedTerm",
                "name": skill.name,
                "url": f"{index_url}?{urlencode({'skill': skill.slug})}",
            }
            for skill in skills(page)
        ],
    }
    image = badge_image_url(page.badge_image, request)
    if image:
        data["image"] = image
    if page.issuer:
        data["recognizedBy"] = organization(page.issuer, page.index_page, request)
    if page.launched:
        data["dateCreated"] = page.launched.isoformat()
    if not data["competencyRequired"]:
        del data["competencyRequired"]
    part_of = [
        links.pathway_page_url(page.index_page, place.pathway, request) for place in pathway_places
    ]
    if part_of:
        data["isPartOf"] = part_of
    return data


def pathway_item_list(pathway, badges, index_page, request):
    """A pathway as the ordered list of its badges (each an EducationalOccupationalCredential,
    pointing to its page), in the order they are earned."""
    url = links.pathway_page_url(index_page, pathway, request)
    data = {
        "@context": SCHEMA_ORG,
        "@type": "ItemList",
        "@id": url + "#pathway",
        "name": pathway.title,
        "description": pathway.description,
        "url": url,
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "numberOfItems": len(badges),
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "item": {
                    "@type": "EducationalOccupationalCredential",
                    "@id": links.page_url(badge, request) + "#credential",
                    "name": badge.title,
                    "url": links.page_url(badge, request),
                },
            }
            for position, badge in enumerate(badges, start=1)
        ],
    }
    if not pathway.description:
        del data["description"]
    return data


def item_list(index_page, badges, request, *, first_position=1, total=None):
    """The badges on one page of an index's listing, in the order shown."""
    data = {
        "@context": SCHEMA_ORG,
        "@type": "ItemList",
        "name": index_page.title,
        "url": links.page_url(index_page, request),
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": badge.title,
                "url": links.page_url(badge, request),
            }
            for position, badge in enumerate(badges, start=first_position)
        ],
    }
    if total is not None:
        data["numberOfItems"] = total
    return data
