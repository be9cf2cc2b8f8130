"""Aliases and copies of badge pages.

The Credly template id is unique, so only the original page holds it: an alias shows its
original's figures (on its page, on cards, in the API and in its Open Badges documents) without
storing the id, and a copy is left unlinked, which the editor is told.
"""

import re
import uuid

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.signals import page_published

from badges_cms.models import BadgeIndexPage, BadgePage, CredlyBadgeTemplate

pytestmark = pytest.mark.django_db

TEMPLATE_ID = uuid.UUID("5f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f")
TEMPLATE_URL = "https://www.credly.com/org/american-library-association/badge/beyond-web"


def make_template(template_id=TEMPLATE_ID, badges_count=42, state="active"):
    return CredlyBadgeTemplate.objects.create(
        id=template_id,
        name="Beyond Web Page Analytics",
        url=TEMPLATE_URL,
        state=state,
        badges_count=badges_count,
        synced_at="2026-11-01T00:00:00Z",
        last_seen_at="2026-11-01T00:00:00Z",
    )


@pytest.fixture
def other_index(site_tree):
    """A second catalogue, where aliases can keep their original's slug."""
    index = BadgeIndexPage(title="Partner badges", slug="partner-badges")
    site_tree["home"].add_child(instance=index)
    index.save_revision().publish()
    index.refresh_from_db()
    return index


@pytest.fixture
def linked(make_badge):
    make_template()
    return make_badge("Beyond Web Page Analytics", credly_template_id=TEMPLATE_ID)


def copy_in_admin(client, page, parent, slug, **extra):
    data = {"new_title": page.title, "new_slug": slug, "new_parent_page": parent.pk, **extra}
    return client.post(reverse("wagtailadmin_pages:copy", args=[page.pk]), data)


def only_alias_of(page):
    return BadgePage.objects.get(alias_of=page)


# Creating aliases, and publishing pages that have them


def test_alias_of_a_linked_badge_created_in_the_admin(admin_client, linked, other_index):
    response = copy_in_admin(admin_client, linked, other_index, linked.slug, alias="on")
    assert response.status_code == 302, response.content
    alias = only_alias_of(linked)
    assert alias.live and alias.get_parent().pk == other_index.pk
    assert alias.credly_template_id is None
    assert BadgePage.objects.get(pk=linked.pk).credly_template_id == TEMPLATE_ID


def test_alias_of_a_linked_badge_created_in_code(linked, other_index):
    alias = linked.create_alias(parent=other_index)
    alias.refresh_from_db()
    assert alias.credly_template_id is None
    assert alias.issued_count == 42


def test_publishing_a_linked_badge_that_has_an_alias(linked, other_index):
    alias = linked.create_alias(parent=other_index)
    linked.title = "Beyond Web Page Analytics, revised"
    linked.save_revision().publish()
    alias.refresh_from_db()
    assert alias.title == "Beyond Web Page Analytics, revised"
    assert alias.credly_template_id is None
    assert BadgePage.objects.get(pk=linked.pk).credly_template_id == TEMPLATE_ID


def test_linking_a_badge_that_already_has_an_alias(make_badge, other_index):
    make_template()
    page = make_badge("Beyond Web Page Analytics")
    alias = page.create_alias(parent=other_index)
    page.credly_template_id = TEMPLATE_ID
    page.save_revision().publish()  # copies the page into its alias
    alias = BadgePage.objects.get(pk=alias.pk)
    assert alias.credly_template_id is None
    assert alias.issued_count == 42
    assert BadgePage.objects.get(pk=page.pk).credly_template_id == TEMPLATE_ID


def test_an_alias_never_stores_a_template_id(linked, other_index):
    alias = linked.create_alias(parent=other_index)
    alias.credly_template_id = uuid.uuid4()
    alias.save()
    assert BadgePage.objects.get(pk=alias.pk).credly_template_id is None


def test_alias_of_an_alias_shows_the_first_original_figures(linked, other_index, site_tree):
    alias = linked.create_alias(parent=other_index)
    alias_of_alias = alias.create_alias(update_slug="beyond-web-again")
    page = BadgePage.objects.get(pk=alias_of_alias.pk)
    assert page.credly_template_id is None
    assert page.issued_count == 42
    listed = BadgePage.objects.filter(pk=page.pk).with_figures().get()
    assert listed.synced_template_id == TEMPLATE_ID and listed.issued_count == 42


