"""Links into the catalogue for the plugin's and the site's templates, without a query.

- ``{% issuer_page_url badge issuer as url %}``: the page of an issuer below the index that
  lists the badge (a card's issuer links there).
- ``{% issuer_directory_url page as url %}``: the issuers directory below a badge index (a page
  of the site's menu, say), or "" for any other page.
"""

from django import template
from django.urls import NoReverseMatch

from .. import links

register = template.Library()


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
