"""The feedback page (Wagtail's form builder), its questions and its stored submissions."""

from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField, AbstractFormSubmission
from wagtail.fields import RichTextField
from wagtail.models import Site
from wagtail.search import index

from badges_cms.models.querysets import visible_pages

from . import conf
from .clients import RateLimit
from .forms import (
    BADGE,
    BADGE_TITLE,
    EMAIL,
    HONEYPOT,
    BadgeFeedbackFormBuilder,
    BadgeFeedbackPageAdminForm,
)
from .lookups import badge_titles
from .panels import FeedbackSubmissionsPanel

TEXT_FEATURES = ["bold", "italic", "link"]


def rate_window_minutes():
    return max(round(conf.get("BADGES_FEEDBACK_RATE_WINDOW") / 60), 1)


class BadgeFeedbackFormField(AbstractFormField):
    page = ParentalKey("BadgeFeedbackPage", on_delete=models.CASCADE, related_name="form_fields")

    class Meta(AbstractFormField.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")


class BadgeFeedbackSubmission(AbstractFormSubmission):
    """One earner's answers. Kept apart from Wagtail's own FormSubmission table so that the
    retention period and deletion on request apply to feedback and to nothing else.
    Nothing about the sender is stored but what they typed: no address, no user agent."""

    class Meta:
        verbose_name = _("badge feedback submission")
        verbose_name_plural = _("badge feedback submissions")
        indexes = [models.Index(fields=["submit_time"], name="badges_feedback_submit_time")]


# Set on the request by the first lookup of its feedback page, so a page that asks twice pays
# for one query.
FEEDBACK_PAGE_ATTR = "badges_feedback_page"
NOT_LOOKED_UP = object()


class BadgeFeedbackPage(AbstractForm):
    """Asks earners how they used and shared a badge and what would improve the programme.

    Badge pages link here with ?badge=<slug>, which fills the form's badge field. Submissions
    are not emailed (Wagtail's AbstractEmailForm would): copies in mailboxes would outlive
    the retention period and escape deletion on request. Programme staff with the permission
    to view feedback submissions read and export them in the admin (Forms); see permissions.py.
    """

    intro = RichTextField(_("introduction"), blank=True, features=TEXT_FEATURES)
    consent_text = models.CharField(
        _("consent statement"),
        max_length=300,
        default=_(
            "I agree that the badges team may keep my answers, and my email address if I give "
            "it, to improve the badges programme."
        ),
        help_text=_("The label of the box people must tick to send their answers."),
    )
    privacy_contact = models.EmailField(
        _("privacy contact"),
        blank=True,
        help_text=_("Where people write to have their answers deleted; shown below the form."),
    )
    thank_you_text = RichTextField(
        _("thank-you message"),
        blank=True,
        features=TEXT_FEATURES,
        help_text=_("Shown once the answers are sent."),
    )

    content_panels = AbstractForm.content_panels + [
        FeedbackSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Questions")),
        MultiFieldPanel(
            [FieldPanel("consent_text"), FieldPanel("privacy_contact")],
            heading=_("Consent and privacy"),
        ),
        FieldPanel("thank_you_text"),
    ]
    search_fields = AbstractForm.search_fields + [index.SearchField("intro")]

    base_form_class = BadgeFeedbackPageAdminForm
    form_builder = BadgeFeedbackFormBuilder
    subpage_types = []
    template = "badges_cms/feedback/badge_feedback_page.html"
    landing_page_template = "badges_cms/feedback/badge_feedback_page_landing.html"

    @classmethod
    def for_request(cls, request):
        """The live, public feedback page of the request's site (the first in the tree), or
        None. Kept on the request: every badge page asks, whatever includes the link."""
        found = getattr(request, FEEDBACK_PAGE_ATTR, NOT_LOOKED_UP)
        if found is not NOT_LOOKED_UP:
            return found
        site = Site.find_for_request(request) if request is not None else None
        pages = visible_pages(cls.objects.all())
        page = (pages.in_site(site) if site is not None else pages).order_by("path").first()
        if request is not None:
            setattr(request, FEEDBACK_PAGE_ATTR, page)
        return page

    class Meta:
        verbose_name = _("badge feedback page")

    # The form

    def get_submission_class(self):
        return BadgeFeedbackSubmission

    def get_submissions_list_view_class(self):
        # Imported here: Wagtail's admin views need the app registry ready.
        from .views import FeedbackSubmissionsListView

        return FeedbackSubmissionsListView

    def get_data_fields(self):
        """Columns of the admin listing and of its CSV and XLSX exports: the badge comes
        first, after the date, and the email address last."""
        submit_time, *questions = super().get_data_fields()
        return [
            submit_time,
            (BADGE, _("Badge")),
            (BADGE_TITLE, _("Badge title")),
            *questions,
            (EMAIL, _("Email address")),
        ]

    def build_form(self, request, data=None):
        """The visitor's form; unbound, its badge is the one named by ?badge=<slug>."""
        kwargs = {"page": self, "user": request.user, "badges": badge_titles(request)}
        if data is None:
            kwargs["initial"] = {BADGE: request.GET.get(BADGE, "")}
            return self.get_form(**kwargs)
        return self.get_form(data, **kwargs)

    def process_form_submission(self, form):
        return self.get_submission_class().objects.create(
            form_data=form.submission_data(), page=self
        )

    # Serving

    def serve(self, request, *args, **kwargs):
        if request.method != "POST":
            return self.render_form(request, self.build_form(request))
        return self.serve_submission(request)

    def serve_submission(self, request):
        """Store a submission, or refuse it, storing nothing and saying why."""
        rate_limit = RateLimit(request)
        if not rate_limit.take():
            form = self.build_form(request, request.POST)
            minutes = rate_window_minutes()
            message = ngettext(
                "We have received several sets of answers from your connection in a short time, "
                "so these were not saved. Please try again in %(minutes)d minute; your answers "
                "are still below.",
                "We have received several sets of answers from your connection in a short time, "
                "so these were not saved. Please try again in %(minutes)d minutes; your answers "
                "are still below.",
                minutes,
            ) % {"minutes": minutes}
            response = self.render_form(request, form, rejection=message, status=429)
            response["Retry-After"] = str(conf.get("BADGES_FEEDBACK_RATE_WINDOW"))
            return response

        form = self.build_form(request, request.POST)
        if form.honeypot_filled:
            # Show the form again with the trap emptied: a person whose browser filled it in
            # can simply send again.
            data = request.POST.copy()
            data[form.add_prefix(HONEYPOT)] = ""
            message = _(
                "Your answers were not saved: a field that must stay empty, hidden from view, "
                "was filled in. This is how we keep out automated spam. If you filled it in, "
                "please send the form again."
            )
            form = self.build_form(request, data)
            return self.render_form(request, form, rejection=message, status=400)

        if not form.is_valid():
            # The visitor's own mistake (no consent, a missing answer): not counted.
            rate_limit.give_back()
            return self.render_form(request, form)

        submission = self.process_form_submission(form)
        return self.render_landing_page(request, submission, badge_title=form.chosen_badge_title)

    def render_form(self, request, form, *, rejection=None, status=200):
        context = self.get_context(request)
        context.update(form=form, rejection=rejection)
        return TemplateResponse(request, self.get_template(request), context, status=status)

    def render_landing_page(self, request, form_submission=None, *args, **kwargs):
        context = self.get_context(request)
        context["form_submission"] = form_submission
        context["badge_title"] = kwargs.get("badge_title", "")
        return TemplateResponse(request, self.get_landing_page_template(request), context)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["retention_days"] = conf.get("BADGES_FEEDBACK_RETENTION_DAYS")
        context["rate_window_minutes"] = rate_window_minutes()
        return context

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context["form"] = self.build_form(request)
        return context
