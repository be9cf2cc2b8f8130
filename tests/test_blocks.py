"""Body blocks: a Credly embed stores a validated id and renders fixed markup, with embed.js
once per page; badge cards and lists read the catalogue like its listings do, in a fixed number
of queries; the how-to-accept block reuses the catalogue's steps."""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from wagtail import blocks
from wagtail.models import Page, PageViewRestriction, Site

from badges_cms.blocks import (
    BadgeCardBlock,
    BadgeListBlock,
    BodyBlock,
    CredlyBadgeEmbedBlock,
    HowToAcceptBlock,
)
from badges_cms.models import BadgeIndexPage, BadgePage, CredlyBadgeTemplate
from home.models import HomePage
from tests.factories import make_image

pytestmark = pytest.mark.django_db

BADGE_ID = "90ea8865-ec5d-44cd-b8d3-aacd4ef9502c"
OTHER_ID = "23493415-d092-4884-88bf-917e3dc450e3"
SNIPPET = (
    '<div data-iframe-width="150" data-iframe-height="270" '
    f'data-share-badge-id="{BADGE_ID.upper()}" data-share-badge-host="https://www.credly.com">'
    '</div><script type="text/javascript" async '
    'src="//cdn.credly.com/assets/utilities/embed.js"></script>'
)
EMBED_JS = '<script src="https://cdn.credly.com/assets/utilities/embed.js" defer></script>'


def a_request():
    return RequestFactory().get("/")


def render(block, raw, request=None):
    return block.render(block.to_python(raw), context={"request": request or a_request()})


def embed(badge_id=BADGE_ID, size="standard", caption=""):
    return {"badge_id": badge_id, "size": size, "caption": caption}


# The Credly badge block


def test_the_paste_is_stored_as_the_normalised_id_only():
    block = CredlyBadgeEmbedBlock()
    value = block.clean(block.to_python(embed(badge_id=SNIPPET, caption="Ana Ruiz")))
    assert block.get_prep_value(value) == embed(caption="Ana Ruiz")
    assert block.get_api_representation(value) == embed(caption="Ana Ruiz")


def test_a_hostile_paste_is_refused_on_the_field_with_the_editors_message():
    block = CredlyBadgeEmbedBlock()
    with pytest.raises(blocks.StructBlockValidationError) as raised:
        block.clean(block.to_python(embed(badge_id='<img src=x onerror="alert(1)">')))
    (message,) = raised.value.block_errors["badge_id"].messages
    assert message.startswith("The embed code contains <img>, which Credly's embed code does not")


def test_a_missing_badge_says_what_to_paste():
    block = CredlyBadgeEmbedBlock()
    with pytest.raises(blocks.StructBlockValidationError) as raised:
        block.clean(block.to_python(embed(badge_id="")))
    (message,) = raised.value.block_errors["badge_id"].messages
    assert message.startswith("Paste the badge's embed code from Credly")


def test_script_mode_renders_credlys_div_a_link_without_javascript_and_the_script():
    html = render(CredlyBadgeEmbedBlock(), embed(caption="Ana Ruiz"))
    assert (
        f'<div data-iframe-width="150" data-iframe-height="270" data-share-badge-id="{BADGE_ID}" '
        'data-share-badge-host="https://www.credly.com"></div>'
    ) in html
    assert f'href="https://www.credly.com/badges/{BADGE_ID}"' in html
    assert "Ana Ruiz" in html
    assert html.count(EMBED_JS) == 1
    assert "<iframe" not in html and "style=" not in html


@override_settings(BADGES_CMS_CREDLY_EMBED_MODE="iframe")
def test_iframe_mode_frames_the_badge_directly_with_a_title_and_no_script():
    html = render(CredlyBadgeEmbedBlock(), embed(size="large", caption="Ana Ruiz"))
    assert (
        f'<iframe src="https://www.credly.com/embedded_badge/{BADGE_ID}" width="300" '
        'height="540" title="Ana Ruiz: a digital badge on Credly"'
    ) in html
    assert f'href="https://www.credly.com/badges/{BADGE_ID}"' in html
    assert "<script" not in html and "data-share-badge-id" not in html


