from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesCmsConfig(AppConfig):
    name = "badges_cms"
    label = "badges_cms"
    verbose_name = _("Badges")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the settings checks)

        # The HTTP cache in front is purged after a publish, move, delete..., whichever process
        # does it (web, task worker, management command), so the handlers connect here.
        from .catalogue.aliases import register_signal_handlers as register_alias_handlers
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        # A new alias is announced as published, so whatever refreshes a publish runs for it.
        register_alias_handlers()
