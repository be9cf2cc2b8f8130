"""An editor adds badges to a page in the Wagtail editor: pasted Credly code is stored as ids,
the published page shows the badges under its Content Security Policy, a hostile paste is
refused in the editor, and the embed shows in Wagtail's preview."""

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Revision
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from tests.support.csp import policy_of

pytestmark = pytest.mark.django_db

FIRST_ID = "90ea8865-ec5d-44cd-b8d3-aacd4ef9502c"
SECOND_ID = "23493415-d092-4884-88bf-917e3dc450e3"
FIRST_SNIPPET = (
    f'<div data-iframe-width="150" data-iframe-height="270" data-share-badge-id="{FIRST_ID}" '
    'data-share-badge-host="https://www.credly.com"></div><script type="text/javascript" async '
    'src="//cdn.credly.com/assets/utilities/embed.js"></script>'
)
EMBED_JS = '<script src="https://cdn.credly.com/assets/utilities/embed.js" defer></script>'


@pytest.fixture
def moderator(db):
    """A member of Wagtail's Moderators group, who may publish."""
    user = get_user_model().objects.create_user("mona", "mona@example.org", "pw")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def alcts_badges(make_badge, issuers):
    return [
        make_badge("Fundamentals of Collection Development", issuer=issuers["alcts"]),
        make_badge(
            "RDA Serials Cataloging Update", issuer=issuers["alcts"], launched=date(2017, 6, 1)
        ),
        make_badge("Beyond Web Page Analytics"),  # LITA's, so not in an ALCTS list
    ]


def home_form(home, body):
    return nested_form_data(
        {
            "title": home.title,
            "slug": home.slug,
            "intro": rich_text("<p>Badges of the pilot.</p>"),
            "newest_badges_count": 0,
            "body": streamfield(body),
            "action-publish": "Publish",
        }
    )


def two_embeds_and_a_list(alcts_issuer, first_paste=FIRST_SNIPPET):
    return [
        ("paragraph", rich_text("<h2>Earners show their badges</h2>")),
        ("credly_badge", {"badge_id": first_paste, "size": "standard", "caption": "Ana Ruiz"}),
        (
            "credly_badge",
            {
                "badge_id": f"https://www.youracclaim.com/badges/{SECOND_ID.upper()}/public_url",
                "size": "large",
                "caption": "",
            },
        ),
        (
            "badge_list",
            {
                "heading": "From ALCTS",
                "issuer": alcts_issuer.pk,
                "skill": "",
                "order": "newest",
                "limit": "6",
            },
        ),
    ]


def test_an_editor_publishes_two_embeds_and_a_badge_list(
    client, moderator, site_tree, issuers, alcts_badges
):
    home = site_tree["home"]
    client.force_login(moderator)
    edit_url = reverse("wagtailadmin_pages:edit", args=(home.pk,))
    response = client.post(edit_url, home_form(home, two_embeds_and_a_list(issuers["alcts"])))
    assert response.status_code == 302, response.context["form"].errors

    home.refresh_from_db()
    stored = [(child.block_type, child.value) for child in home.body]
    assert [value["badge_id"] for kind, value in stored if kind == "credly_badge"] == [
        FIRST_ID,
        SECOND_ID,
    ]
    assert "<script" not in json.dumps(home.body.get_prep_value())

    client.logout()
    response = client.get(home.url)
    assert response.status_code == 200
    html = response.content.decode()
    for badge_id in (FIRST_ID, SECOND_ID):
        assert f'data-share-badge-id="{badge_id}"' in html
        assert (
            f'<a class="credly-badge__link" href="https://www.credly.com/badges/{badge_id}">'
            in html
        )
    assert 'data-iframe-width="300" data-iframe-height="540"' in html  # the large one
    assert html.count("embed.js") == 1 and html.count(EMBED_JS) == 1
    assert "<h2>From ALCTS</h2>" in html
    assert "RDA Serials Cataloging Update" in html and "Fundamentals of Collection" in html
    assert "Beyond Web Page Analytics" not in html

    policy = policy_of(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "https://cdn.credly.com"]
    assert policy["frame-src"] == ["https://www.credly.com"]
    assert policy["style-src"] == ["'self'"]
    assert policy["style-src-attr"] == policy["script-src-attr"] == ["'none'"]


def test_a_hostile_paste_is_shown_to_the_editor_and_nothing_is_saved(
    client, moderator, site_tree, issuers, alcts_badges
):
    home = site_tree["home"]
    revisions = Revision.objects.count()
    client.force_login(moderator)
    hostile = (
        f'<div data-share-badge-id="{FIRST_ID}"></div>'
        '<script src="https://cdn.credly.com.evil.example/assets/utilities/embed.js"></script>'
    )
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(home.pk,)),
        home_form(home, two_embeds_and_a_list(issuers["alcts"], first_paste=hostile)),
    )
    assert response.status_code == 200
    body_errors = response.context["form"].errors["body"].as_data()[0]
    (message,) = body_errors.block_errors[1].block_errors["badge_id"].messages
    assert message == (
        "The embed code loads a script from cdn.credly.com.evil.example. Credly's embed code "
        "loads embed.js from cdn.credly.com."
    )
    # The editor sees it on the field, in the editor's own page.
    assert "The embed code loads a script from cdn.credly.com.evil.example." in (
        response.content.decode()
    )
    assert Revision.objects.count() == revisions


def test_the_embed_shows_in_wagtails_preview(client, moderator, site_tree, issuers, alcts_badges):
    home = site_tree["home"]
    client.force_login(moderator)
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=(home.pk,))
    response = client.post(preview_url, home_form(home, two_embeds_and_a_list(issuers["alcts"])))
    assert response.json()["is_valid"] is True
    response = client.get(preview_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-share-badge-id="{FIRST_ID}"' in html
    assert f'data-share-badge-id="{SECOND_ID}"' in html
    assert html.count(EMBED_JS) == 1
    # The admin, previews included, is outside the public pages' policy.
    assert "Content-Security-Policy" not in response
