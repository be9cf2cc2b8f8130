"""System checks of the plugin's settings (conf.py): a malformed value is reported by name at
``manage.py check`` (and at every runserver, migrate and deploy) instead of at the first request,
sync or email that needs it. Credly left unconfigured is no error: development runs without it."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import conf

PREFIXES = ("BADGES_CMS_", "CREDLY_")


@register()
def check_settings(app_configs=None, **kwargs):
    messages = []
    for name, setting in conf.SETTINGS.items():
        problem = conf.problem(name)
        if problem:
            messages.append(
                Error(
                    problem,
                    hint=f"Expected {setting.expected}; the default is {setting.default!r}.",
                    id=setting.check_id,
                )
            )
    # A misspelt name would otherwise be ignored without a word, its default used instead.
    for name in sorted(dir(settings)):
        if name.startswith(PREFIXES) and name not in conf.SETTINGS:
            messages.append(
                Warning(
                    f"{name} is not a setting of badges_cms; it is ignored.",
                    hint="The settings are listed in badges_cms/conf.py and docs/settings.md.",
                    id="badges_cms.W001",
                )
            )
    # Either both or neither: one without the other is most likely a variable left out.
    token_set = not conf.is_unset(conf.get("CREDLY_API_TOKEN"))
    organization_set = not conf.is_unset(conf.get("CREDLY_ORGANIZATION_ID"))
    if token_set != organization_set:
        given, missing = ("CREDLY_API_TOKEN", "CREDLY_ORGANIZATION_ID")
        if not token_set:
            given, missing = missing, given
        messages.append(
            Warning(
                f"{given} is set but {missing} is not: the sync, webhooks and Sync now cannot "
                "reach Credly.",
                hint=f"Set {missing} as well, or neither.",
                id="badges_cms.W002",
            )
        )
    return messages
