from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesCmsConfig(AppConfig):
    name = "badges_cms"
    label = "badges_cms"
    verbose_name = _("Badges")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Cached pages are retired on publish, move, delete..., whichever process does it
        # (web, task worker, management command), so the handlers connect here.
        from .page_cache import register_signal_handlers

        register_signal_handlers()
