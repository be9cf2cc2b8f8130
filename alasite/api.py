"""The site's read-only Wagtail API (v2), served at /api/v2/.

``/api/v2/pages/?type=badges_cms.BadgePage&fields=*`` lists the badges with their issuer, skills,
criteria as HTML, image renditions, issued count and Open Badges links; ``/api/v2/images/``
lists the images public pages show; ``/api/v2/pathways/`` the published pathways with their
badges in order. Only live pages outside any view restriction appear.
"""

from wagtail.api.v2.router import WagtailAPIRouter

from badges_cms.opendata.api import (
    BadgePagesAPIViewSet,
    PathwaysAPIViewSet,
    PublicImagesAPIViewSet,
)

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", BadgePagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("pathways", PathwaysAPIViewSet)
