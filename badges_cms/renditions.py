"""The image renditions pages, cards and documents show, named once: the templates ask for the
same filter specs, and the queries that prefetch renditions (models/querysets.py,
BadgePage.get_context, the API) use these, so every image comes from a prefetch."""

# A badge card (includes/badge_card.html): twice the 160 CSS px it is shown at, for sharp
# art on high-density screens.
CARD = "fill-320x320"
# The API's badge_image_thumbnail: 160 x 160, as docs/data.md promises API clients.
API_THUMBNAIL = "fill-160x160"
# The badge image on its own page (badge_page.html).
BADGE_PAGE = "max-320x320"
# The PNG that Open Badges documents and the API link to.
OPEN_BADGES_PNG = "max-600x600|format-png"


def rendition(image, spec):
    """The image's rendition for one filter spec (or Filter), made if it does not exist yet.

    Image.get_rendition writes the rendition to the cache on every call, even when it came from
    a prefetch of the image's renditions (BadgePage.get_context prefetches the badge page's):
    a cache write per image on every render. get_renditions writes only what it did not find
    in a prefetch, and otherwise finds, caches and creates renditions as get_rendition does."""
    return next(iter(image.get_renditions(spec).values()))
