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
