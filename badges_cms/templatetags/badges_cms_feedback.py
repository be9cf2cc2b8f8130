"""``{% badge_feedback_link page %}``: on a badge page, a link to the site's feedback form with
``?badge=<slug>``, which fills in the form's badge field.

It lives in the plugin's core tag library, not in the feedback app, so the badge page template
renders whether or not a site installs ``badges_cms.feedback``: without it, or without a live
public feedback page, the tag writes nothing.
"""

from urllib.parse import urlencode

from django import template
from django.apps import apps

register = template.Library()


@register.inclusion_tag("badges_cms/includes/feedback_link.html", takes_context=True)
def badge_feedback_link(context, badge):
    # The feedback app is optional: its page model is looked up only where it is installed.
    if not apps.is_installed("badges_cms.feedback"):
        return {}
    request = context.get("request")
    feedback_page = apps.get_model("badges_feedback", "BadgeFeedbackPage").for_request(request)
    if feedback_page is None or not getattr(badge, "slug", ""):
        return {}
    return {
        "badge": badge,
        "feedback_page": feedback_page,
        "feedback_url": f"{feedback_page.get_url(request)}?{urlencode({'badge': badge.slug})}",
    }
