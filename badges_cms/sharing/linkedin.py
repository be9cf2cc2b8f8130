"""The "Add to LinkedIn profile" helper on badge pages.

An earner pastes the address of their own badge on Credly and picks the month and year it was
issued; the answer is a link to LinkedIn's add-to-profile form, filled in with the badge's name
and issuing organisation (from the page) and the credential's address and id (from the pasted
address). Nothing is fetched from Credly: the address is checked by its shape alone.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..credly.embed import badge_url, parse_badge_id
from .share_links import query

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
MAX_URL_LENGTH = 300
EARLIEST_YEAR = 2010  # before Credly (then Acclaim) issued badges
# A visible marker of the form's fields in the page's query string.
FIELD_PREFIX = "linkedin"


def parse_credly_badge_url(value):
    """The badge's UUID (lower case) from what an earner pasted: its address on Credly (or the
    older youracclaim.com one), its embed code or its bare id; None if it is none of these. The
    same parser as the Credly badge block's (credly/embed.py)."""
    try:
        return parse_badge_id(value)
    except ValidationError:
        return None


class AddToLinkedInForm(forms.Form):
    credly_url = forms.CharField(
        label=_("Address of your badge on Credly"),
        max_length=MAX_URL_LENGTH,
        error_messages={
            "required": _("Paste the address of your badge on Credly."),
            "max_length": _("That is too long for the address of a badge on Credly."),
        },
        help_text=_("Open your badge on Credly and copy the address from your browser."),
        # Text, not type="url": browsers would refuse an address pasted without https://,
        # which the form accepts.
        widget=forms.TextInput(
            attrs={
                "inputmode": "url",
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "placeholder": "https://www.credly.com/badges/…",
            }
        ),
    )
    issued_month = forms.TypedChoiceField(
        label=_("Month issued"),
        coerce=int,
        error_messages={
            "required": _("Choose the month the badge was issued to you."),
            "invalid_choice": _("Choose a month from the list."),
        },
    )
    issued_year = forms.TypedChoiceField(
        label=_("Year issued"),
        coerce=int,
        error_messages={
            "required": _("Choose the year the badge was issued to you."),
            "invalid_choice": _("Choose a year from the list: this badge was not issued then."),
        },
    )

    def __init__(self, data=None, *, badge, today=None):
        super().__init__(data, prefix=FIELD_PREFIX)
        self.badge = badge
        self.today = today or timezone.localdate()
        first_year = badge.launched.year if badge.launched else EARLIEST_YEAR
        first_year = min(max(first_year, EARLIEST_YEAR), self.today.year)
        years = range(self.today.year, first_year - 1, -1)
        self.fields["issued_year"].choices = [("", _("Year"))] + [(y, str(y)) for y in years]
        self.fields["issued_month"].choices = [("", _("Month"))] + list(MONTHS.items())

    def clean_credly_url(self):
        badge_id = parse_credly_badge_url(self.cleaned_data["credly_url"])
        if badge_id is None:
            raise forms.ValidationError(
                _(
                    "That is not the address of a badge on Credly. It looks like "
                    "https://www.credly.com/badges/ followed by a long code of letters, digits "
                    "and dashes."
                ),
                code="not_credly",
            )
        return badge_id

    def clean(self):
        cleaned = super().clean()
        month, year = cleaned.get("issued_month"), cleaned.get("issued_year")
        if month and year:
            issued = datetime.date(year, month, 1)
            if issued > self.today:
                self.add_error(
                    "issued_month", _("The date a badge was issued cannot be in the future.")
                )
            elif self.badge.launched and issued < self.badge.launched.replace(day=1):
                self.add_error(
                    "issued_month",
                    _("This badge was first issued in %(date)s.")
                    % {"date": date_format(self.badge.launched, "YEAR_MONTH_FORMAT")},
                )
        return cleaned

    def linkedin_url(self):
        """LinkedIn's add-to-profile address for the cleaned form."""
        badge_id = self.cleaned_data["credly_url"]
        issuer = self.badge.issuer
        params = {
            "startTask": "CERTIFICATION_NAME",
            "name": self.badge.title,
            **({"organizationName": issuer.name} if issuer else {}),
            "issueYear": self.cleaned_data["issued_year"],
            "issueMonth": self.cleaned_data["issued_month"],
            "certUrl": badge_url(badge_id),
            "certId": badge_id,
        }
        return f"{LINKEDIN_ADD_TO_PROFILE}?{query(**params)}"


def submitted(request):
    """True when the visitor has filled in the helper's form (it is sent with GET)."""
    return any(key.startswith(FIELD_PREFIX + "-") for key in request.GET)


def form_for_request(request, badge):
    """The helper's form, bound when the visitor has submitted it (GET, so the answer can be
    bookmarked and the page stays cacheable for everyone else)."""
    return AddToLinkedInForm(request.GET if submitted(request) else None, badge=badge)
