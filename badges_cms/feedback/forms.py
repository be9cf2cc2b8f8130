"""The visitor's feedback form (editors' questions plus the fixed fields every feedback form
needs) and the admin form that keeps editors' questions from taking the fixed fields' names."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from wagtail.contrib.forms.forms import BaseForm, FormBuilder, WagtailAdminFormPageForm

from . import conf

# The fixed fields' names. They are also keys of the stored answers, so an editor's question
# may not take one (its clean name comes from its label: "Email" would become "email").
BADGE = "badge"
BADGE_TITLE = "badge_title"
EMAIL = "email"
CONSENT = "consent"
# The honeypot: people never see it; bots that fill in every field do.
HONEYPOT = "website"
RESERVED_NAMES = frozenset({BADGE, BADGE_TITLE, EMAIL, CONSENT, HONEYPOT, "submit_time"})


def answer_length(value):
    """Characters in an answer as it is stored; ticked boxes count their choices' labels."""
    if value is None:
        return 0
    if isinstance(value, list | tuple):
        return sum(answer_length(item) for item in value)
    return len(str(value))


class AnswerField(forms.CharField):
    """A typed answer (a paragraph, or a hidden question whose value the visitor can change)
    of at most BADGES_FEEDBACK_MAX_ANSWER_LENGTH characters. The textarea's maxlength stops
    typing at the limit; the message is for the rest (a paste without JavaScript, a bot).

    Browsers send each line break as CR LF but count it as one character towards maxlength,
    so line breaks are stored as LF alone and the server counts as the browser did."""

    default_error_messages = {
        "max_length": ngettext_lazy(
            "Please shorten this answer to at most %(limit_value)d character; "
            "it has %(show_value)d.",
            "Please shorten this answer to at most %(limit_value)d characters; "
            "it has %(show_value)d.",
            "limit_value",
        )
    }

    def __init__(self, **options):
        options.setdefault("max_length", conf.get("BADGES_FEEDBACK_MAX_ANSWER_LENGTH"))
        super().__init__(**options)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


def with_length_hint(help_text, limit):
    """The editor's help text (already escaped by Wagtail's builder) and the limit."""
    hint = ngettext("Up to %(limit)d character.", "Up to %(limit)d characters.", limit) % {
        "limit": limit
    }
    return format_html("{} {}", help_text, hint) if help_text else hint


