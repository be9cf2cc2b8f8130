"""Links into the catalogue for the plugin's and the site's templates, without a query.

- ``{% issuer_page_url badge issuer as url %}``: the page of an issuer below the index that
  lists the badge (a card's issuer links there).
- ``{% issuer_directory_url page as url %}``: the issuers directory below a badge index (a page
  of the site's menu, say), or "" for any other page.
- ``{% card_image badge %}``: the <img> of a badge card, from the rendition the cards' query
  prefetched (BadgePageQuerySet.for_cards), or "" for a badge without an image.
"""

from django import template
from django.urls import NoReverseMatch
from wagtail.images.models import Filter
from wagtail.images.shortcuts import get_renditions_or_not_found

from .. import links, renditions

register = template.Library()

# Parsed once: Wagtail's image tags parse their filter spec again on every render, for every
# card of a listing.
CARD_FILTER = Filter(spec=renditions.CARD)


@register.simple_tag
def card_image(badge):
    """The same <img> as ``{% srcset_image badge.badge_image fill-320x320 alt=… %}``, written
    from the prefetched rendition (no cache lookup or write) with a filter parsed once."""
    image = badge.badge_image
    if image is None:
        return ""
    # As the image tags do: an original file that is gone gives a "not-found" <img>, not an
    # error that takes the whole listing down.
    (rendition,) = get_renditions_or_not_found(image, [CARD_FILTER]).values()
    attrs = {"alt": badge.badge_image_alt, "class": "badge-card__image", "loading": "lazy"}
    return rendition.img_tag(attrs)


@register.simple_tag(takes_context=True)
def issuer_page_url(context, badge, issuer):
    return links.issuer_page_url_beside(badge, issuer, context.get("request"))


@register.simple_tag(takes_context=True)
def issuer_directory_url(context, page):
    reverse_subpage = getattr(page, "reverse_subpage", None)
    if reverse_subpage is None:
        return ""
    try:
        route = reverse_subpage("issuers")
    except NoReverseMatch:
        return ""
    url = page.get_url(request=context.get("request"))
    return f"{url.rstrip('/')}/{route}" if url else ""
