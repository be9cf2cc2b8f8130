"""System checks for the feedback settings: a typo in a proxy address would otherwise either
let every client pick its own address or lump every visitor into one rate-limit bucket."""

from django.core.checks import Error, register

from . import conf
from .clients import parse_networks


@register()
def check_feedback_settings(app_configs=None, **kwargs):
    errors = []
    try:
        parse_networks(conf.get("BADGES_FEEDBACK_TRUSTED_PROXIES"))
    except (TypeError, ValueError) as error:
        errors.append(
            Error(
                f"BADGES_FEEDBACK_TRUSTED_PROXIES is not a list of IP addresses or networks: "
                f"{error}",
                hint='For example ["127.0.0.1", "10.0.0.0/8"].',
                id="badges_feedback.E001",
            )
        )
    for name, number in (
        ("BADGES_FEEDBACK_RETENTION_DAYS", 1),
        ("BADGES_FEEDBACK_RATE_LIMIT", 2),
        ("BADGES_FEEDBACK_RATE_WINDOW", 3),
        ("BADGES_FEEDBACK_MAX_ANSWER_LENGTH", 4),
        ("BADGES_FEEDBACK_MAX_SUBMISSION_LENGTH", 5),
    ):
        value = conf.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.append(
                Error(
                    f"{name} must be a whole number of at least 1, not {value!r}.",
                    id=f"badges_feedback.E00{number + 1}",
                )
            )
    return errors
