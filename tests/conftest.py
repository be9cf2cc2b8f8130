from datetime import date

import pytest
from django.db.models.signals import post_delete, post_save
from modelsearch import index as search_registry
from modelsearch.signal_handlers import (
    post_delete_signal_handler,
    post_save_signal_handler,
    register_signal_handlers,
)

from badges_cms.feedback.models import BadgeFeedbackFormField, BadgeFeedbackPage
from badges_cms.models import BadgePage
from tests.factories import build_issuers, build_pathway, build_site_tree, make_image
from tests.support.env import ON_POSTGRES

# Varnish in front of the live server; a recorder of the purges sent to the HTTP cache.
pytest_plugins = [
    "tests.varnish",
    "tests.purge_recorder",
    # The Credly stand-in and its companions; the staff of the demo's groups.
    "tests.support.credly",
    "tests.support.staff",
    "tests.support.embeds",
    "tests.support.pathways",
    # How pytest-xdist hands the tests out to its workers.
    "tests.support.scheduling",
]


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


def disconnect_search_signals():
    """What AUTO_UPDATE False leaves undone still costs: modelsearch's handlers queue a task on
    every save of an indexed model, which loads the object again to find no backend to send it
    to. With the handlers disconnected, a save does none of that."""
    for model in search_registry.get_indexed_models():
        post_save.disconnect(post_save_signal_handler, sender=model)
        post_delete.disconnect(post_delete_signal_handler, sender=model)


@pytest.fixture(scope="session", autouse=True)
def search_index_off():
    """Saves outside tests marked search_index leave the search index alone
    (alasite/settings/test.py turns AUTO_UPDATE off; this takes away the handlers too)."""
    disconnect_search_signals()


@pytest.fixture(autouse=True)
def search_index(request, search_index_off):
    """Pages saved in a test marked search_index are indexed as they are saved, as on a real
    site; in other tests they are not. Autouse, so that it is in effect before the test's other
    fixtures save anything."""
    if request.node.get_closest_marker("search_index") is None:
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.WAGTAILSEARCH_BACKENDS = {
        name: {**backend, "AUTO_UPDATE": True}
        for name, backend in settings.WAGTAILSEARCH_BACKENDS.items()
    }
    register_signal_handlers()
    try:
        yield
    finally:
        disconnect_search_signals()


@pytest.fixture
def site_tree(db):
    return build_site_tree()


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
def make_pathway(db):
    """build_pathway (tests/factories.py): a published pathway of the badges given, in order."""
    return build_pathway


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
