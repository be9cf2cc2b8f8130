"""Who reads earners' answers: whoever holds the permission to view feedback submissions (the
demo gives it to Badge managers), not whoever may edit the feedback page.

Wagtail's form screens (the Forms menu, the listing of form pages, a page's submissions, their
CSV and XLSX exports and their deletion) all ask ``get_forms_for_user``, which starts from the
pages a user may edit and then runs the ``filter_form_submissions_for_user`` hooks. Editing the
page that asks the questions and reading the answers are different jobs, so the hook in
``wagtail_hooks.py`` takes feedback pages out for everyone without the permission and puts
them in for everyone with it, whatever their page permissions.
"""

from django.apps import apps
from wagtail.models import Page

VIEW_SUBMISSIONS = "badges_feedback.view_badgefeedbacksubmission"


def can_read_feedback(user):
    return user.is_active and user.has_perm(VIEW_SUBMISSIONS)


def feedback_pages():
    # By name from the app registry: the feedback page model's admin panels use this module.
    return Page.objects.type(apps.get_model("badges_feedback", "BadgeFeedbackPage"))


def form_pages_for_user(user, form_pages):
    """The form pages whose submissions the user may see, given Wagtail's (editable) ones."""
    if can_read_feedback(user):
        return form_pages | feedback_pages()
    return form_pages.exclude(pk__in=feedback_pages().values("pk"))
