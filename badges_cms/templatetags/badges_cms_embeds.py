"""Loading Credly's embed.js once per page, however many badge embeds the page holds."""

from django import template
from django.utils.html import format_html

from ..credly.embed import EMBED_SCRIPT_URL

register = template.Library()

# Set on the request by the first embed rendered for it.
SCRIPT_EMITTED = "_badges_cms_credly_script_emitted"


@register.simple_tag(takes_context=True)
def credly_embed_script(context):
    """Credly's embed.js, the first time a request asks for it; nothing after that.

    The first embed block on a page writes the script itself, so the page works with any base
    template, in Wagtail's preview too, without the site's base.html having to cooperate.
    ``defer`` (not Credly's ``async``) runs it once the whole page is parsed, so it finds every
    embed, including those after the first. Rendered without a request (no way to know what else
    is on the page), it is always written: a second copy costs a cached fetch, a missing one a
    missing badge.
    """
    request = context.get("request")
    if request is not None:
        if getattr(request, SCRIPT_EMITTED, False):
            return ""
        setattr(request, SCRIPT_EMITTED, True)
    return format_html('<script src="{}" defer></script>', EMBED_SCRIPT_URL)
