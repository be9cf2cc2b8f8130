"""Open Badges 2.0 and 3.0 documents: valid JSON-LD, the specs' required fields, stable ids.

Every document is expanded with pyld against the published contexts (tests/jsonld_support.py):
a term the context does not define fails the test instead of vanishing silently.
"""

import json
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from pyld.jsonld import JsonLdError
from wagtail.models import PageViewRestriction

from badges_cms.models import CredlyBadgeTemplate
from badges_cms.opendata.openbadges import OB2_CONTEXT, OB3_CONTEXT
from tests import openbadges_rules as rules
from tests.jsonld_support import (
    JsonLdCheckError,
    expand_strictly,
    local_document_loader,
    published_contexts,
)

pytestmark = pytest.mark.django_db

OB = "https://w3id.org/openbadges#"
SCHEMA = "http://schema.org/"
TEMPLATE_ID = uuid.UUID("90ea8865-ec5d-44cd-b8d3-aacd4ef9502c")
CREDLY_TEMPLATE_URL = "https://www.credly.com/org/american-library-association/badge/beyond-web"


@pytest.fixture
def badge(make_badge, issuers):
    issuers["lita"].contact_email = "lita@example.org"
    issuers["lita"].website = "https://www.example.org/lita/"
    issuers["lita"].description = "The division for library technology."
    issuers["lita"].save()
    CredlyBadgeTemplate.objects.create(
        id=TEMPLATE_ID,
        name="Beyond Web Page Analytics",
        url=CREDLY_TEMPLATE_URL,
        state="active",
        badges_count=42,
        synced_at="2026-11-01T00:00:00Z",
        last_seen_at="2026-11-01T00:00:00Z",
    )
    return make_badge(
        "Beyond Web Page Analytics",
        skills=["Web analytics", "Assessment"],
        credly_template_id=TEMPLATE_ID,
        criteria=(
            "<p>Attend <b>both</b> sessions &amp; finish the <i>exercise</i>.</p>"
            '<ol><li>Watch the <a href="https://www.example.org/webinar">webinar</a></li>'
            "<li>Submit a report</li></ol>"
        ),
    )


def path_of(url):
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver", url
    return parts.path


def assert_is_png_in_media(path):
    assert path.startswith(settings.MEDIA_URL) and path.endswith(".png"), path
    with default_storage.open(path.removeprefix(settings.MEDIA_URL)) as file:
        image = PILImage.open(file)
        assert image.format == "PNG"


def get_json(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.content)


# The strictness of the checker itself: a check that cannot fail proves nothing.


def test_contexts_come_from_the_registry_packages():
    contexts = published_contexts()
    assert {OB2_CONTEXT, OB3_CONTEXT} <= set(contexts)
    assert contexts[OB2_CONTEXT]["@context"]["BadgeClass"] == "obi:BadgeClass"
    assert "Achievement" in contexts[OB3_CONTEXT]["@context"]


@pytest.mark.parametrize(
    "document",
    [
        # A term neither context defines.
        {"@context": OB2_CONTEXT, "type": "BadgeClass", "id": "https://e.org/b", "colour": "red"},
        # "narrative" exists in 2.0; "criteriaText" does not.
        {"@context": OB2_CONTEXT, "id": "https://e.org/b", "criteria": {"criteriaText": "x"}},
        # A type the context does not define stays a relative IRI.
        {"@context": OB2_CONTEXT, "type": "Badge", "id": "https://e.org/b"},
        # null is silently dropped by expansion.
        {"@context": OB2_CONTEXT, "id": "https://e.org/b", "name": None},
        # 2.0's "tags" is not 3.0's "tag".
        {
            "@context": [OB3_CONTEXT],
            "id": "https://e.org/a",
            "type": ["Achievement"],
            "tags": ["x"],
        },
    ],
)
def test_the_checker_fails_on_what_expansion_would_lose(document):
    with pytest.raises(JsonLdCheckError):
        expand_strictly(document)


