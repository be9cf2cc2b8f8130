"""Every public page of the demo site loads in Chromium under the production Content Security
Policy without a violation: the badge blocks, and whatever else the site's templates add."""

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo_pages():
    call_command("load_demo_badges", stdout=StringIO())
    return sorted(page.url for page in Page.objects.live().public().filter(depth__gt=1))


def test_every_demo_page_loads_without_a_policy_violation(open_browser, demo_pages):
    with open_browser() as browser:
        for path in demo_pages:
            response = browser.open(path)
            assert response.status == 200, path
            assert "content-security-policy" in response.headers, path
            assert browser.csp_violations() == [], path
        assert browser.errors == []
        assert browser.refused_requests == []
        # The featured badge page's embed fetched Credly's script, once.
        assert (
            browser.credly_requests.count("https://cdn.credly.com/assets/utilities/embed.js") == 1
        )
