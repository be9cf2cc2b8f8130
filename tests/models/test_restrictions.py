"""Our pages read their view restrictions in one query (OneQueryViewRestrictions), and must find
exactly the restrictions Wagtail's own two-query method finds: the page's, its ancestors', and
for an alias (or an alias of an alias) its source's instead of its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from badges_cms.models import BadgeIndexPage, BadgePage
from badges_cms.models.querysets import visible_pages

pytestmark = pytest.mark.django_db


def restrict(page, kind=PageViewRestriction.LOGIN, password=""):
    return PageViewRestriction.objects.create(page=page, restriction_type=kind, password=password)


def wagtails_answer(page):
    # The method this mixin replaces, as Wagtail defines it on Page.
    return set(Page.get_view_restrictions(page).values_list("pk", flat=True))


def ours(page):
    with CaptureQueriesContext(connection) as queries:
        found = set(page.get_view_restrictions().values_list("pk", flat=True))
    assert len(queries) == 1
    return found


def tree(site_tree, make_badge):
    home, index = site_tree["home"], site_tree["index"]
    other = home.add_child(instance=BadgeIndexPage(title="Other badges", slug="other"))
    badge = make_badge("Beyond Web Page Analytics")
    alias = badge.specific.create_alias(parent=other)
    alias_of_alias = alias.specific.create_alias(update_slug="beyond-again")
    index_alias = index.create_alias(parent=other, update_slug="badges-again")
    pages = [home, index, other, badge, alias, alias_of_alias, index_alias]
    return [Page.objects.get(pk=page.pk).specific for page in pages], locals()


RESTRICTED = [
    [],
    ["home"],
    ["index"],
    ["other"],
    ["badge"],
    ["alias"],
    ["index", "other"],
    ["badge", "home"],
]


@pytest.mark.parametrize("restricted", RESTRICTED)
def test_the_same_restrictions_as_wagtail_finds(site_tree, make_badge, restricted):
    pages, named = tree(site_tree, make_badge)
    for name in restricted:
        restrict(named[name])
    for page in pages:
        assert ours(page) == wagtails_answer(page), page.title


def test_an_alias_answers_as_its_source_does(client, site_tree, make_badge):
    pages, named = tree(site_tree, make_badge)
    restrict(named["badge"], PageViewRestriction.PASSWORD, "secret")
    for name in ("badge", "alias", "alias_of_alias"):
        response = client.get(named[name].url)
        assert response.status_code == 200
        assert "password" in response.content.decode().lower(), name
        assert named[name].title not in response.content.decode().split("<main")[-1]
    # The index the alias lives in stays public.
    assert client.get(named["other"].url).status_code == 200


def pks(pages):
    return set(pages.values_list("pk", flat=True))


@pytest.mark.parametrize("restricted", RESTRICTED)
def test_visible_leaves_out_what_wagtails_public_leaves_out(site_tree, make_badge, restricted):
    """The listings' rule (visible, one NOT EXISTS in the page query) hides the pages Wagtail's
    .public() hides: a restricted page and everything below it, pages of every type."""
    _pages, named = tree(site_tree, make_badge)
    for name in restricted:
        restrict(named[name])
    assert pks(visible_pages(Page.objects.all())) == pks(Page.objects.live().public())
    assert pks(BadgePage.objects.visible()) == pks(BadgePage.objects.live().public())
    if restricted:  # something is hidden, or the comparison proves nothing
        assert pks(Page.objects.live().public()) < pks(Page.objects.live())