def test_the_checker_never_fetches_other_contexts():
    with pytest.raises(JsonLdCheckError, match="never fetches"):
        local_document_loader("https://example.org/other-context.json")
    with pytest.raises(JsonLdError, match="other-context.json"):
        expand_strictly({"@context": "https://example.org/other-context.json", "name": "x"})


@pytest.mark.parametrize(
    "rule, document_name, remove",
    [
        (rules.ob2_badge_class, "badgeclass.json", "name"),
        (rules.ob2_badge_class, "badgeclass.json", "description"),
        (rules.ob2_badge_class, "badgeclass.json", "image"),
        (rules.ob2_badge_class, "badgeclass.json", "criteria"),
        (rules.ob2_badge_class, "badgeclass.json", "issuer"),
        (rules.ob2_badge_class, "badgeclass.json", "id"),
        (rules.ob3_achievement, "achievement.json", "criteria"),
        (rules.ob3_achievement, "achievement.json", "name"),
        (rules.ob3_achievement, "achievement.json", "type"),
    ],
)
def test_the_required_field_rules_catch_a_missing_field(client, badge, rule, document_name, remove):
    document = get_json(client, badge.url + document_name)
    assert rule(document) == []
    del document[remove]
    assert rule(document)


def test_the_profile_rules_catch_a_missing_email_or_url(client, badge):
    profile = get_json(client, badge.index_page.url + "issuers/lita.json")
    assert rules.ob2_profile({**profile, "email": ""})
    assert rules.ob2_profile({key: value for key, value in profile.items() if key != "url"})


# Open Badges 2.0


def test_badgeclass_is_valid_json_ld_with_the_required_fields(client, badge):
    document = get_json(client, badge.url + "badgeclass.json")
    expanded = expand_strictly(document)
    assert rules.ob2_badge_class(document) == []
    assert document["@context"] == "https://w3id.org/openbadges/v2"
    assert document["type"] == "BadgeClass"
    assert document["id"] == "http://testserver" + badge.url + "badgeclass.json"
    assert document["name"] == "Beyond Web Page Analytics"
    assert document["description"] == badge.summary
    assert document["tags"] == ["Assessment", "Web analytics"]
    # criteria: an object with a narrative (Markdown) and an id on the badge page.
    assert document["criteria"]["id"] == "http://testserver" + badge.url + "#criteria-heading"
    assert document["criteria"]["narrative"] == (
        "Attend **both** sessions & finish the *exercise*.\n\n"
        "1. Watch the [webinar](<https://www.example.org/webinar>)\n2. Submit a report"
    )
    image = document["image"]
    assert image["type"] == "Image" and image["caption"] == "Beyond Web Page Analytics badge"
    assert_is_png_in_media(path_of(image["id"]))
    # Credly remains the issuer of record: the BadgeClass points to its template.
    assert document["related"] == [CREDLY_TEMPLATE_URL]
    node = expanded[0]
    assert node["@type"] == [OB + "BadgeClass"]
    assert node["http://purl.org/dc/terms/relation"] == [{"@id": CREDLY_TEMPLATE_URL}]
    assert node[OB + "criteria"][0][OB + "narrative"][0]["@value"].startswith("Attend")


def test_badgeclass_id_and_issuer_resolve_to_their_documents(client, badge):
    document = get_json(client, badge.url + "badgeclass.json")
    assert get_json(client, path_of(document["id"])) == document
    profile = get_json(client, path_of(document["issuer"]))
    assert profile["id"] == document["issuer"]
    assert path_of(profile["id"]) == badge.index_page.url + "issuers/lita.json"


