"""The plugin's settings, each with a default; a site overrides them in its Django settings."""

from django.conf import settings

DEFAULTS = {
    # Badges listed per page on a BadgeIndexPage.
    "BADGES_CMS_PER_PAGE": 24,
    # Longest search query taken from ?q=; longer input is cut, not refused.
    "BADGES_CMS_MAX_QUERY_LENGTH": 200,
}


def get(name):
    return getattr(settings, name, DEFAULTS[name])
