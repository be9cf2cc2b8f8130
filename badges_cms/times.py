"""Times as staff screens, command output and alert emails show them: in the site's time zone
(TIME_ZONE) and naming it, whichever zone a request has activated (Wagtail activates each
user's own). The sync log, the dashboard and the emails then agree with one another, and with
the nightly timer, which runs in the server's time."""

from django.utils import timezone
from django.utils.formats import date_format


def site_time(value, format="DATETIME_FORMAT"):
    """The time as "Dec. 1, 2026, 3:54 p.m. CST" (``format`` as date_format takes it), or ""
    for None."""
    if value is None:
        return ""
    local = timezone.localtime(value, timezone.get_default_timezone())
    return f"{date_format(local, format)} {local.tzname()}"