def test_issuer_profile_is_valid_json_ld_with_the_required_fields(client, badge):
    profile = get_json(client, badge.index_page.url + "issuers/lita.json")
    expanded = expand_strictly(profile)
    assert rules.ob2_profile(profile) == []
    assert profile["@context"] == OB2_CONTEXT
    assert profile["type"] == "Profile"
    assert profile["name"] == "Library and Information Technology Association"
    assert profile["url"] == "https://www.example.org/lita/"
    assert profile["email"] == "lita@example.org"
    assert profile["description"] == "The division for library technology."
    assert expanded[0]["@type"] == [OB + "Profile"]
    assert expanded[0][SCHEMA + "email"] == [{"@value": "lita@example.org"}]


def test_issuer_profile_falls_back_to_parent_email_and_issuer_page(client, badge, issuers):
    issuers["ala"].contact_email = "ala@example.org"
    issuers["ala"].save()
    badge.issuer = issuers["alcts"]
    badge.save_revision().publish()
    profile = get_json(client, badge.index_page.url + "issuers/alcts.json")
    expand_strictly(profile)
    assert rules.ob2_profile(profile) == []
    assert profile["email"] == "ala@example.org"  # from its parent organisation
    assert profile["url"] == f"http://testserver{badge.index_page.url}issuers/alcts/"
    # The parent answers too: it is public through its division's badge.
    assert get_json(client, badge.index_page.url + "issuers/ala.json")["name"].startswith("Amer")


def test_issuer_profile_uses_the_configured_email_when_nobody_has_one(
    client, make_badge, issuers, settings
):
    settings.BADGES_CMS_ISSUER_FALLBACK_EMAIL = "badges@example.org"
    badge = make_badge(issuer=issuers["alcts"])
    profile = get_json(client, badge.index_page.url + "issuers/alcts.json")
    assert profile["email"] == "badges@example.org"


def test_badge_without_credly_template_has_no_related(client, make_badge):
    badge = make_badge("Unlinked badge")
    document = get_json(client, badge.url + "badgeclass.json")
    expand_strictly(document)
    assert "related" not in document
    assert "related" not in get_json(client, badge.url + "achievement.json")


# Open Badges 3.0


def test_achievement_is_valid_json_ld_with_the_required_fields(client, badge):
    document = get_json(client, badge.url + "achievement.json")
    expanded = expand_strictly(document)
    assert rules.ob3_achievement(document) == []
    assert document["@context"] == ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert document["id"] == "http://testserver" + badge.url + "achievement.json"
    assert "Achievement" in document["type"]
    assert document["achievementType"] == "Badge"
    assert document["name"] and document["description"]
    assert document["criteria"]["narrative"].startswith("Attend **both**")
    assert document["tag"] == ["Assessment", "Web analytics"]
    assert document["image"]["type"] == "Image" and document["image"]["id"].startswith("http")
    creator = document["creator"]
    assert "Profile" in creator["type"] and creator["id"].endswith("/issuers/lita.json")
    assert creator["name"] and creator["email"] == "lita@example.org"
    assert document["related"] == [{"id": CREDLY_TEMPLATE_URL, "type": ["Related"]}]
    assert document["inLanguage"] == "en-US"
    node = expanded[0]
    vocab = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
    assert node["@type"] == [vocab + "Achievement"]
    assert node[vocab + "achievementType"] == [{"@value": "Badge"}]
    assert node["https://schema.org/keywords"] == [
        {"@value": "Assessment"},
        {"@value": "Web analytics"},
    ]
    assert node[vocab + "creator"][0]["@type"] == [vocab + "Profile"]


# Only what anyone may see, at stable addresses


@pytest.mark.parametrize("document", ["badgeclass.json", "achievement.json"])
def test_drafts_unpublished_and_private_badges_have_no_documents(
    client, make_badge, site_tree, document
):
    draft = make_badge("Draft badge", publish=False)
    unpublished = make_badge("Withdrawn badge")
    unpublished.unpublish()
    private = make_badge("Private badge")
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.create(name="Staff")])
    index_url = site_tree["index"].url
    for slug in (draft.slug, unpublished.slug, private.slug, "no-such-badge"):
        assert client.get(f"{index_url}{slug}/{document}").status_code == 404