@override_settings(BADGES_CMS_CREDLY_EMBED_MODE="iframe")
def test_an_uncaptioned_frame_still_has_a_meaningful_title():
    html = render(CredlyBadgeEmbedBlock(), embed())
    assert 'title="A digital badge on Credly"' in html


def test_captions_are_escaped():
    html = render(CredlyBadgeEmbedBlock(), embed(caption='<script>alert("x")</script>'))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_draft_without_a_badge_renders_nothing():
    assert render(CredlyBadgeEmbedBlock(), embed(badge_id="")).strip() == ""


@override_settings(BADGES_CMS_CREDLY_EMBED_MODE="inline")
def test_an_unknown_embed_mode_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="BADGES_CMS_CREDLY_EMBED_MODE"):
        render(CredlyBadgeEmbedBlock(), embed())


def test_embed_js_is_written_once_however_many_embeds_a_page_holds():
    body = BodyBlock()
    raw = [
        {"type": "credly_badge", "value": embed()},
        {"type": "paragraph", "value": "<p>Between the badges.</p>"},
        {"type": "credly_badge", "value": embed(badge_id=OTHER_ID, size="large")},
        {"type": "credly_badge", "value": embed()},
    ]
    html = render(body, raw)
    assert html.count("cdn.credly.com") == 1
    assert html.count(EMBED_JS) == 1
    assert html.count("data-share-badge-id=") == 3
    # The script comes after the first embed and, being deferred, runs once all are parsed.
    assert html.index(f'data-share-badge-id="{BADGE_ID}"') < html.index(EMBED_JS)


def test_each_request_gets_its_own_copy_of_embed_js():
    block = CredlyBadgeEmbedBlock()
    assert EMBED_JS in render(block, embed(), a_request())
    assert EMBED_JS in render(block, embed(), a_request())
    request = a_request()
    render(block, embed(), request)
    assert EMBED_JS not in render(block, embed(), request)


# Badge cards and lists


@pytest.fixture
def catalogue(make_badge, issuers):
    pages = {
        "analytics": make_badge(
            "Beyond Web Page Analytics",
            launched=date(2016, 11, 7),
            skills=["Web analytics"],
            credly_template_id="90ea8865-ec5d-44cd-b8d3-aacd4ef9502c",
        ),
        "collections": make_badge(
            "Fundamentals of Collection Development",
            issuer=issuers["alcts"],
            launched=date(2016, 12, 5),
            skills=["Collection development"],
            credly_template_id="23493415-d092-4884-88bf-917e3dc450e3",
        ),
        "rda": make_badge(
            "RDA Serials Cataloging Update",
            issuer=issuers["alcts"],
            launched=date(2017, 6, 12),
            skills=["Metadata"],
        ),
        "draft": make_badge("An unpublished badge", issuer=issuers["alcts"], publish=False),
    }
    for page, count in ((pages["analytics"], 40), (pages["collections"], 75)):
        CredlyBadgeTemplate.objects.create(
            id=page.credly_template_id,
            name=page.title,
            state="active",
            badges_count=count,
            synced_at="2026-11-01T00:00:00Z",
            last_seen_at="2026-11-01T00:00:00Z",
        )
    return pages


def titles_in(html, pages):
    """The badges' titles in the order the rendered HTML shows them."""
    found = [(html.index(page.title), page.title) for page in pages if page.title in html]
    return [title for _, title in sorted(found)]


def badge_list(**value):
    return {"heading": "", "issuer": None, "skill": "", "order": "newest", "limit": 6, **value}


def test_a_badge_card_shows_the_badge_as_listings_do(catalogue):
    html = render(BadgeCardBlock(), {"badge": catalogue["collections"].pk})
    assert '<div class="badge-block">' in html
    assert f'<a href="{catalogue["collections"].url}">' in html
    assert '<h3 class="badge-card__title">' in html
    assert "Issued 75 times" in html


