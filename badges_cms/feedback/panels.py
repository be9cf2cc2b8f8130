"""The page editor's submission count, for those who may read the submissions."""

from wagtail.contrib.forms.panels import FormSubmissionsPanel

from .permissions import can_read_feedback


class FeedbackSubmissionsPanel(FormSubmissionsPanel):
    """Wagtail's count and link to the answers, left out for editors who may change the page
    but not read what earners sent: the link would only lead them to a refusal."""

    class BoundPanel(FormSubmissionsPanel.BoundPanel):
        def is_shown(self):
            user = getattr(self.request, "user", None)
            return user is not None and can_read_feedback(user) and super().is_shown()
