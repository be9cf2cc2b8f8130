"""The privacy promises kept in code: answers older than the retention period go, and one
earner's answers can be found and deleted on request."""

import re
from datetime import timedelta

from django.utils import timezone

from . import conf
from .models import BadgeFeedbackSubmission


def retention_cutoff(now=None):
    """Submissions made before this moment are past the retention period."""
    days = conf.get("BADGES_FEEDBACK_RETENTION_DAYS")
    return (now or timezone.now()) - timedelta(days=days)


def expired_submissions(now=None):
    return BadgeFeedbackSubmission.objects.filter(submit_time__lt=retention_cutoff(now))


def email_pattern(address):
    """Matches the address as a whole, in any case: ann@example.org is found in "write to
    Ann@Example.org." but not inside joann@example.org or ann@example.org.uk."""
    return re.compile(
        rf"(?<![\w.+-]){re.escape(address.strip())}(?!\.?[\w-])", re.IGNORECASE | re.UNICODE
    )


def _values(data):
    """Every string in a submission's answers, however nested (checkbox answers are lists)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _values(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _values(value)


def submissions_mentioning(address):
    """Ids of the submissions whose answers contain the address, in any field.

    Matched in Python rather than by the database: a JSON text search would depend on how each
    database escapes the stored JSON (non-ASCII addresses, for one), and would still need this
    check to tell ann@ from joann@. Feedback comes in hundreds, not millions.
    """
    pattern = email_pattern(address)
    matches = []
    rows = BadgeFeedbackSubmission.objects.values_list("pk", "form_data")
    for pk, form_data in rows.iterator(chunk_size=500):
        if any(pattern.search(value) for value in _values(form_data)):
            matches.append(pk)
    return matches