def test_a_card_for_an_unpublished_or_private_badge_renders_nothing(catalogue):
    assert render(BadgeCardBlock(), {"badge": catalogue["draft"].pk}).strip() == ""
    restricted = catalogue["rda"]
    PageViewRestriction.objects.create(page=restricted, restriction_type="login")
    assert render(BadgeCardBlock(), {"badge": restricted.pk}).strip() == ""


def test_a_list_of_one_issuers_badges_newest_first(catalogue, issuers):
    html = render(BadgeListBlock(), badge_list(heading="From ALCTS", issuer=issuers["alcts"].pk))
    assert "<h2>From ALCTS</h2>" in html
    assert titles_in(html, catalogue.values()) == [
        "RDA Serials Cataloging Update",
        "Fundamentals of Collection Development",
    ]


def test_a_list_of_the_most_issued_badges_with_a_limit(catalogue):
    html = render(BadgeListBlock(), badge_list(order="issued", limit=2))
    assert titles_in(html, catalogue.values()) == [
        "Fundamentals of Collection Development",
        "Beyond Web Page Analytics",
    ]
    # More badges match than are shown: the list links to all of them on the index.
    assert 'href="/badges/?sort=issued"' in html


def test_a_list_for_one_skill(catalogue):
    choices = dict(BadgeListBlock().child_blocks["skill"].field.choices)
    assert choices["web-analytics"] == "Web analytics"
    html = render(BadgeListBlock(), badge_list(skill="web-analytics"))
    assert titles_in(html, catalogue.values()) == ["Beyond Web Page Analytics"]
    assert "See all" not in html  # every matching badge is already shown


def test_an_empty_list_renders_nothing(catalogue):
    assert render(BadgeListBlock(), badge_list(skill="no-such-skill")).strip() == ""


def test_a_list_shows_only_the_requesting_sites_badges(catalogue, make_badge, site_tree):
    other_home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Another association", slug="other")
    )
    Site.objects.create(hostname="other.example", root_page=other_home)
    other_index = other_home.add_child(instance=BadgeIndexPage(title="Badges", slug="badges"))
    make_badge("A badge of another site", parent=other_index)
    html = render(BadgeListBlock(), badge_list(limit=24))
    assert "A badge of another site" not in html
    assert "Beyond Web Page Analytics" in html
    other_request = RequestFactory().get("/", HTTP_HOST="other.example")
    html = render(BadgeListBlock(), badge_list(limit=24), other_request)
    assert titles_in(html, catalogue.values()) == []
    assert "A badge of another site" in html


def count_list_queries(value):
    block = BadgeListBlock()
    render(block, value)  # makes the card renditions of new images, which is not listing cost
    with CaptureQueriesContext(connection) as queries:
        html = render(block, value)
    return len(queries), html.count('class="badge-card"')


def test_a_list_costs_the_same_queries_for_two_badges_or_twelve(make_badge, issuers):
    value = badge_list(issuer=issuers["lita"].pk, order="issued", limit=24)
    for number in range(2):
        make_badge(f"Badge {number}", badge_image=make_image(f"Art {number}"), skills=["A", "B"])
    few, shown = count_list_queries(value)
    assert shown == 2
    for number in range(2, 12):
        make_badge(f"Badge {number}", badge_image=make_image(f"Art {number}"), skills=["A", "C"])
    many, shown = count_list_queries(value)
    assert shown == 12
    assert many == few


# How to accept a badge, and where the blocks are offered


def test_the_how_to_accept_block_shows_the_chosen_guide(site_tree):
    html = render(HowToAcceptBlock(), {"guide": site_tree["guide"].pk})
    assert '<section class="step-guide"' in html
    assert "How to accept and share your badge" in html
    assert "<h3>Make a free Credly account</h3>" in html


@pytest.mark.parametrize("model", [HomePage, BadgeIndexPage, BadgePage])
def test_every_page_body_offers_the_badge_blocks(model):
    offered = model._meta.get_field("body").stream_block.child_blocks
    assert isinstance(offered["credly_badge"], CredlyBadgeEmbedBlock)
    assert isinstance(offered["badge_card"], BadgeCardBlock)
    assert isinstance(offered["badge_list"], BadgeListBlock)
    assert isinstance(offered["how_to_accept"], HowToAcceptBlock)