class BadgeFeedbackForm(BaseForm):
    """The form a visitor fills in.

    ``badges`` maps the slugs of the site's live, public badges to their titles. The badge
    field is hidden when it holds one of them (the visitor came from that badge's page, and
    the page shows the title instead); otherwise, including when someone sent a made-up slug,
    it is a list to choose from, which refuses anything not on it.
    """

    badge = forms.ChoiceField(
        label=_("Which badge is your feedback about?"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "That badge is not one of ours, or is no longer published. "
                "Choose your badge from the list."
            )
        },
    )
    email = forms.EmailField(
        label=_("Your email address"),
        required=False,
        max_length=254,
        help_text=_(
            "Optional. Give it only if you are happy for the badges team to contact you about "
            "your answers; it also lets us find your answers if you ask us to delete them."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        # The label is the page's consent text; this one is for forms built without a page.
        label=_("I agree that my answers may be stored and used to improve the programme."),
        error_messages={
            "required": _("Tick this box to send your answers: we can only keep them if you agree.")
        },
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        # Out of the tab order and of autofill, so a person never fills it in by accident;
        # the template hides its wrapper from screen readers and, by CSS, from sight.
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, badges=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.badges = badges or {}
        field = self.fields[BADGE]
        field.choices = [("", _("Not about one badge in particular")), *self.badges.items()]
        if self.page is not None and getattr(self.page, "consent_text", ""):
            self.fields[CONSENT].label = self.page.consent_text
        self.question_names = [name for name in self.fields if name not in RESERVED_NAMES]
        self.order_fields([BADGE, *self.question_names, EMAIL, CONSENT, HONEYPOT])
        if self.chosen_badge_slug:
            field.widget = forms.HiddenInput()

    @property
    def chosen_badge_slug(self):
        """The slug in the badge field when it names one of the site's badges, else ""."""
        value = self[BADGE].value() or ""
        return value if value in self.badges else ""

    @property
    def chosen_badge_title(self):
        return self.badges.get(self.chosen_badge_slug, "")

    @property
    def questions(self):
        return [self[name] for name in self.question_names]

    @property
    def honeypot_filled(self):
        return bool(self.is_bound and self.data.get(self.add_prefix(HONEYPOT), "").strip())

    def clean(self):
        cleaned_data = super().clean()
        for name in self.question_names:
            value = cleaned_data.get(name)
            if isinstance(value, list):
                # A box is ticked once, however many times the request names it.
                cleaned_data[name] = list(dict.fromkeys(value))
        self.check_total_length(cleaned_data)
        return cleaned_data

    def check_total_length(self, cleaned_data):
        """Each answer has its limit; so does the whole, which a form with many questions
        could otherwise multiply. Refused whole, with the answers kept on the form."""
        limit = conf.get("BADGES_FEEDBACK_MAX_SUBMISSION_LENGTH")
        names = [BADGE, *self.question_names, EMAIL]
        total = sum(answer_length(cleaned_data.get(name)) for name in names)
        if total > limit:
            raise ValidationError(
                ngettext(
                    "Your answers were not saved: together they come to %(total)d characters, "
                    "and we can keep at most %(limit)d character from one person at a time. "
                    "Please shorten the longest answers and send the form again.",
                    "Your answers were not saved: together they come to %(total)d characters, "
                    "and we can keep at most %(limit)d characters from one person at a time. "
                    "Please shorten the longest answers and send the form again.",
                    limit,
                ),
                code="too_long",
                params={"total": total, "limit": limit},
            )

    def submission_data(self):
        """What is stored: the badge, the answers and the optional email address. The consent
        box (always ticked on a stored answer) and the honeypot (always empty) are left out."""
        slug = self.cleaned_data.get(BADGE, "")
        data = {BADGE: slug, BADGE_TITLE: self.badges.get(slug, "")}
        data.update((name, self.cleaned_data.get(name)) for name in self.question_names)
        data[EMAIL] = self.cleaned_data.get(EMAIL, "")
        return data


class BadgeFeedbackFormBuilder(FormBuilder):
    """Wagtail's form builder, building on BadgeFeedbackForm instead of its bare BaseForm,
    with a length limit on the answers Wagtail leaves unbounded (paragraphs, hidden fields).
    One-line answers keep Wagtail's 255 characters."""

    def create_multiline_field(self, field, options):
        options.setdefault("widget", forms.Textarea)
        limit = conf.get("BADGES_FEEDBACK_MAX_ANSWER_LENGTH")
        options["help_text"] = with_length_hint(options.get("help_text", ""), limit)
        return AnswerField(max_length=limit, **options)

    def create_hidden_field(self, field, options):
        options.setdefault("widget", forms.HiddenInput)
        return AnswerField(**options)

    def get_form_class(self):
        return type("BadgeFeedbackPageForm", (BadgeFeedbackForm,), self.formfields)


class BadgeFeedbackPageAdminForm(WagtailAdminFormPageForm):
    """Refuses questions whose name would overwrite a fixed field's answer."""

    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("form_fields")
        if formset is None:
            return cleaned_data
        for form in formset.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            name = form.instance.clean_name or form.instance.get_field_clean_name()
            if name in RESERVED_NAMES:
                form.add_error(
                    "label",
                    _(
                        "“%(name)s” is the name of a field every feedback form has already; "
                        "word this question differently."
                    )
                    % {"name": name},
                )
        return cleaned_data
