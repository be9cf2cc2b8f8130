"""``{% page_meta %}``: link-preview, feed and JSON-LD tags for the <head> of every page.

Put ``{% load badges_cms_meta %}`` and ``{% page_meta %}`` in the site's base template, inside
<head>. It writes the canonical link, the description, Open Graph and Twitter card tags,
<link rel="alternate"> for the Atom feed and the Open Badges documents, and the schema.org
JSON-LD blocks (see badges_cms/sharing/meta.py). A template rendering no Wagtail page gets nothing.
"""

from django import template

from ..sharing.meta import page_meta as build_page_meta

register = template.Library()


@register.inclusion_tag("badges_cms/includes/page_meta.html", takes_context=True)
def page_meta(context):
    return {"meta": build_page_meta(context)}
