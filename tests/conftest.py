import os
from datetime import date
from io import BytesIO

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from badges_cms.feedback.models import BadgeFeedbackFormField, BadgeFeedbackPage
from badges_cms.models import BadgeIndexPage, BadgeIssuer, BadgePage, StepGuide
from home.models import HomePage

# Varnish in front of the live server; a recorder of the purges sent to the HTTP cache.
pytest_plugins = ["tests.varnish", "tests.purge_recorder"]

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are left out of the SQLite run (deselected, not skipped); when
    DATABASE_URL names PostgreSQL they run and fail if the database is anything else."""
    if ON_POSTGRES:
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def make_image(title="Badge", colour=(11, 83, 148)):
    buffer = BytesIO()
    PILImage.new("RGB", (400, 400), colour).save(buffer, "PNG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name=f"{title.lower().replace(' ', '-')}.png")
    )


def build_site_tree():
    """A HomePage as the default site's root, with an empty badge index below it."""
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="ALA Digital Badges", slug="ala-home"))
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    guide = StepGuide.objects.create(
        title="How to accept and share your badge",
        slug="accept-and-share",
        steps=[
            ("step", {"heading": "Make a free Credly account", "text": "<p>Sign up.</p>"}),
            ("step", {"heading": "Accept the badge", "text": "<p>Open the email.</p>"}),
        ],
    )
    index = home.add_child(
        instance=BadgeIndexPage(title="Digital badges", slug="badges", accept_guide=guide)
    )
    return {"home": home, "index": index, "site": site, "guide": guide}


@pytest.fixture
def site_tree(db):
    return build_site_tree()


def build_issuers():
    ala = BadgeIssuer.objects.create(
        name="American Library Association", acronym="ALA", slug="ala", kind="association"
    )
    lita = BadgeIssuer.objects.create(
        name="Library and Information Technology Association",
        acronym="LITA",
        slug="lita",
        kind="division",
        parent=ala,
    )
    alcts = BadgeIssuer.objects.create(
        name="Association for Library Collections and Technical Services",
        acronym="ALCTS",
        slug="alcts",
        kind="division",
        parent=ala,
    )
    return {"ala": ala, "lita": lita, "alcts": alcts}


@pytest.fixture
def issuers(db):
    return build_issuers()


@pytest.fixture
def badge_image(db):
    return make_image()


@pytest.fixture
def make_badge(site_tree, issuers, badge_image):
    """Adds a published BadgePage below the index; keyword arguments override the defaults."""

    def make(title="Beyond Web Page Analytics", *, publish=True, skills=(), parent=None, **fields):
        values = {
            "summary": f"{title}: a badge for a learning activity.",
            "criteria": "<p>Attend every session and complete the final exercise.</p>",
            "issuer": issuers["lita"],
            "badge_image": badge_image,
            "badge_image_alt": f"{title} badge",
            "launched": date(2017, 3, 1),
        }
        values.update(fields)
        page = BadgePage(title=title, live=publish, **values)
        (parent or site_tree["index"]).add_child(instance=page)
        if skills:
            page.skills.add(*skills)
        revision = page.save_revision()
        if publish:
            revision.publish()
        page.refresh_from_db()
        return page

    return make


@pytest.fixture
def feedback_page(site_tree):
    """A published feedback page below the home page, with three questions."""
    page = BadgeFeedbackPage(
        title="Badge feedback",
        slug="feedback",
        consent_text="I agree that you may keep my answers.",
        form_fields=[
            BadgeFeedbackFormField(
                label="Where have you shared the badge?",
                field_type="checkboxes",
                choices="LinkedIn\nMy CV\nNowhere yet",
                required=True,
            ),
            BadgeFeedbackFormField(label="How did you use it?", field_type="multiline"),
            BadgeFeedbackFormField(
                label="What would improve the programme?", field_type="multiline", required=False
            ),
        ],
    )
    site_tree["home"].add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page