# Copies


def test_copy_of_a_linked_badge_is_unlinked_and_the_editor_is_told(admin_client, linked):
    response = copy_in_admin(admin_client, linked, linked.get_parent(), "beyond-web-copy")
    assert response.status_code == 302, response.content
    copy = BadgePage.objects.get(slug="beyond-web-copy")
    assert copy.alias_of_id is None and copy.credly_template_id is None
    assert copy.get_latest_revision().as_object().credly_template_id is None
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("not linked to a Credly" in text for text in texts), texts


def test_copying_an_unlinked_badge_says_nothing_about_credly(admin_client, make_badge):
    page = make_badge("Unlinked badge")
    response = copy_in_admin(admin_client, page, page.get_parent(), "unlinked-copy")
    assert response.status_code == 302
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert not any("Credly" in text for text in texts), texts


# What an alias shows


def test_alias_shows_its_original_figures_on_its_page_and_its_card(client, linked, other_index):
    alias = linked.create_alias(parent=other_index)
    page = client.get(alias.url)
    assert page.status_code == 200
    assert "Issued 42 times" in page.content.decode()
    listing = client.get(other_index.url)
    assert "Issued 42 times" in listing.content.decode()
    assert listing.context["listing"].total_issued == 42
    issuer_page = client.get(other_index.url + "issuers/lita/")
    assert issuer_page.status_code == 200
    assert "Issued 42 times" in issuer_page.content.decode()


def test_alias_of_a_retired_badge_is_retired(client, linked, other_index):
    alias = linked.create_alias(parent=other_index)
    CredlyBadgeTemplate.objects.filter(pk=TEMPLATE_ID).update(state="archived")
    assert BadgePage.objects.get(pk=alias.pk).is_retired
    assert "No longer issued" in client.get(other_index.url).content.decode()


def test_alias_and_original_in_one_listing_count_the_template_once(client, linked):
    linked.create_alias(update_slug="beyond-web-alias")
    response = client.get(linked.get_parent().url)
    assert response.context["listing"].count == 2
    assert response.context["listing"].total_issued == 42


def test_most_issued_sorts_an_alias_by_its_original_figure(
    client, linked, other_index, make_badge, settings
):
    """The order reads the figures in the query that picks a page's cards: an alias of an
    alias sorts by its first original's count, a badge without a sync last, on every page."""
    alias = linked.create_alias(parent=other_index)
    alias.specific.create_alias(update_slug="beyond-again")
    make_template(uuid.UUID(int=7), badges_count=50)
    make_template(uuid.UUID(int=8), badges_count=10)
    make_badge("Fifty", parent=other_index, credly_template_id=uuid.UUID(int=7))
    make_badge("Ten", parent=other_index, credly_template_id=uuid.UUID(int=8))
    make_badge("Not synced", parent=other_index)

    def titles(**params):
        response = client.get(other_index.url, {"sort": "issued", **params})
        return [badge.title for badge in response.context["badges"]]

    everything = ["Fifty", "Beyond Web Page Analytics", "Beyond Web Page Analytics", "Ten"]
    assert titles() == [*everything, "Not synced"]
    settings.BADGES_CMS_PER_PAGE = 2
    pages = [titles(page=number) for number in (1, 2, 3)]
    assert pages == [everything[:2], everything[2:], ["Not synced"]]


def test_alias_shows_its_original_figures_in_the_api(client, linked, other_index):
    alias = linked.create_alias(parent=other_index)
    detail = client.get(f"/api/v2/pages/{alias.pk}/").json()
    assert detail["issued_count"] == 42
    assert detail["credly_template_id"] == str(TEMPLATE_ID)


def test_alias_shows_its_original_figures_in_the_api_listing(client, linked, other_index):
    alias = linked.create_alias(parent=other_index)
    listing = client.get(
        "/api/v2/pages/?type=badges_cms.BadgePage&fields=issued_count,credly_template_id"
    ).json()
    items = {item["id"]: item for item in listing["items"]}
    assert items[alias.pk]["issued_count"] == 42
    assert items[alias.pk]["credly_template_id"] == str(TEMPLATE_ID)


