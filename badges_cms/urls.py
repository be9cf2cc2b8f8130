"""Routes the plugin adds ahead of Wagtail's page serving; a site includes them with
``path("", include("badges_cms.urls"))`` placed before ``wagtail.urls``."""

app_name = "badges_cms"

urlpatterns = []
