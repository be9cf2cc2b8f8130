"""``{% demo_figures_notice %}``: while the figures come from the project's stand-in for Credly
(BADGES_CMS_DEMO_FIGURES, development without a Credly account), a notice on every page that
they are invented; nothing otherwise. The site's base template puts it below its header."""

from django import template

from .. import conf

register = template.Library()


@register.inclusion_tag("badges_cms/includes/demo_notice.html")
def demo_figures_notice():
    return {"demo_figures": conf.get("BADGES_CMS_DEMO_FIGURES")}
