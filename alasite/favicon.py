"""``/favicon.ico``: browsers ask for it on every site, whatever the page's <link rel="icon">
says, so it answers with a redirect to the icon among the static files rather than a 404.

A temporary redirect that caches may keep for a day: in production the static file's name
carries a hash of its content (ManifestStaticFilesStorage), which a new icon changes, so a
permanent redirect (which browsers keep for good) could outlive the file it points to.
"""

from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

FAVICON = "img/favicon.ico"
MAX_AGE = 24 * 60 * 60


@require_safe
def favicon(request):
    response = HttpResponseRedirect(static(FAVICON))
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
