"""Run from an empty folder with the installed wheel: the plugin loads in a bare Wagtail project,
its models, templates and static files are in the package, and its migrations apply."""

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="wheel-smoke-test",  # noqa: S106
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=[
        "badges_cms",
        "badges_cms.feedback",
        "wagtail.contrib.forms",
        "wagtail.snippets",
        "wagtail.documents",
        "wagtail.images",
        "wagtail.search",
        "wagtail.admin",
        "wagtail.users",
        "wagtail",
        "modelcluster",
        "taggit",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
    ],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
    STATIC_URL="/static/",
    ROOT_URLCONF="badges_cms.urls",
)
django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.template.loader import get_template  # noqa: E402

import badges_cms  # noqa: E402
from badges_cms.models import BadgeIndexPage, BadgePage, CredlyBadgeTemplate  # noqa: E402

assert "site-packages" in badges_cms.__file__, badges_cms.__file__
get_template("badges_cms/badge_page.html")
get_template("badges_cms/badge_index_page.html")
assert finders.find("badges_cms/css/badges.css"), "static files missing from the wheel"
call_command("migrate", verbosity=0)
assert BadgePage.objects.count() == 0 and BadgeIndexPage.objects.count() == 0
assert CredlyBadgeTemplate.objects.count() == 0
get_template("badges_cms/feedback/badge_feedback_page.html")
assert finders.find("badges_cms/css/feedback.css"), "feedback static files missing"
from badges_cms.feedback.models import BadgeFeedbackSubmission  # noqa: E402

assert BadgeFeedbackSubmission.objects.count() == 0
print("wheel OK:", badges_cms.__file__)
