"""The feedback app's settings, each with a default; a site overrides them in its settings."""

from django.conf import settings

DEFAULTS = {
    # Accepted submissions per client per window. Libraries often put a whole building behind
    # one address, so keep this generous enough for a room of colleagues after a webinar.
    "BADGES_FEEDBACK_RATE_LIMIT": 5,
    # The window of the rate limit, in seconds.
    "BADGES_FEEDBACK_RATE_WINDOW": 60 * 60,
    # Addresses or networks ("10.0.0.0/8") of the reverse proxies in front of the site. Only a
    # request arriving from one of them has its X-Forwarded-For header believed; otherwise any
    # client could pick its own address and escape the rate limit.
    "BADGES_FEEDBACK_TRUSTED_PROXIES": [],
    # Days a submission is kept; `manage.py prune_badge_feedback` deletes older ones.
    "BADGES_FEEDBACK_RETENTION_DAYS": 365,
    # Characters in one typed answer (a paragraph or a hidden question); line breaks count once.
    # Room for a considered page of text, not for pasting a book.
    "BADGES_FEEDBACK_MAX_ANSWER_LENGTH": 4000,
    # Characters in all the answers of one submission together, email address included: a
    # form with many long questions cannot be used to store more than this at a time.
    "BADGES_FEEDBACK_MAX_SUBMISSION_LENGTH": 20000,
}


def get(name):
    return getattr(settings, name, DEFAULTS[name])
