"""Logging filters a site may put on its handlers (the reference site's LOGGING does).

Imports nothing of Django's models, so that LOGGING can name them before the apps load.
"""

import logging


class SkipPrinted(logging.Filter):
    """Leaves out records that a management command also prints (``extra={"printed": True}``),
    such as sync_credly_badges' summary: on a console handler, which writes to the same
    terminal or journal as the command, the operator would read each message twice. Put it on
    console handlers only; log systems (files, Sentry, mail) should keep every record."""

    def filter(self, record):
        return not getattr(record, "printed", False)
