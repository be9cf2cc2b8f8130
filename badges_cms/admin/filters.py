"""Filters the staff screens share."""

import django_filters
from django.forms import RadioSelect
from django.utils.translation import gettext_lazy as _

from ..models import CredlyBadgeTemplate


class TemplateStateFilter(django_filters.ChoiceFilter):
    """A template's state in Credly (active, archived, draft), or any."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("State in Credly"))
        kwargs.setdefault("choices", CredlyBadgeTemplate.State.choices)
        kwargs.setdefault("empty_label", _("Any"))
        kwargs.setdefault("widget", RadioSelect)
        super().__init__(**kwargs)
