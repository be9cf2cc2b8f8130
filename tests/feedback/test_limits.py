"""Bounds on what a visitor can make us store: each typed answer has a length limit
(BADGES_FEEDBACK_MAX_ANSWER_LENGTH) and a whole submission a total one
(BADGES_FEEDBACK_MAX_SUBMISSION_LENGTH). Past either, the form says so and nothing is stored."""

import pytest
from bs4 import BeautifulSoup
from django.core.checks import run_checks

from badges_cms.feedback import conf
from badges_cms.feedback.models import BadgeFeedbackFormField, BadgeFeedbackSubmission

pytestmark = pytest.mark.django_db

ANSWER = "how_did_you_use_it"


def soup_of(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def errors_of(response):
    return soup_of(response).select_one(".feedback__errors").get_text(" ", strip=True)


def test_the_default_limits_leave_room_for_a_long_answer():
    assert 2000 <= conf.get("BADGES_FEEDBACK_MAX_ANSWER_LENGTH") <= 10000
    assert conf.get("BADGES_FEEDBACK_MAX_SUBMISSION_LENGTH") >= 2 * conf.get(
        "BADGES_FEEDBACK_MAX_ANSWER_LENGTH"
    )


def test_an_answer_at_the_default_limit_is_stored(post, answers):
    limit = conf.get("BADGES_FEEDBACK_MAX_ANSWER_LENGTH")
    response = post(answers(**{ANSWER: "x" * limit}))
    assert response.status_code == 200
    assert BadgeFeedbackSubmission.objects.get().form_data[ANSWER] == "x" * limit


def test_a_longer_answer_is_refused_with_a_clear_message(post, answers):
    limit = conf.get("BADGES_FEEDBACK_MAX_ANSWER_LENGTH")
    response = post(answers(**{ANSWER: "x" * (limit + 1)}))
    assert response.status_code == 200
    assert not BadgeFeedbackSubmission.objects.exists()
    message = errors_of(response)
    assert "How did you use it?" in message
    assert f"at most {limit} characters" in message and f"it has {limit + 1}" in message
    assert "shorten" in message.lower()
    # The answer is still there to be shortened.
    assert soup_of(response).find("textarea", attrs={"name": ANSWER}).get_text().strip()


def test_the_form_tells_the_limit_before_anything_is_sent(client, feedback_page, settings):
    settings.BADGES_FEEDBACK_MAX_ANSWER_LENGTH = 1500
    soup = soup_of(client.get(feedback_page.url))
    textarea = soup.find("textarea", attrs={"name": ANSWER})
    assert textarea["maxlength"] == "1500"
    described_by = textarea["aria-describedby"].split()
    hints = " ".join(soup.find(id=name).get_text(" ", strip=True) for name in described_by)
    assert "Up to 1500 characters." in hints


def test_line_breaks_count_once_as_the_browser_counts_them(post, answers, settings):
    settings.BADGES_FEEDBACK_MAX_ANSWER_LENGTH = 10
    # Browsers send a line break as CR LF but count it as one character for maxlength.
    response = post(answers(**{ANSWER: "12345\r\n789", "what_would_improve_the_programme": ""}))
    assert response.status_code == 200
    assert BadgeFeedbackSubmission.objects.get().form_data[ANSWER] == "12345\n789"


def test_a_hidden_question_is_limited_too(feedback_page, post, answers, settings):
    settings.BADGES_FEEDBACK_MAX_ANSWER_LENGTH = 20
    BadgeFeedbackFormField.objects.create(
        page=feedback_page, label="Campaign", field_type="hidden", sort_order=10
    )
    response = post(answers(campaign="y" * 21))
    assert not BadgeFeedbackSubmission.objects.exists()
    assert "shorten" in errors_of(response).lower()


def test_a_submission_over_the_total_limit_is_refused_whole(post, answers, settings):
    settings.BADGES_FEEDBACK_MAX_ANSWER_LENGTH = 100
    settings.BADGES_FEEDBACK_MAX_SUBMISSION_LENGTH = 150
    data = answers(
        how_did_you_use_it="a" * 80,
        what_would_improve_the_programme="b" * 80,
        email="ann@example.org",
    )
    response = post(data)
    assert response.status_code == 200
    assert not BadgeFeedbackSubmission.objects.exists()
    message = errors_of(response)
    assert "150" in message and "not saved" in message
    # Nothing was lost: both answers are on the form to be shortened.
    soup = soup_of(response)
    assert soup.find("textarea", attrs={"name": ANSWER}).get_text().strip() == "a" * 80
    # Shortened, the same answers go through.
    post({**data, "what_would_improve_the_programme": "b" * 40})
    assert BadgeFeedbackSubmission.objects.count() == 1


def test_a_ticked_box_sent_many_times_is_stored_once(post, answers):
    response = post(answers(where_have_you_shared_the_badge=["LinkedIn"] * 500 + ["My CV"]))
    assert response.status_code == 200
    stored = BadgeFeedbackSubmission.objects.get().form_data
    assert stored["where_have_you_shared_the_badge"] == ["LinkedIn", "My CV"]


@pytest.mark.parametrize(
    "name", ["BADGES_FEEDBACK_MAX_ANSWER_LENGTH", "BADGES_FEEDBACK_MAX_SUBMISSION_LENGTH"]
)
@pytest.mark.parametrize("value", [0, -5, "4000", None])
def test_the_limits_must_be_positive_whole_numbers(settings, name, value):
    setattr(settings, name, value)
    messages = [error.msg for error in run_checks() if error.id.startswith("badges_feedback.")]
    assert any(message.startswith(f"{name} must be") for message in messages)