def test_alias_documents_point_to_the_credly_template(client, linked, other_index):
    alias = linked.create_alias(parent=other_index)
    badge_class = client.get(alias.url + "badgeclass.json")
    assert badge_class.status_code == 200
    assert badge_class.json()["related"] == [TEMPLATE_URL]
    achievement = client.get(alias.url + "achievement.json")
    assert TEMPLATE_URL in achievement.content.decode()


def test_alias_cards_cost_no_query_each(client, linked, other_index, make_badge):
    def listing_queries():
        client.get(other_index.url)  # fill per-process caches first
        with CaptureQueriesContext(connection) as queries:
            response = client.get(other_index.url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    linked.create_alias(parent=other_index)
    one, html = listing_queries()
    assert html.count("Issued 42 times") == 1
    for number in range(3):
        template = make_template(uuid.uuid4(), badges_count=7)
        page = make_badge(f"Another badge {number}", credly_template_id=template.pk)
        page.create_alias(parent=other_index)
    four, html = listing_queries()
    assert html.count("Issued 7 times") == 3
    assert four == one


# The admin


def test_alias_shows_its_original_figures_in_the_admin_badges_listing(
    admin_client, linked, other_index
):
    alias = linked.create_alias(parent=other_index)
    html = admin_client.get(reverse("badges_cms_badges:index")).content.decode()
    row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*id="page_{alias.pk}_title".*?</tr>', html, re.S)
    issued = re.sub(r"<[^>]+>|\s", "", re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)[3])
    assert issued == "42"


def test_alias_opens_in_the_editor(admin_client, linked, other_index):
    alias = linked.create_alias(parent=other_index)
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[alias.pk]))
    assert response.status_code == 200
    assert "This page is an alias" in response.content.decode()
    # Wagtail refuses to save an alias; the original's editor still saves.
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[alias.pk]), {})
    assert response.status_code == 405
    assert admin_client.get(reverse("wagtailadmin_pages:edit", args=[linked.pk])).status_code == 200


def test_an_alias_form_takes_no_template_id(admin_user, linked, other_index):
    alias = BadgePage.objects.get(pk=linked.create_alias(parent=other_index).pk)
    form_class = BadgePage.get_edit_handler().get_form_class()
    form = form_class(instance=alias, for_user=admin_user)
    assert form.fields["credly_template_id"].disabled
    original_form = form_class(instance=linked, for_user=admin_user)
    assert not original_form.fields["credly_template_id"].disabled


# Creating an alias refreshes what lists it


def test_creating_a_live_alias_is_announced_like_a_publish(
    linked, other_index, django_capture_on_commit_callbacks
):
    from badges_cms.catalogue.aliases import register_signal_handlers

    register_signal_handlers()
    received = []

    def receiver(sender, instance, **kwargs):
        received.append((sender, instance.pk, kwargs.get("alias")))

    page_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            alias = linked.create_alias(parent=other_index)
    finally:
        page_published.disconnect(receiver)
    assert received == [(BadgePage, alias.pk, True)]


def test_an_alias_of_a_draft_is_not_announced(
    make_badge, other_index, django_capture_on_commit_callbacks
):
    from badges_cms.catalogue.aliases import register_signal_handlers

    register_signal_handlers()
    draft = make_badge("Draft badge", publish=False)
    received = []

    def receiver(sender, instance, **kwargs):
        received.append(instance.pk)

    page_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            draft.create_alias(parent=other_index)
    finally:
        page_published.disconnect(receiver)
    assert received == []


def test_converting_a_live_alias_is_announced(
    linked, other_index, django_capture_on_commit_callbacks
):
    from wagtail.actions.convert_alias import ConvertAliasPageAction

    from badges_cms.catalogue.aliases import register_signal_handlers

    register_signal_handlers()
    alias = linked.create_alias(parent=other_index)
    received = []

    def receiver(sender, instance, **kwargs):
        received.append((instance.pk, instance.alias_of_id, kwargs["revision"]))

    page_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ConvertAliasPageAction(BadgePage.objects.get(pk=alias.pk)).execute()
    finally:
        page_published.disconnect(receiver)
    page = BadgePage.objects.get(pk=alias.pk)
    assert received == [(alias.pk, None, page.live_revision)]
    # An ordinary page now, unlinked, which the editor may link to a template of its own.
    assert page.issued_count is None and page.credly_template_id is None
