"""The Atom feed of newly published badges at <index>/feed/."""

import datetime
from xml.etree import ElementTree

import feedparser
import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import PageViewRestriction

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def publish_at(page, when):
    """Back-date a badge's publication, as if it had been published on that day."""
    type(page).objects.filter(pk=page.pk).update(first_published_at=when, last_published_at=when)


@pytest.fixture
def feed_badges(make_badge, issuers):
    now = timezone.now()
    oldest = make_badge("Oldest badge", skills=["Cataloging"])
    newest = make_badge("Newest badge", issuer=issuers["alcts"])
    middle = make_badge("Middle badge")
    publish_at(oldest, now - datetime.timedelta(days=30))
    publish_at(middle, now - datetime.timedelta(days=10))
    publish_at(newest, now - datetime.timedelta(days=1))
    return {"oldest": oldest, "middle": middle, "newest": newest}


def get_feed(client, index):
    response = client.get(index.url + "feed/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return response.content


def test_feed_is_valid_atom_newest_first(client, site_tree, feed_badges):
    content = get_feed(client, site_tree["index"])
    parsed = feedparser.parse(content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [entry.title for entry in parsed.entries] == [
        "Newest badge",
        "Middle badge",
        "Oldest badge",
    ]
    # RFC 4287's required elements, read straight from the XML.
    root = ElementTree.fromstring(content)  # noqa: S314 - our own response
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(ATOM + required).text
    assert root.find(ATOM + "author/" + ATOM + "name").text  # entries inherit it
    self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == f"http://testserver{site_tree['index'].url}feed/"
    ids = []
    for entry in root.findall(ATOM + "entry"):
        for required in ("id", "title", "updated"):
            assert entry.find(ATOM + required).text
        link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert link.startswith("http://testserver/")
        ids.append(entry.find(ATOM + "id").text)
    assert len(set(ids)) == 3 and all(value.startswith("tag:testserver,") for value in ids)


def test_feed_entries_carry_summary_author_and_skills(client, site_tree, feed_badges):
    parsed = feedparser.parse(get_feed(client, site_tree["index"]))
    oldest = parsed.entries[-1]
    assert oldest.link == f"http://testserver{feed_badges['oldest'].url}"
    assert oldest.summary == f"<p>{feed_badges['oldest'].summary}</p>"
    assert oldest.author == "Library and Information Technology Association"
    assert [tag.term for tag in oldest.tags] == ["Cataloging"]
    assert parsed.entries[0].author.startswith("Association for Library Collections")


def test_drafts_unpublished_and_private_badges_are_not_in_the_feed(
    client, site_tree, feed_badges, make_badge
):
    make_badge("Draft badge", publish=False)
    make_badge("Withdrawn badge").unpublish()
    private = make_badge("Private badge")
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.create(name="Staff")])
    # A published page with a newer draft shows its published title.
    revised = feed_badges["middle"]
    revised.title = "Unpublished new title"
    revised.save_revision()
    parsed = feedparser.parse(get_feed(client, site_tree["index"]))
    assert [entry.title for entry in parsed.entries] == [
        "Newest badge",
        "Middle badge",
        "Oldest badge",
    ]


def test_feed_escapes_titles_and_summaries(client, site_tree, make_badge):
    make_badge('Fish & Chips <b>"bold"</b> Ünïcode', summary="Less < more & <i>tags</i>")
    content = get_feed(client, site_tree["index"])
    parsed = feedparser.parse(content)
    assert not parsed.bozo
    (entry,) = parsed.entries
    assert entry.title == 'Fish & Chips <b>"bold"</b> Ünïcode'
    # The summary is HTML: the plain summary's markup characters arrive as text.
    assert entry.summary == "<p>Less &lt; more &amp; &lt;i&gt;tags&lt;/i&gt;</p>"


def test_feed_length_is_capped(client, site_tree, make_badge, settings):
    settings.BADGES_CMS_FEED_LENGTH = 2
    for number in range(4):
        make_badge(f"Badge {number}")
    assert len(feedparser.parse(get_feed(client, site_tree["index"])).entries) == 2


def test_feed_of_a_private_index_needs_the_restriction(client, site_tree, feed_badges):
    restriction = PageViewRestriction.objects.create(
        page=site_tree["index"], restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.create(name="Staff")])
    response = client.get(site_tree["index"].url + "feed/")
    assert response.status_code == 302  # to the login page, as for the index itself
    assert b"Newest badge" not in response.content


def test_feed_costs_the_same_queries_for_3_and_30_badges(client, site_tree, make_badge):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        client.get(site_tree["index"].url + "feed/")
        with CaptureQueriesContext(connection) as queries:
            client.get(site_tree["index"].url + "feed/")
        return len(queries)

    for number in range(3):
        make_badge(f"Badge {number}", skills=["One", "Two"])
    with_3 = count()
    for number in range(3, 30):
        make_badge(f"Badge {number}", skills=["One", "Two"])
    assert count() == with_3
