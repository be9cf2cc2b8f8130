from django import forms
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm


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


class PathwayForm(WagtailAdminModelForm):
    """A pathway names each badge once. Checked here, on the forms as posted, not by a database
    constraint: an editor who removes a badge and adds it again in one edit posts a new row
    for it before the old one is deleted."""

    def is_valid(self):
        # After the inline forms are cleaned (the form's own clean() comes before theirs).
        valid = super().is_valid()
        seen = set()
        for form in self.formsets["entries"].forms if valid else ():
            data = form.cleaned_data
            badge = data.get("badge")
            if badge is None or data.get("DELETE"):
                continue
            if badge.pk in seen:
                form.add_error("badge", _("This badge is in the pathway already: list it once."))
                valid = False
            seen.add(badge.pk)
        return valid
