from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesFeedbackConfig(AppConfig):
    name = "badges_cms.feedback"
    label = "badges_feedback"
    verbose_name = _("Badge feedback")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the settings checks)
