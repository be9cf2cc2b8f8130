from wagtail import hooks

from .permissions import form_pages_for_user


@hooks.register("filter_form_submissions_for_user")
def feedback_for_programme_staff(user, form_pages):
    return form_pages_for_user(user, form_pages)
