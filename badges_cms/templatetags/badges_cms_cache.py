"""``{% badgescache "name" value ... %}`` … ``{% endbadgescache %}``: a fragment of a public
page rendered once per content version (see badges_cms/fragment_cache.py).

Like Django's ``{% cache %}``, but the key always includes the site's content version, the
request's host and path and the page, so a publish or a sync retires every fragment at once,
and previews are never cached. Give as values whatever else the fragment depends on (the
listing's filters, say). Never enclose anything personal: a CSRF token, messages, the userbar.
"""

from django import template
from django.utils.safestring import mark_safe

from ..fragment_cache import cached_render

register = template.Library()


class FragmentCacheNode(template.Node):
    def __init__(self, nodelist, name, values):
        self.nodelist = nodelist
        self.name = name
        self.values = values

    def render(self, context):
        values = [value.resolve(context) for value in self.values]
        return mark_safe(  # noqa: S308 - the enclosed template's own output, escaped by it
            cached_render(context, self.name, values, lambda: self.nodelist.render(context))
        )


@register.tag("badgescache")
def do_badgescache(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(
            f"'{bits[0]}' takes a quoted fragment name, then the values it depends on."
        )
    nodelist = parser.parse(("endbadgescache",))
    parser.delete_first_token()
    return FragmentCacheNode(nodelist, bits[1][1:-1], [parser.compile_filter(b) for b in bits[2:]])
