"""Pathways in the machine-readable data: the alignments of the Open Badges documents, the
schema.org isPartOf of a badge page and ItemList of a pathway page, and /api/v2/pathways/.

Only published pathways appear, and of their badges only those anyone may see in the site: a
draft pathway, and a draft or private badge of a pathway, are named nowhere. The Open Badges
documents are expanded with the published contexts (tests/jsonld_support.py), so an alignment
property the context does not define fails the test instead of vanishing.
"""

import json
from urllib.parse import urlsplit

import extruct
import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from badges_cms.models import BadgeIndexPage, PathwayBadge
from badges_cms.opendata import openbadges
from home.models import HomePage
from tests import openbadges_rules as rules
from tests.jsonld_support import expand_strictly
from tests.support.pathways import DESCRIPTION

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
OB = "https://w3id.org/openbadges#"
SCHEMA = "http://schema.org/"  # the Open Badges 2.0 context's schema.org
VOCAB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
SCHEMA_HTTPS = "https://schema.org/"  # the 3.0 context's
API = "/api/v2/pathways/"


def get_json(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/ld+json"
    return json.loads(response.content)


def get_api(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.content)
    return response.json()


def json_ld_blocks(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    return extruct.extract(html, base_url=BASE, syntaxes=["json-ld"], uniform=True)["json-ld"]


def block_of_type(blocks, type_name):
    (block,) = [block for block in blocks if block["@type"] == type_name]
    return block


def path_of(url):
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver"), url
    return parts.path


def expected_alignments(pathways):
    index = BASE + pathways["index_url"]
    return [
        {
            "targetName": "ALCTS Fundamentals",
            "targetUrl": f"{index}pathways/alcts-fundamentals/",
            "targetDescription": DESCRIPTION,
            "targetFramework": "Pathway",
            "targetCode": "alcts-fundamentals",
        },
        {
            "targetName": "Basics of cataloging",
            "targetUrl": f"{index}pathways/basics/",
            "targetDescription": "Basics of cataloging: badges to earn in order.",
            "targetFramework": "Pathway",
            "targetCode": "basics",
        },
    ]


# Open Badges 2.0 and 3.0


def test_badgeclass_aligns_with_each_published_pathway(client, pathways):
    document = get_json(client, pathways["cataloging"].url + "badgeclass.json")
    assert document["alignment"] == expected_alignments(pathways)
    assert rules.ob2_badge_class(document) == []  # the alignments' required fields among them
    for alignment in document["alignment"]:
        # The target is the pathway's page, which answers.
        assert client.get(path_of(alignment["targetUrl"])).status_code == 200
    # Expansion keeps every value (expand_strictly counts them) under the 2.0 vocabulary.
    (node,) = expand_strictly(document)
    first, second = node[OB + "alignment"]
    assert first[SCHEMA + "targetName"] == [{"@value": "ALCTS Fundamentals"}]
    assert first[SCHEMA + "targetUrl"] == [
        {"@value": f"{BASE}{pathways['index_url']}pathways/alcts-fundamentals/"}
    ]
    assert first[SCHEMA + "targetDescription"] == [{"@value": DESCRIPTION}]
    assert first[SCHEMA + "targetFramework"] == [{"@value": "Pathway"}]
    assert first[OB + "targetCode"] == [{"@value": "alcts-fundamentals"}]
    assert second[OB + "targetCode"] == [{"@value": "basics"}]
    # Not the draft pathway, which holds this badge too.
    assert "Secret" not in json.dumps(document) and "/secret/" not in json.dumps(document)


def test_achievement_aligns_with_each_published_pathway(client, pathways):
    document = get_json(client, pathways["cataloging"].url + "achievement.json")
    assert document["alignment"] == [
        {"type": ["Alignment"], **alignment} for alignment in expected_alignments(pathways)
    ]
    assert rules.ob3_achievement(document) == []
    # "related" stays the Credly template's (none here): pathways are not related achievements.
    assert "related" not in document
    (node,) = expand_strictly(document)
    first, second = node[VOCAB + "alignment"]
    assert first["@type"] == [SCHEMA_HTTPS + "AlignmentObject"]
    assert first[SCHEMA_HTTPS + "targetName"] == [{"@value": "ALCTS Fundamentals"}]
    assert first[SCHEMA_HTTPS + "targetUrl"] == [
        {
            "@type": "https://www.w3.org/2001/XMLSchema#anyURI",
            "@value": f"{BASE}{pathways['index_url']}pathways/alcts-fundamentals/",
        }
    ]
    assert first[SCHEMA_HTTPS + "targetDescription"] == [{"@value": DESCRIPTION}]
    assert first[SCHEMA_HTTPS + "targetFramework"] == [{"@value": "Pathway"}]
    assert first[VOCAB + "targetCode"] == [{"@value": "alcts-fundamentals"}]
    assert second[VOCAB + "targetCode"] == [{"@value": "basics"}]
    assert "Secret" not in json.dumps(document)


def test_badge_page_answers_its_badgeclass_with_alignments_to_json_ld_clients(client, pathways):
    """The content-negotiated BadgeClass (documents.badge_page_as_json_ld) is the same
    document, alignments included."""
    badge = pathways["acquisitions"]
    response = client.get(badge.url, HTTP_ACCEPT="application/ld+json")
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(response.content)
    assert [alignment["targetCode"] for alignment in document["alignment"]] == [
        "alcts-fundamentals"
    ]
    assert document == get_json(client, badge.url + "badgeclass.json")


@pytest.mark.parametrize("name", ["badgeclass.json", "achievement.json"])
def test_a_badge_only_in_a_draft_pathway_has_no_alignment_until_it_is_published(
    client, pathways, name
):
    url = pathways["outside"].url + name
    document = get_json(client, url)
    expand_strictly(document)
    assert "alignment" not in document
    pathways["secret"].save_revision().publish()
    assert [alignment["targetCode"] for alignment in get_json(client, url)["alignment"]] == [
        "secret"
    ]


@pytest.mark.parametrize("name", ["badgeclass.json", "achievement.json"])
def test_an_unpublished_pathway_leaves_the_documents(client, pathways, name):
    url = pathways["cataloging"].url + name
    assert len(get_json(client, url)["alignment"]) == 2
    pathways["fundamentals"].unpublish()
    assert [alignment["targetCode"] for alignment in get_json(client, url)["alignment"]] == [
        "basics"
    ]


@pytest.mark.parametrize("name", ["badgeclass.json", "achievement.json"])
def test_draft_and_private_badges_of_a_pathway_have_no_documents(client, pathways, name):
    for hidden in ("draft", "private"):
        url = f"{pathways['index_url']}{pathways[hidden].slug}/{name}"
        assert client.get(url).status_code == 404, url
    # Their neighbours' documents name only pathways, never the hidden badges.
    for shown in ("acquisitions", "cataloging", "preservation"):
        text = json.dumps(get_json(client, pathways[shown].url + name))
        assert "Unreleased" not in text and "Staff Matters" not in text


def test_documents_of_a_badge_that_is_not_shown_state_no_pathway(pathways):
    """A draft badge's documents (as a preview would build them) say nothing of its pathway:
    places_of counts only badges anyone may see."""
    request = RequestFactory().get("/")
    draft = pathways["draft"]
    assert openbadges.pathway_places_of(draft, request) == []
    assert "alignment" not in openbadges.badge_class(draft, request)
    assert "alignment" not in openbadges.achievement(draft, request)
    # The same call for a shown badge does state it (so the check above can fail).
    shown = openbadges.badge_class(pathways["acquisitions"], request)
    assert [alignment["targetCode"] for alignment in shown["alignment"]] == ["alcts-fundamentals"]


def test_places_passed_in_are_used_without_a_lookup(pathways):
    request = RequestFactory().get("/")
    badge = pathways["cataloging"]
    places = PathwayBadge.objects.places_of(badge, Site.find_for_request(request))
    assert [place.pathway.slug for place in places] == ["alcts-fundamentals", "basics"]
    entries_table = PathwayBadge._meta.db_table
    for build in (openbadges.badge_class, openbadges.achievement):
        with CaptureQueriesContext(connection) as queries:
            given = build(badge, request, pathway_places=places[1:])
            nothing = build(badge, request, pathway_places=[])
        assert not [query for query in queries if entries_table in query["sql"]]
        assert [alignment["targetCode"] for alignment in given["alignment"]] == ["basics"]
        assert "alignment" not in nothing
        assert build(badge, request)["alignment"][0]["targetCode"] == "alcts-fundamentals"


# The .json views, pinned so that a query per pathway shows up as a number that moved: the site,
# the badge page (find_page), its image, its issuer, its parent and the parent's specific row
# (index_page, for the issuer's Profile address), its skills, and its places in the pathways
# (PathwayBadge.objects.places_of): one query, however many pathways; the pathways' addresses
# are read from the badge's own URL, with none. The Achievement embeds the issuer's Profile,
# whose email (ALCTS has none) comes from its parent organisation: one more. Before pathways,
# each took one query less (7 and 8).
JSON_DOCUMENT_QUERIES = {"badgeclass.json": 8, "achievement.json": 9}


@pytest.mark.parametrize("name", ["badgeclass.json", "achievement.json"])
def test_documents_cost_the_same_queries_with_one_and_with_six_pathways(
    client, make_badge, make_pathway, issuers, name
):
    badge = make_badge("Fundamentals of Cataloging", issuer=issuers["alcts"])
    others = [make_badge(f"Other badge {number}") for number in range(4)]

    def count():
        client.get(badge.url + name)  # renditions are made on the first call
        with CaptureQueriesContext(connection) as queries:
            document = get_json(client, badge.url + name)
        return len(queries), len(document.get("alignment", []))

    make_pathway("Pathway 0", [others[0], badge, others[1]])
    assert count() == (JSON_DOCUMENT_QUERIES[name], 1)
    for number in range(1, 6):
        make_pathway(f"Pathway {number}", [badge, *others])
    assert count() == (JSON_DOCUMENT_QUERIES[name], 6)


# schema.org JSON-LD in the pages


def test_badge_page_credential_is_part_of_its_published_pathways(client, pathways):
    blocks = json_ld_blocks(client, pathways["cataloging"].url)
    credential = block_of_type(blocks, "EducationalOccupationalCredential")
    index = BASE + pathways["index_url"]
    assert credential["isPartOf"] == [
        f"{index}pathways/alcts-fundamentals/",
        f"{index}pathways/basics/",
    ]
    # A badge of no published pathway (only of the draft one) is part of nothing.
    outside = block_of_type(
        json_ld_blocks(client, pathways["outside"].url), "EducationalOccupationalCredential"
    )
    assert "isPartOf" not in outside
    assert "/secret/" not in json.dumps(blocks)


def test_pathway_page_item_list_holds_only_the_visible_badges_in_order(client, pathways):
    url = f"{pathways['index_url']}pathways/alcts-fundamentals/"
    item_list = block_of_type(json_ld_blocks(client, url), "ItemList")
    assert item_list["@context"] == "https://schema.org"
    assert item_list["url"] == BASE + url
    assert item_list["name"] == "ALCTS Fundamentals"
    assert item_list["description"] == DESCRIPTION
    assert item_list["itemListOrder"] == "https://schema.org/ItemListOrderAscending"
    shown = [pathways[name] for name in ("acquisitions", "cataloging", "preservation")]
    assert item_list["numberOfItems"] == 3
    elements = item_list["itemListElement"]
    assert [element["position"] for element in elements] == [1, 2, 3]
    assert [element["@type"] for element in elements] == ["ListItem"] * 3
    assert [element["item"]["name"] for element in elements] == [badge.title for badge in shown]
    assert [element["item"]["url"] for element in elements] == [BASE + b.url for b in shown]
    assert [element["item"]["@id"] for element in elements] == [
        BASE + badge.url + "#credential" for badge in shown
    ]
    text = json.dumps(item_list)
    assert "Unreleased" not in text and "Staff Matters" not in text
    # Each item's @id is the id of the credential on the badge's own page.
    credential = block_of_type(
        json_ld_blocks(client, shown[1].url), "EducationalOccupationalCredential"
    )
    assert credential["@id"] == elements[1]["item"]["@id"]


def test_a_draft_pathway_has_no_page(client, pathways):
    assert client.get(f"{pathways['index_url']}pathways/secret/").status_code == 404


# The Wagtail API: /api/v2/pathways/


def api_badges(pathways, *names):
    return [
        {
            "id": pathways[name].pk,
            "title": pathways[name].title,
            "url": BASE + pathways[name].url,
            "required": name != "preservation",
            "position": position,
        }
        for position, name in enumerate(names, start=1)
    ]


def test_api_lists_published_pathways_with_their_visible_badges_in_order(client, pathways):
    data = get_api(client, API)
    assert data["meta"]["total_count"] == 2
    fundamentals, basics = data["items"]
    pathway = pathways["fundamentals"]
    assert fundamentals["id"] == pathway.pk
    assert fundamentals["meta"]["type"] == "badges_cms.Pathway"
    assert fundamentals["meta"]["detail_url"].endswith(f"{API}{pathway.pk}/")
    assert fundamentals["title"] == "ALCTS Fundamentals"
    assert fundamentals["slug"] == "alcts-fundamentals"
    assert fundamentals["description"] == DESCRIPTION
    assert fundamentals["issuer"] == {
        "id": pathway.issuer_id,
        "name": "Association for Library Collections and Technical Services",
        "acronym": "ALCTS",
        "slug": "alcts",
        "kind": "division",
        "website": "",
    }
    # The draft and the private badge are left out, and the positions leave no gap for them.
    assert fundamentals["badges"] == api_badges(
        pathways, "acquisitions", "cataloging", "preservation"
    )
    assert basics["slug"] == "basics" and basics["issuer"] is None
    assert basics["badges"] == api_badges(pathways, "cataloging")
    text = json.dumps(data)
    assert "Secret" not in text and "Unreleased" not in text and "Staff Matters" not in text


def test_api_detail_answers_a_published_pathway_and_404_for_a_draft(client, admin_client, pathways):
    pathway = pathways["fundamentals"]
    detail = get_api(client, f"{API}{pathway.pk}/")
    listed = get_api(client, API)["items"][0]
    for field in ("id", "title", "slug", "description", "issuer", "badges"):
        assert detail[field] == listed[field], field
    secret = pathways["secret"]
    assert client.get(f"{API}{secret.pk}/").status_code == 404
    # Not even a superuser sees a draft through the public API.
    assert admin_client.get(f"{API}{secret.pk}/").status_code == 404
    assert [item["slug"] for item in get_api(admin_client, API)["items"]] == [
        "alcts-fundamentals",
        "basics",
    ]
    assert client.get(f"{API}find/?id={secret.pk}").status_code == 404
    # Unpublished since: gone from the listing and the detail.
    pathway.unpublish()
    assert client.get(f"{API}{pathway.pk}/").status_code == 404
    assert [item["slug"] for item in get_api(client, API)["items"]] == ["basics"]
    # Published at last: there.
    secret.save_revision().publish()
    assert get_api(client, f"{API}{secret.pk}/")["badges"] == [
        {**api_badges(pathways, "cataloging")[0], "position": 1},
        {**api_badges(pathways, "outside")[0], "position": 2},
    ]


def test_api_filters_by_slug_and_selects_fields(client, pathways):
    data = get_api(client, API + "?slug=basics&fields=_,id,title")
    assert data["meta"]["total_count"] == 1
    assert data["items"] == [{"id": pathways["basics"].pk, "title": "Basics of cataloging"}]
    by_issuer = get_api(client, f"{API}?issuer={pathways['fundamentals'].issuer_id}")
    assert [item["slug"] for item in by_issuer["items"]] == ["alcts-fundamentals"]
    backwards = get_api(client, API + "?order=-title")
    assert [item["slug"] for item in backwards["items"]] == ["basics", "alcts-fundamentals"]
    assert client.get(API + "?fields=colour").status_code == 400
    assert client.get(API + "?live=false").status_code == 400  # not a field of the API


def test_api_lists_the_badges_of_the_requests_site(client, make_badge, make_pathway, site_tree):
    """A pathway may hold badges of two sites: each site's API lists its own."""
    home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Other site", slug="other-home")
    )
    Site.objects.create(hostname="other.example", port=80, root_page=home, site_name="Other")
    other_index = home.add_child(instance=BadgeIndexPage(title="Other badges", slug="badges"))
    here = make_badge("Badge of this site")
    there = make_badge("Badge of the other site", parent=other_index)
    make_pathway("Across sites", [here, there], slug="across")
    (item,) = get_api(client, API)["items"]
    # With two sites, a page's .url is absolute: read its path.
    assert [(badge["title"], badge["url"]) for badge in item["badges"]] == [
        ("Badge of this site", BASE + urlsplit(here.url).path)
    ]
    (item,) = get_api(client, API, HTTP_HOST="other.example")["items"]
    assert [(badge["title"], badge["url"]) for badge in item["badges"]] == [
        ("Badge of the other site", "http://other.example/badges/badge-of-the-other-site/")
    ]
    assert item["badges"][0]["position"] == 1


# The listing, however many pathways and badges: the request's site, the count of published
# pathways, the page of pathways with their issuers, and their shown entries with the badges
# (one prefetch; the badges' URLs come from the site root paths, cached per process).
API_LISTING_QUERIES = 4


def test_api_listing_costs_the_same_queries_for_2_and_10_pathways(
    client, make_badge, make_pathway, issuers
):
    badges = [make_badge(f"Badge {number}", issuer=issuers["alcts"]) for number in range(6)]
    hidden = make_badge("Draft badge", publish=False)

    def count():
        client.get(API)  # fill per-process caches (the site root paths) before counting
        with CaptureQueriesContext(connection) as queries:
            data = get_api(client, API)
        return len(queries), len(data["items"]), sum(len(item["badges"]) for item in data["items"])

    for number in range(2):
        make_pathway(f"Pathway {number}", [badges[number], hidden, badges[number + 1]])
    with_2 = count()
    for number in range(2, 10):
        held = [*badges[: number % 6 + 1], hidden]
        make_pathway(f"Pathway {number}", held, issuer=issuers["ala"])
    with_10 = count()
    assert with_2[1:] == (2, 4)
    assert with_10[1:] == (10, 4 + sum(number % 6 + 1 for number in range(2, 10)))
    assert with_2[0] == with_10[0] == API_LISTING_QUERIES


@pytest.mark.parametrize(
    "name, check",
    [("badgeclass.json", rules.ob2_badge_class), ("achievement.json", rules.ob3_achievement)],
)
def test_the_rules_catch_an_alignment_without_its_target(client, pathways, name, check):
    document = get_json(client, pathways["cataloging"].url + name)
    del document["alignment"][0]["targetUrl"]
    assert check(document) == [
        f"{'BadgeClass' if name == 'badgeclass.json' else 'Achievement'}.alignment.targetUrl "
        "must be a URL"
    ]
