from django import forms
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


class BadgePageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        template_id = self.fields.get("credly_template_id")
        if template_id is not None and self.instance.alias_of_id is not None:
            # The id is unique and stays with the original page, whose figures an alias shows.
            template_id.disabled = True
            template_id.help_text = _(
                "An alias shows the Credly figures of the page it is an alias of. To link this "
                "page to a template of its own, first convert it into an ordinary page."
            )

    def clean_criteria(self):
        criteria = self.cleaned_data.get("criteria", "")
        # An emptied rich-text editor still posts "<p></p>"; count that as blank when the field
        # is required (publishing), not while a draft defers required fields.
        if self.fields["criteria"].required and not strip_tags(criteria or "").strip():
            raise forms.ValidationError(_("Say what someone must do to earn this badge."))
        return criteria
