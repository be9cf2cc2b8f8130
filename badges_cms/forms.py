from django import forms
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


class BadgePageForm(WagtailAdminPageForm):
    def clean_criteria(self):
        criteria = self.cleaned_data.get("criteria", "")
        # An emptied rich-text editor still posts "<p></p>"; count that as blank when the field
        # is required (publishing), not while a draft defers required fields.
        if self.fields["criteria"].required and not strip_tags(criteria or "").strip():
            raise forms.ValidationError(_("Say what someone must do to earn this badge."))
        return criteria
