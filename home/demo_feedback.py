"""The demo site's recipient feedback page, for `manage.py load_demo_badges`.

The questions are ours: what the pilot wanted to learn from earners (did they accept the badge
on Credly, where did they show it, did it help, what should change) put as plainly as we could.
Idempotent: the page is matched by its slug below the home page and left alone once it exists,
so an editor's changes to the questions survive a second run.
"""

from dataclasses import dataclass

from django.db import transaction

from badges_cms.feedback.models import BadgeFeedbackFormField, BadgeFeedbackPage
from home.models import HomePage

FEEDBACK_SLUG = "badge-feedback"
FEEDBACK_TITLE = "Tell us about your badge"
FEEDBACK_INTRO = (
    "<p>The digital badges pilot is an experiment, and the people who earned the badges are "
    "the best judges of whether it worked. A few minutes of your time tells us what to keep, "
    "what to change and whether to offer more badges.</p>"
)
FEEDBACK_THANKS = (
    "<p>Thank you for taking the time. Everyone who worked on the pilot reads these answers, "
    "and they shape what the association does with badges next.</p>"
)
FEEDBACK_CONSENT = (
    "I agree that the Center for the Future of Libraries may keep these answers, and my email "
    "address if I gave one, to evaluate and improve the badges programme."
)
FEEDBACK_PRIVACY_CONTACT = "futureoflibraries@ala.org"


@dataclass(frozen=True)
class Question:
    label: str
    field_type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    help_text: str = ""


QUESTIONS = [
    Question(
        "Did you accept your badge on Credly?",
        "radio",
        required=True,
        choices=(
            "Yes, without any trouble",
            "Yes, but it took some effort",
            "Not yet",
            "I tried and could not",
        ),
    ),
    Question(
        "Where have you shown the badge?",
        "checkboxes",
        choices=(
            "On my LinkedIn profile",
            "In a post on social media",
            "On my CV or résumé",
            "In an email signature or on a personal website",
            "In a performance review or a job application",
            "Nowhere yet",
        ),
        help_text="Tick all that apply.",
    ),
    Question(
        "Has the badge made a difference to you?",
        "radio",
        choices=(
            "Yes, a real one",
            "A small one",
            "Not yet",
            "No",
        ),
    ),
    Question(
        "How have you used the badge, or what happened when you shared it?",
        "multiline",
        help_text="For example: a conversation it started, or a place you expected it to help.",
    ),
    Question(
        "What would make the badges programme better?",
        "multiline",
        help_text="Anything from the learning activity itself to accepting and sharing a badge.",
    ),
    Question(
        "Would you take another course or webinar because it comes with a badge?",
        "radio",
        choices=("Yes", "Maybe", "No"),
    ),
]


def build_page():
    return BadgeFeedbackPage(
        title=FEEDBACK_TITLE,
        slug=FEEDBACK_SLUG,
        intro=FEEDBACK_INTRO,
        consent_text=FEEDBACK_CONSENT,
        privacy_contact=FEEDBACK_PRIVACY_CONTACT,
        thank_you_text=FEEDBACK_THANKS,
        form_fields=[
            BadgeFeedbackFormField(
                label=question.label,
                field_type=question.field_type,
                required=question.required,
                choices="\n".join(question.choices),
                help_text=question.help_text,
            )
            for question in QUESTIONS
        ],
    )


def load_feedback_page(command):
    """Create the feedback page below the home page unless it is there; reports to the
    load_demo_badges command's tally."""
    with transaction.atomic():
        home = HomePage.objects.order_by("path").first()
        page = BadgeFeedbackPage.objects.child_of(home).filter(slug=FEEDBACK_SLUG).first()
        command.count("pages", page is None)
        if page is None:
            page = home.add_child(instance=build_page())
            page.save_revision().publish()
    return page
