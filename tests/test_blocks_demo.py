"""The demo site uses every badge block, and `load_demo_badges` gives a database it built
before the blocks existed the blocks it lacks: once, and never over an editor's work."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Revision

from badges_cms.models import BadgeIndexPage, BadgePage
from home import demo_content as demo
from home.models import HomePage

pytestmark = pytest.mark.django_db

NEW_BLOCKS = {"credly_badge", "badge_card", "badge_list", "how_to_accept"}


def load():
    out = StringIO()
    call_command("load_demo_badges", stdout=out)
    return out.getvalue()


def demo_pages():
    return {
        "home": HomePage.objects.get(),
        "index": BadgeIndexPage.objects.get(slug=demo.INDEX_SLUG),
        "featured": BadgePage.objects.get(slug=demo.FEATURED_BADGE_SLUG),
    }


def block_types(page):
    return [child.block_type for child in getattr(page, "body", [])]


def revisions_of(page):
    return Revision.page_revisions.filter(object_id=str(page.pk)).count()


def as_before_the_blocks(page, user=None):
    """Publish the page without the new blocks, as the command built it before they existed."""
    page.body = [child for child in page.body.raw_data if child["type"] not in NEW_BLOCKS]
    page.save_revision(user=user).publish()


def test_the_demo_uses_every_badge_block_and_shows_them(client):
    load()
    pages = demo_pages()
    used = {kind for page in Page.objects.live().specific() for kind in block_types(page)}
    assert NEW_BLOCKS <= used

    home = client.get(pages["home"].url).content.decode()
    assert f"<h2>{demo.HOME_LIST['heading']}</h2>" in home
    # The newest badges come first and the body's list leaves them out: each badge's card once.
    for spec in demo.BADGES:
        assert home.count(f">{spec.title}</a></h3>") == 1, spec.title

    index = client.get(pages["index"].url).content.decode()
    assert demo.GUIDE_TITLE in index

    featured = client.get(pages["featured"].url).content.decode()
    assert f'data-share-badge-id="{demo.EXAMPLE_EARNED_BADGE_ID}"' in featured
    assert f'href="https://www.credly.com/badges/{demo.EXAMPLE_EARNED_BADGE_ID}"' in featured
    assert featured.count("cdn.credly.com/assets/utilities/embed.js") == 1
    related = BadgePage.objects.get(slug=demo.RELATED_BADGE_SLUG)
    assert f'<a href="{related.url}">{related.title}</a>' in featured


def test_an_older_demo_database_gets_the_missing_blocks_once():
    load()
    pages = demo_pages()
    for page in pages.values():
        as_before_the_blocks(page)
    before = {name: revisions_of(page) for name, page in pages.items()}

    output = load()
    assert "blocks: 4 created" in output
    for name, page in demo_pages().items():
        assert revisions_of(page) == before[name] + 1, name
        assert not page.has_unpublished_changes
    assert block_types(demo_pages()["home"]) == ["paragraph", "call_to_action", "badge_list"]
    assert block_types(demo_pages()["featured"]) == ["paragraph", "credly_badge", "badge_card"]

    # A further run finds everything and adds nothing.
    revisions = Revision.objects.count()
    output = load()
    assert "blocks: 0 created, 7 found" in output
    assert "Demo content already present." in output
    assert Revision.objects.count() == revisions


def test_pages_an_editor_has_worked_on_are_left_alone():
    load()
    pages = demo_pages()
    editor = get_user_model().objects.create_user("eddie", "eddie@example.org", "pw")
    # An editor removed the how-to-accept steps from the index on purpose...
    as_before_the_blocks(pages["index"], user=editor)
    # ...and left a draft of the home page, still to be published.
    as_before_the_blocks(pages["home"])
    home = HomePage.objects.get()
    home.title = "ALA Digital Badges (draft)"
    home.save_revision(user=editor)
    revisions = Revision.objects.count()

    output = load()
    assert Revision.objects.count() == revisions
    assert "how_to_accept" not in block_types(BadgeIndexPage.objects.get(slug=demo.INDEX_SLUG))
    assert "badge_list" not in block_types(HomePage.objects.get())
    assert "Left “Digital badges” as its editors saved it, without: how_to_accept." in output
    assert "Left “ALA Digital Badges” as its editors saved it, without: badge_list." in output
