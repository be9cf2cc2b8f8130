"""Retention (prune_badge_feedback) and deletion on request (delete_badge_feedback)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from badges_cms.feedback.models import BadgeFeedbackSubmission
from badges_cms.feedback.privacy import email_pattern

pytestmark = pytest.mark.django_db


def submit(page, days_ago=0, **answers):
    submission = BadgeFeedbackSubmission.objects.create(
        page=page, form_data={"badge": "", "badge_title": "", "email": "", **answers}
    )
    # submit_time is auto_now_add: move it back in time afterwards.
    when = timezone.now() - timedelta(days=days_ago)
    BadgeFeedbackSubmission.objects.filter(pk=submission.pk).update(submit_time=when)
    return submission.pk


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def remaining():
    return set(BadgeFeedbackSubmission.objects.values_list("pk", flat=True))


def test_prune_deletes_only_submissions_past_the_retention_period(feedback_page, settings):
    settings.BADGES_FEEDBACK_RETENTION_DAYS = 30
    old = submit(feedback_page, days_ago=31)
    older = submit(feedback_page, days_ago=400)
    recent = submit(feedback_page, days_ago=29)
    today = submit(feedback_page)

    output = run("prune_badge_feedback")

    assert remaining() == {recent, today}
    assert old not in remaining() and older not in remaining()
    assert "Deleted 2 feedback submission(s)" in output and "kept 30 days" in output
    # Running it again finds nothing more to do.
    assert "Deleted 0" in run("prune_badge_feedback")
    assert remaining() == {recent, today}


def test_prune_dry_run_deletes_nothing(feedback_page, settings):
    settings.BADGES_FEEDBACK_RETENTION_DAYS = 30
    kept = {submit(feedback_page, days_ago=31), submit(feedback_page, days_ago=1)}
    output = run("prune_badge_feedback", "--dry-run")
    assert "would delete 1 feedback submission(s)" in output
    assert "Nothing was deleted" in output
    assert remaining() == kept


def test_the_default_retention_is_a_year(feedback_page, settings):
    del settings.BADGES_FEEDBACK_RETENTION_DAYS
    year_and_a_day = submit(feedback_page, days_ago=366)
    almost_a_year = submit(feedback_page, days_ago=364)
    run("prune_badge_feedback")
    assert remaining() == {almost_a_year}
    assert year_and_a_day not in remaining()


def test_delete_by_email_removes_exactly_that_earners_answers(feedback_page):
    ann = [
        submit(feedback_page, email="ann@example.org"),
        submit(feedback_page, email="Ann@Example.ORG", badge="beyond-web-analytics"),
        # Typed into an answer instead of the email field.
        submit(feedback_page, how_did_you_use_it="Write to me at ann@example.org."),
        submit(feedback_page, where=["LinkedIn", "contact ann@example.org"]),
    ]
    others = [
        submit(feedback_page, email="joann@example.org"),
        submit(feedback_page, email="ann@example.org.uk"),
        submit(feedback_page, email="bob@example.org", how_did_you_use_it="Ann told me."),
        submit(feedback_page),
    ]

    output = run("delete_badge_feedback", "--email", " ann@example.org ")

    assert remaining() == set(others)
    assert "Deleted 4 feedback submission(s)" in output
    assert "ann@example.org" not in output  # not echoed into cron mail or logs
    assert not set(ann) & remaining()


def test_delete_by_email_dry_run_deletes_nothing(feedback_page):
    kept = {submit(feedback_page, email="ann@example.org"), submit(feedback_page)}
    output = run("delete_badge_feedback", "--email", "ann@example.org", "--dry-run")
    assert "would delete 1 feedback submission(s)" in output
    assert remaining() == kept


def test_delete_by_email_refuses_something_that_is_not_an_address(feedback_page):
    submit(feedback_page, email="ann@example.org")
    with pytest.raises(CommandError, match="not an email address"):
        run("delete_badge_feedback", "--email", "example.org")
    assert len(remaining()) == 1


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ann@example.org", True),
        ("Mail ANN@example.org, please", True),
        ("(ann@example.org)", True),
        ("joann@example.org", False),
        ("jo.ann@example.org", False),
        ("ann@example.org.uk", False),
        ("ann@example.organic", False),
    ],
)
def test_the_address_is_matched_whole(text, found):
    assert bool(email_pattern("ann@example.org").search(text)) is found


def test_submissions_made_through_the_form_can_be_deleted_by_email(post, answers):
    post(answers(email="ann@example.org"))
    post(answers(email="bob@example.org"))
    run("delete_badge_feedback", "--email", "ann@example.org")
    assert [row.form_data["email"] for row in BadgeFeedbackSubmission.objects.all()] == [
        "bob@example.org"
    ]
