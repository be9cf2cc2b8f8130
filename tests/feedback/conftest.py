import pytest
from django.core.cache import cache

from tests.factories import CLIENT_IP

# The demo's staff, one user per group: the staff fixture of tests/support/staff.py.


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counts live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def answers():
    """A complete, valid set of answers to the feedback_page fixture's form, minus the badge."""

    def make(**overrides):
        data = {
            "where_have_you_shared_the_badge": ["LinkedIn", "My CV"],
            "how_did_you_use_it": "I showed it at my annual review.",
            "what_would_improve_the_programme": "More badges for cataloguing.",
            "email": "",
            "consent": "on",
            "website": "",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return make


@pytest.fixture
def post(client, feedback_page):
    """POSTs answers to the feedback page from CLIENT_IP (or the given REMOTE_ADDR)."""

    def send(data, **extra):
        extra.setdefault("REMOTE_ADDR", CLIENT_IP)
        return client.post(feedback_page.url, data, **extra)

    return send
