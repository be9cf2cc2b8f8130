"""``{{ value|site_time }}``: a time in the site's time zone, named (badges_cms/times.py), for
the plugin's staff screens."""

from django import template

from .. import times

register = template.Library()


@register.filter
def site_time(value):
    return times.site_time(value)