def test_every_issuer_has_a_profile_at_a_stable_id_but_drafts_stay_unknown(
    client, make_badge, issuers
):
    """An issuer's Profile answers before its first badge is out (every issuer has a page, and
    the Profile describes the organisation, not its badges), at the same id it keeps once the
    badges come; a draft badge shows through neither."""
    badge = make_badge("Draft", publish=False, issuer=issuers["alcts"])
    make_badge("Published", issuer=issuers["lita"])
    index_url = badge.get_parent().url
    profile = get_json(client, index_url + "issuers/alcts.json")
    assert rules.ob2_profile({**profile, "email": "alcts@example.org"}) == []
    assert profile["id"] == f"http://testserver{index_url}issuers/alcts.json"
    assert "Draft" not in json.dumps(profile)
    assert "Draft" not in client.get(index_url + "issuers/alcts/").content.decode()
    assert client.get(index_url + "issuers/nobody.json").status_code == 404
    assert client.get(index_url + "issuers/nobody/").status_code == 404
    badge.save_revision().publish()
    assert get_json(client, index_url + "issuers/alcts.json")["id"] == profile["id"]


def rename(page, slug, capture_on_commit):
    # Wagtail records redirects when the rename's transaction commits.
    with capture_on_commit(execute=True):
        page.slug = slug
        page.save_revision().publish()
    page.refresh_from_db()


def test_old_json_addresses_redirect_permanently_after_a_rename(
    client, badge, django_capture_on_commit_callbacks
):
    old_url = badge.url
    rename(badge, "web-analytics-beyond-page-views", django_capture_on_commit_callbacks)
    assert badge.url != old_url
    for document in ("badgeclass.json", "achievement.json"):
        response = client.get(old_url + document)
        assert response.status_code == 301
        assert response["Location"] == f"http://testserver{badge.url}{document}"
    # The ids in the documents are the new addresses.
    assert get_json(client, badge.url + "badgeclass.json")["id"].endswith(
        "/web-analytics-beyond-page-views/badgeclass.json"
    )


def test_old_addresses_redirect_after_the_index_moves(
    client, badge, site_tree, django_capture_on_commit_callbacks
):
    index = site_tree["index"]
    old_index_url, old_badge_url = index.url, badge.url
    rename(index, "digital-badges", django_capture_on_commit_callbacks)
    badge.refresh_from_db()
    response = client.get(old_badge_url + "badgeclass.json")
    assert response.status_code == 301
    assert response["Location"] == f"http://testserver{badge.url}badgeclass.json"
    response = client.get(old_index_url + "issuers/lita.json")
    assert response.status_code == 301
    assert response["Location"].endswith("/digital-badges/issuers/lita.json")
    assert client.get(old_index_url + "feed/").status_code == 301


def test_a_redirect_to_an_unpublished_page_is_not_followed(
    client, badge, django_capture_on_commit_callbacks
):
    old_url = badge.url
    rename(badge, "renamed", django_capture_on_commit_callbacks)
    assert client.get(old_url + "badgeclass.json").status_code == 301
    badge.unpublish()
    assert client.get(old_url + "badgeclass.json").status_code == 404


# Content negotiation


def test_badge_page_answers_json_ld_to_clients_that_ask_for_it(client, badge):
    response = client.get(badge.url, HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert "Accept" in response["Vary"]
    assert json.loads(response.content) == get_json(client, badge.url + "badgeclass.json")


@pytest.mark.parametrize(
    "accept",
    [
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # a browser
        "*/*",
        "",
        "application/ld+json;q=0.5, text/html",
    ],
)
def test_badge_page_stays_html_for_browsers(client, badge, accept):
    response = client.get(badge.url, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def test_private_badge_page_never_answers_json_ld(client, make_badge):
    private = make_badge("Private badge")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    response = client.get(private.url, HTTP_ACCEPT="application/ld+json")
    assert response["Content-Type"].startswith("text/html")
    assert b"BadgeClass" not in response.content
