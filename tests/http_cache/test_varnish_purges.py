"""Through the real Varnish: every change is purged after it commits, and the next anonymous GET
shows it. The site's own purges (signal handlers and the sync, badges_cms/http_cache/purge.py) go
to the
varnishd of tests/varnish.py, which stands in front of the live server."""

from io import StringIO

import pytest
from django.core.management import call_command

from badges_cms.credly.standin import make_template, template_id

pytestmark = [
    pytest.mark.varnish,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def warm(varnish, *paths):
    """Each path is in the cache: a second GET is a HIT. Returns the HIT responses."""
    answers = []
    for path in paths:
        varnish.get(path)
        response = varnish.get(path)
        assert response.headers.get("X-Cache") == "HIT", path
        answers.append(response)
    return answers


def fresh(varnish, path):
    response = varnish.get(path)
    assert response.headers.get("X-Cache") == "MISS", path
    return response


@pytest.fixture
def badge(make_badge, varnish_frontend_cache):
    return make_badge("Beyond Web Page Analytics")


def test_a_publish_shows_at_once_on_the_page_and_in_the_listings(
    varnish_frontend_cache, site_tree, badge
):
    varnish, index = varnish_frontend_cache, site_tree["index"]
    warm(varnish, badge.url, index.url, index.url + "?issuer=lita", f"{badge.url}badgeclass.json")
    badge.title = "Web Analytics, Revised"
    badge.save_revision().publish()
    for path in (badge.url, index.url, index.url + "?issuer=lita", f"{badge.url}badgeclass.json"):
        assert "Web Analytics, Revised" in fresh(varnish, path).text, path


def test_an_unpublish_takes_the_page_out_at_once(varnish_frontend_cache, site_tree, badge):
    varnish, index = varnish_frontend_cache, site_tree["index"]
    warm(varnish, badge.url, index.url)
    badge.unpublish()
    assert varnish.get(badge.url).status_code == 404
    assert "Beyond Web Page Analytics" not in fresh(varnish, index.url).text


def test_an_issuer_edit_shows_on_its_badges_at_once(varnish_frontend_cache, issuers, badge):
    varnish = varnish_frontend_cache
    warm(varnish, badge.url)
    lita = issuers["lita"]
    lita.name = "Core: Leadership, Infrastructure, Futures"
    lita.save()
    assert "Core: Leadership, Infrastructure, Futures" in fresh(varnish, badge.url).text


def test_a_sync_that_changed_a_count_shows_it_and_one_that_did_not_keeps_the_copy(
    varnish_frontend_cache,
    credly,  # noqa: F811
    make_badge,
):
    varnish = varnish_frontend_cache
    credly.templates = [make_template(1)]
    page = make_badge("Synced badge", credly_template_id=template_id(1))
    call_command("sync_credly_badges", stdout=StringIO())
    (before,) = warm(varnish, page.url)
    assert "Issued 3 times" in before.text
    call_command("sync_credly_badges", stdout=StringIO())  # nothing changed: nothing purged
    assert varnish.get(page.url).headers.get("X-Cache") == "HIT"
    credly.templates[0]["badges_count"] = 41
    call_command("sync_credly_badges", stdout=StringIO())
    assert "Issued 41 times" in fresh(varnish, page.url).text
