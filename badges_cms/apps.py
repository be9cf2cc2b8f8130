from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesCmsConfig(AppConfig):
    name = "badges_cms"
    label = "badges_cms"
    verbose_name = _("Badges")
    default_auto_field = "django.db.models.BigAutoField"
