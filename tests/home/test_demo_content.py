"""`load_demo_badges` builds the pilot's site and is safe to re-run; `create_local_admin`
prints a working password once."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from badges_cms.models import (
    BadgeIndexPage,
    BadgeIssuer,
    BadgePage,
    BadgeSkill,
    Pathway,
    PathwayBadge,
    StepGuide,
)
from home import demo_content as demo
from home.models import HomePage

pytestmark = pytest.mark.django_db

PARTNER_SLUGS = ["alcts", "lita", "pla", "ppo", "emerging-leaders", "spectrum"]


def load():
    out = StringIO()
    call_command("load_demo_badges", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "images": get_image_model().objects.count(),
        "issuers": BadgeIssuer.objects.count(),
        "guides": StepGuide.objects.count(),
        "sites": Site.objects.count(),
        "skills": BadgeSkill.objects.count(),
        "pathways": Pathway.objects.count(),
        "pathway badges": PathwayBadge.objects.count(),
        "live": Page.objects.live().count(),
    }


def first_item_text(html):
    """The words of the first list item, as they appear in the rendered page."""
    return re.sub(r"<[^>]+>", "", re.search(r"<li>(.*?)</li>", html).group(1))


@pytest.fixture
def demo_site():
    load()
    home = HomePage.objects.get()
    index = BadgeIndexPage.objects.child_of(home).get(slug="badges")
    return {"home": home, "index": index}


def test_the_home_page_replaces_wagtails_welcome_page(demo_site):
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific == demo_site["home"]
    assert (site.hostname, site.port) == ("localhost", 80)
    assert not Page.objects.filter(title=demo.WELCOME_PAGE_TITLE).exists()
    assert Page.objects.filter(depth=2).count() == 1
    assert Page.find_problems() == ([], [], [], [], [])


def test_the_index_lists_the_five_pilot_badges(demo_site):
    index = demo_site["index"]
    assert index.live and index.show_in_menus
    assert index.accept_guide.slug == "accept-and-share"
    badges = BadgePage.objects.child_of(index).live().select_related("issuer", "badge_image")
    assert sorted(badge.title for badge in badges) == sorted(spec.title for spec in demo.BADGES)
    assert BadgePage.objects.count() == 5
    for badge in badges:
        assert badge.issuer.slug in {"lita", "alcts"}
        assert badge.badge_image is not None
        assert badge.badge_image_alt.strip()
        assert badge.criteria.strip()
        assert len(badge.summary) <= 300
        assert 3 <= badge.skills.count() <= 5
        assert badge.latest_revision is not None
        assert badge.activity_start.year in (2016, 2017)
        assert badge.partner_issuers.filter(slug=demo.CENTER_SLUG).exists()
        badge.full_clean()
    # Every pilot badge is linked to its template, which the demo's Credly serves figures for.
    linked = BadgePage.objects.exclude(credly_template_id=None)
    assert set(linked.values_list("credly_template_id", flat=True)) == {
        demo.BEYOND_WEB_ANALYTICS_TEMPLATE_ID,
        demo.COLLECTION_DEVELOPMENT_TEMPLATE_ID,
        demo.ELECTRONIC_RESOURCES_TEMPLATE_ID,
        demo.TIME_MANAGEMENT_TEMPLATE_ID,
        demo.RDA_SERIALS_TEMPLATE_ID,
    }
    # Each badge has its own picture.
    assert len({badge.badge_image.file_hash for badge in badges}) == 5


def test_partner_issuers_belong_to_ala(demo_site):
    ala = BadgeIssuer.objects.get(slug="ala")
    assert ala.kind == "association" and ala.parent is None
    center = BadgeIssuer.objects.get(slug=demo.CENTER_SLUG)
    assert (center.kind, center.parent) == ("center", ala)
    partners = BadgeIssuer.objects.filter(slug__in=PARTNER_SLUGS)
    assert partners.count() == 6
    assert {partner.parent for partner in partners} == {ala}
    assert {partner.kind for partner in partners} == {"division", "office", "programme"}
    for issuer in BadgeIssuer.objects.all():
        assert issuer.website.startswith("https://www.ala.org/")
        assert issuer.contact_email and issuer.description


def test_the_demo_has_the_alcts_fundamentals_pathway(client, demo_site):
    pathway = Pathway.objects.get(slug="alcts-fundamentals")
    assert pathway.live and pathway.issuer.slug == "alcts"
    entries = pathway.entries.order_by("sort_order")
    assert [(entry.badge.slug, entry.required) for entry in entries] == demo.PATHWAY_BADGES
    response = client.get(f"{demo_site['index'].url}pathways/alcts-fundamentals/")
    assert response.status_code == 200
    assert "Step 3 of 3 · Elective" in response.content.decode()
    first = BadgePage.objects.get(slug=demo.PATHWAY_BADGES[0][0])
    html = client.get(first.url).content.decode()
    assert "badge 1 of 3" in html and "Fundamentals of Electronic Resources" in html


def test_a_second_run_changes_nothing(demo_site):
    before = snapshot()
    output = load()
    assert snapshot() == before
    assert "0 created" in output and "already present" in output


def test_pages_answer_and_show_criteria_and_guide(client, demo_site):
    home = client.get(demo_site["home"].url)
    assert home.status_code == 200
    assert demo_site["index"].url in home.content.decode()  # the call to action

    index = client.get(demo_site["index"].url)
    assert index.status_code == 200

    guide = StepGuide.objects.get(slug="accept-and-share")
    for spec in demo.BADGES:
        page = BadgePage.objects.get(slug=spec.slug)
        response = client.get(page.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert first_item_text(spec.criteria) in html
        assert page.badge_image_alt in html
        for step in guide.steps:
            assert step.value["heading"] in html
        assert spec.title in index.content.decode()


def test_an_edited_welcome_page_is_kept():
    welcome = Page.objects.get(title=demo.WELCOME_PAGE_TITLE)
    welcome.save_revision()
    load()
    assert Page.objects.filter(pk=welcome.pk).exists()
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)


def run_create_local_admin(*args):
    out = StringIO()
    call_command("create_local_admin", *args, stdout=out)
    return out.getvalue()


def test_create_local_admin_prints_a_working_password_once():
    output = run_create_local_admin()
    password = re.search(r"^password: (\S+)$", output, re.MULTILINE).group(1)
    assert "Sign in at http://testserver/admin/" in output  # WAGTAILADMIN_BASE_URL
    user = authenticate(username="admin", password=password)
    assert user is not None and user.is_superuser and user.is_staff

    again = run_create_local_admin()
    assert "already exists" in again and "changepassword admin" in again
    assert password not in again and "password:" not in again
    assert authenticate(username="admin", password=password) is not None


def test_create_local_admin_never_reuses_a_password():
    first = run_create_local_admin("--username", "editor-one")
    second = run_create_local_admin("--username", "editor-two")
    passwords = [re.search(r"password: (\S+)", text).group(1) for text in (first, second)]
    assert passwords[0] != passwords[1]
    assert get_user_model().objects.filter(is_superuser=True).count() == 2
