"""Routes the plugin adds ahead of Wagtail's page serving; a site includes them with
``path("", include("badges_cms.urls"))`` placed before ``wagtail.urls``."""

from django.urls import path, re_path

from .credly.webhooks import credly_webhook
from .opendata import views

app_name = "badges_cms"

# A page's path as it appears in its URL: slugs each ending in "/" (empty for a site's root).
PAGE_PATH = r"(?P<path>(?:[^/]+/)*)"

urlpatterns = [
    path("credly/webhook/", credly_webhook, name="credly_webhook"),
    # Open Badges documents below badge pages and indexes; see views.py for why they are here.
    re_path(rf"^{PAGE_PATH}badgeclass\.json$", views.badgeclass_json, name="badgeclass_json"),
    re_path(rf"^{PAGE_PATH}achievement\.json$", views.achievement_json, name="achievement_json"),
    re_path(
        rf"^{PAGE_PATH}issuers/(?P<slug>[-a-zA-Z0-9_]+)\.json$",
        views.issuer_json,
        name="issuer_json",
    ),
]
