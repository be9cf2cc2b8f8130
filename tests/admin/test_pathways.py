"""Pathways in the admin: editors write them as drafts, moderators publish them; the public sees
the published state only, and a pathway that names a badge twice or an alias is refused with a
message, changing nothing."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from badges_cms.models import Pathway
from tests.support.staff import staff  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def pathway_form(badges, action=None, **fields):
    data = {
        "title": "ALCTS Fundamentals",
        "slug": "alcts-fundamentals",
        "issuer": "",
        "description": "The Fundamentals web courses, in order.",
        "entries": inline_formset(
            [
                {"badge": badge.pk, "required": "on", "ORDER": str(number)}
                for number, badge in enumerate(badges, start=1)
            ]
        ),
        **fields,
    }
    if action:
        data[action] = "go"
    return nested_form_data(data)


@pytest.fixture
def badges(make_badge, issuers):
    return [
        make_badge(title, issuer=issuers["alcts"])
        for title in ("Fundamentals of Acquisitions", "Fundamentals of Cataloging")
    ]


def pathway_url(site_tree):
    return f"{site_tree['index'].url}pathways/alcts-fundamentals/"


def test_an_editor_saves_a_draft_a_moderator_publishes_it(client, staff, badges, site_tree):  # noqa: F811
    add_url = reverse("wagtailsnippets_badges_cms_pathway:add")
    client.force_login(staff["editor"])
    page = client.get(add_url).content.decode()
    assert 'name="entries-TOTAL_FORMS"' in page
    assert "action-publish" not in page  # editors may not publish
    response = client.post(add_url, pathway_form(badges))
    assert response.status_code == 302, response.content.decode()[:2000]
    pathway = Pathway.objects.get(slug="alcts-fundamentals")
    assert not pathway.live and pathway.revisions.count() == 1
    assert client.get(pathway_url(site_tree)).status_code == 404
    # An editor's publish is refused: the pathway stays a draft.
    edit_url = reverse("wagtailsnippets_badges_cms_pathway:edit", args=[pathway.pk])
    client.post(edit_url, pathway_form(badges, "action-publish"))
    pathway.refresh_from_db()
    assert not pathway.live

    client.force_login(staff["moderator"])
    response = client.post(edit_url, pathway_form(badges, "action-publish"))
    assert response.status_code == 302
    pathway.refresh_from_db()
    assert pathway.live
    client.logout()
    html = client.get(pathway_url(site_tree)).content.decode()
    assert html.index("Fundamentals of Acquisitions") < html.index("Fundamentals of Cataloging")

    # A later draft (the order reversed) leaves the published order until it is published.
    client.force_login(staff["editor"])
    client.post(edit_url, pathway_form(list(reversed(badges))))
    client.logout()
    html = client.get(pathway_url(site_tree)).content.decode()
    assert html.index("Fundamentals of Acquisitions") < html.index("Fundamentals of Cataloging")


def test_a_badge_twice_or_an_alias_is_refused_with_a_message(client, staff, badges):  # noqa: F811
    add_url = reverse("wagtailsnippets_badges_cms_pathway:add")
    client.force_login(staff["moderator"])
    response = client.post(add_url, pathway_form([badges[0], badges[1], badges[0]]))
    assert response.status_code == 200
    assert "once" in response.content.decode()
    alias = badges[0].create_alias(update_slug="acquisitions-again")
    response = client.post(add_url, pathway_form([badges[1], alias]))
    assert response.status_code == 200
    assert "Choose the original badge page, not an alias of it." in response.content.decode()
    assert not Pathway.objects.exists()
