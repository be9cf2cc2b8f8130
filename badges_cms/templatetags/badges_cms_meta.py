"""Tags for the <head> and the frame of every page, for the site's base template.

``{% page_meta %}``, inside <head>: the canonical link, the description, Open Graph and Twitter
card tags, <link rel="alternate"> for the Atom feed and the Open Badges documents, and the
schema.org JSON-LD blocks (see badges_cms/sharing/meta.py). A template rendering no Wagtail page
gets nothing.

``{% filter document_title:request %}…{% endfilter %}``, inside <title>: the page's title and
the site's name, without the name twice when the title already is it.

``{% breadcrumbs %}``: the visible trail from Home to the page, the same trail as the
BreadcrumbList (an issuer page's included); nothing on the home page. ``current="…"`` adds a
last step for a view below the page (the Mastodon share form).
"""

import html

from django import template
from django.conf import settings
from django.utils.html import conditional_escape
from wagtail.models import Page

from ..sharing import meta

register = template.Library()


@register.inclusion_tag("badges_cms/includes/page_meta.html", takes_context=True)
def page_meta(context):
    return {"meta": meta.page_meta(context)}


@register.filter
def document_title(title, request=None):
    name = meta.site_name(request) if request is not None else settings.WAGTAIL_SITE_NAME
    # The title arrives as rendered (escaped) HTML: compare and join it as text.
    return conditional_escape(meta.document_title(html.unescape(str(title)), name))


@register.inclusion_tag("badges_cms/includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, current=""):
    request = context.get("request")
    page = context.get("page")
    trail = []
    if request is not None and isinstance(page, Page):
        overrides = context.get("meta_overrides") or {}
        trail = [(name, url) for name, url in overrides.get("breadcrumbs") or []]
        trail = trail or meta.breadcrumbs(page, request)
    if current and trail:
        trail = [*trail, (current, None)]
    # Only below the home page: the home page's own trail is the one item.
    return {"trail": trail if len(trail) > 1 else []}
