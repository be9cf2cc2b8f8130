"""Links to the verify page (``<index>/verify/``, catalogue/verify.py) for any template.

``{% verify_badge_url page as url %}``: the verify page below a badge index, or below the index
that lists a badge page; "" for any other page (the footer asks this of each menu page).
``{% verify_badge_url badge_id=id as url %}``, without a page: the one below the page being
rendered if it is an index or a badge, else below the first badge index of the request's site
(one query a request), with ``?badge=<id>`` so the answer is one click away (embed blocks).
"""

from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch

from ..models import BadgeIndexPage, BadgePage

register = template.Library()

# Set on the request by the first look-up of its site's index, so several embeds cost one query.
SITE_INDEX = "_badges_cms_verify_index"


def index_of(page):
    if isinstance(page, BadgeIndexPage):
        return page
    if isinstance(page, BadgePage):
        return page.index_page
    return None


def site_index(request):
    if request is None:
        return BadgeIndexPage.objects.visible().order_by("path").first()
    if not hasattr(request, SITE_INDEX):
        index = BadgeIndexPage.objects.visible_for(request).order_by("path").first()
        setattr(request, SITE_INDEX, index)
    return getattr(request, SITE_INDEX)


@register.simple_tag(takes_context=True)
def verify_badge_url(context, page=None, badge_id=""):
    request = context.get("request")
    if page is not None:
        index = index_of(page)
    else:
        index = index_of(context.get("page")) or site_index(request)
    if index is None:
        return ""
    try:
        route = index.reverse_subpage("verify")
    except NoReverseMatch:
        return ""
    url = index.get_url(request=request)
    if not url:
        return ""
    url = f"{url.rstrip('/')}/{route}"
    return f"{url}?{urlencode({'badge': badge_id})}" if badge_id else url
