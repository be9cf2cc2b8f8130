"""Every change is purged from the HTTP cache in front, after it commits, at every address that
shows it; a purge that fails is retried, recorded and shown, and never undoes the change."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, PageViewRestriction, Site

from badges_cms.blocks import BodyBlock
from badges_cms.credly.standin import make_template, template_id
from badges_cms.models import BadgeIndexPage, BadgePage, CredlySyncRun, FrontendCachePurge

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(make_badge, issuers, site_tree):
    badge = make_badge("Beyond Web Page Analytics", partner_issuers=[])
    other = make_badge("Collection Development", issuer=issuers["alcts"])
    return {**site_tree, "badge": badge, "other": other}


def committed(capture, action):
    with capture(execute=True):
        action()


def badge_addresses(badge):
    return {badge.url, badge.url + "badgeclass.json", badge.url + "achievement.json"}


LISTINGS = {"/", "/badges/", "/badges/feed/", "/badges/issuers/", "/sitemap.xml", "/api/v2/pages/"}


def test_a_publish_purges_the_page_its_documents_and_every_listing(
    site, purges, django_capture_on_commit_callbacks
):
    badge = site["badge"]
    purges.clear()
    committed(django_capture_on_commit_callbacks, lambda: badge.save_revision().publish())
    paths = purges.paths()
    assert badge_addresses(badge) <= paths
    assert LISTINGS <= paths
    assert {"/badges/issuers/lita/", "/badges/issuers/lita.json"} <= paths
    assert f"/api/v2/pages/{badge.pk}/" in paths
    assert {host for _, host, _ in purges.requests} == {"localhost"}
    assert all(method == "PURGE" for method, _, _ in purges.requests)
    assert FrontendCachePurge.objects.get().status == "succeeded"


def test_nothing_is_purged_before_the_commit(site, purges):
    purges.clear()
    site["badge"].save_revision().publish()  # inside the test's transaction: not committed
    assert purges.requests == []


def test_unpublish_and_delete_purge_the_page(site, purges, django_capture_on_commit_callbacks):
    badge = site["badge"]
    addresses = badge_addresses(badge)
    purges.clear()
    committed(django_capture_on_commit_callbacks, badge.unpublish)
    assert addresses | LISTINGS <= purges.paths()
    other = site["other"]
    addresses = badge_addresses(other)
    purges.clear()
    committed(django_capture_on_commit_callbacks, lambda: Page.objects.get(pk=other.pk).delete())
    assert addresses | {"/badges/"} <= purges.paths()


def test_a_slug_change_purges_the_old_addresses_too(
    site, purges, django_capture_on_commit_callbacks
):
    badge = site["badge"]
    old = badge_addresses(badge)
    badge.slug = "web-analytics"
    purges.clear()
    committed(django_capture_on_commit_callbacks, lambda: badge.save_revision().publish())
    badge.refresh_from_db()
    assert old | badge_addresses(badge) <= purges.paths()


def test_a_move_purges_the_old_and_new_addresses(site, purges, django_capture_on_commit_callbacks):
    second = site["home"].add_child(instance=BadgeIndexPage(title="More badges", slug="more"))
    second.save_revision().publish()
    badge = site["badge"]
    old = badge_addresses(badge)
    purges.clear()
    committed(django_capture_on_commit_callbacks, lambda: badge.move(second, "last-child"))
    badge.refresh_from_db()
    assert old | badge_addresses(badge) | {"/badges/", "/more/"} <= purges.paths()


def test_an_issuer_edit_purges_its_badges_and_issuer_pages(
    site, issuers, purges, django_capture_on_commit_callbacks
):
    lita = issuers["lita"]
    lita.name = "LITA, renamed"
    purges.clear()
    committed(django_capture_on_commit_callbacks, lita.save)
    paths = purges.paths()
    assert badge_addresses(site["badge"]) <= paths
    assert {"/badges/issuers/lita/", "/badges/issuers/lita.json", "/badges/"} <= paths
    assert not badge_addresses(site["other"]) & paths  # ALCTS's badge does not show LITA


def test_a_step_guide_edit_purges_every_badge_that_shows_it(
    site, purges, django_capture_on_commit_callbacks
):
    guide = site["guide"]
    guide.title = "Accept, then share"
    purges.clear()
    committed(django_capture_on_commit_callbacks, guide.save)
    paths = purges.paths()
    assert badge_addresses(site["badge"]) | badge_addresses(site["other"]) <= paths


def test_an_image_edit_purges_the_badges_showing_it(
    site, badge_image, purges, django_capture_on_commit_callbacks
):
    badge_image.title = "New alt"
    purges.clear()
    committed(django_capture_on_commit_callbacks, badge_image.save)
    assert badge_addresses(site["badge"]) | {"/badges/", "/"} <= purges.paths()


def test_a_site_edit_purges_the_whole_site(site, purges, django_capture_on_commit_callbacks):
    record = Site.objects.get(is_default_site=True)
    record.site_name = "Badges"
    purges.clear()
    committed(django_capture_on_commit_callbacks, record.save)
    paths = purges.paths()
    assert badge_addresses(site["badge"]) | badge_addresses(site["other"]) | LISTINGS <= paths


def test_a_view_restriction_purges_the_page_below_it(
    site, purges, django_capture_on_commit_callbacks
):
    badge = site["badge"]
    purges.clear()
    committed(
        django_capture_on_commit_callbacks,
        lambda: PageViewRestriction.objects.create(
            page=badge, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
        ),
    )
    assert badge_addresses(badge) | {"/badges/", "/"} <= purges.paths()


def test_a_page_holding_a_badge_card_is_purged_with_the_badge(
    site, purges, django_capture_on_commit_callbacks
):
    home = site["home"].specific
    home.body = BodyBlock().to_python([{"type": "badge_card", "value": site["badge"].pk}])
    committed(django_capture_on_commit_callbacks, lambda: home.save_revision().publish())
    badge = site["badge"]
    about = home.add_child(instance=Page(title="About", slug="about"))
    purges.clear()
    committed(django_capture_on_commit_callbacks, lambda: badge.save_revision().publish())
    assert "/" in purges.paths() and about.url not in purges.paths()


def test_a_failed_purge_is_retried_recorded_shown_and_undoes_nothing(
    site, purges, client, django_capture_on_commit_callbacks
):
    badge = site["badge"]
    badge.title = "Renamed badge"
    purges.refuse = True
    purges.clear()
    committed(django_capture_on_commit_callbacks, lambda: badge.save_revision().publish())
    assert BadgePage.objects.get(pk=badge.pk).title == "Renamed badge"
    attempts = [path for _, _, path in purges.requests if path == badge.url]
    assert len(attempts) == 3  # the first try and two retries
    record = FrontendCachePurge.objects.get()
    assert record.status == "failed" and "503" in record.message
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    dashboard = client.get("/admin/").content.decode()
    assert "could not be purged" in dashboard


def test_a_sync_purges_only_when_a_figure_changed(
    credly,  # noqa: F811
    purges,
    make_badge,
    django_capture_on_commit_callbacks,
):
    def sync():
        committed(
            django_capture_on_commit_callbacks,
            lambda: call_command("sync_credly_badges", stdout=StringIO()),
        )

    credly.templates = [make_template(1), make_template(2)]
    page = make_badge(credly_template_id=template_id(1))
    sync()
    assert badge_addresses(page) <= purges.paths()
    purges.clear()
    sync()  # nothing changed in Credly
    assert purges.requests == []
    credly.templates[1]["badges_count"] += 1  # a template without a page: nothing to purge
    sync()
    assert purges.requests == []
    credly.templates[0]["badges_count"] += 1
    sync()
    assert badge_addresses(page) <= purges.paths()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # a real commit
def test_a_sync_whose_purge_fails_succeeds_with_a_warning(
    credly,  # noqa: F811
    purges,
    make_badge,
    client,
):
    credly.templates = [make_template(1)]
    page = make_badge(credly_template_id=template_id(1))
    purges.refuse = True
    out = StringIO()
    call_command("sync_credly_badges", stdout=out)  # exit 0: no CommandError
    assert "The figures are saved, but the cached pages were not all refreshed" in out.getvalue()
    assert BadgePage.objects.get(pk=page.pk).issued_count == 3
    run = CredlySyncRun.objects.get()
    assert run.status == "succeeded" and "not all refreshed" in run.warning
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    dashboard = client.get("/admin/").content.decode()
    assert "The last sync saved its figures, but the cached pages were not all refreshed" in (
        dashboard
    )


def test_a_new_alias_is_purged_like_a_publish(site, purges, django_capture_on_commit_callbacks):
    second = site["home"].add_child(instance=BadgeIndexPage(title="More badges", slug="more"))
    second.save_revision().publish()
    badge = site["badge"]
    purges.clear()
    holder = {}
    committed(
        django_capture_on_commit_callbacks,
        lambda: holder.setdefault("alias", badge.create_alias(parent=second)),
    )
    alias = holder["alias"]
    assert badge_addresses(alias) | {"/more/", "/", "/sitemap.xml"} <= purges.paths()


def test_a_pathway_publish_purges_its_pages_and_its_badges_old_and_new(
    site, purges, make_pathway, make_badge, django_capture_on_commit_callbacks
):
    badge, other = site["badge"], site["other"]
    pathway = make_pathway("Fundamentals", [badge, other], slug="fundamentals")
    third = make_badge("Preservation basics")
    purges.clear()
    # The next version drops ``badge`` and adds ``third``: the dropped one said "1 of 2" too.
    pathway.entries = [
        pathway.entries.model(badge=other, sort_order=0),
        pathway.entries.model(badge=third, sort_order=1),
    ]
    revision = pathway.save_revision()
    committed(django_capture_on_commit_callbacks, revision.publish)
    paths = purges.paths()
    assert {"/badges/pathways/", "/badges/pathways/fundamentals/"} <= paths
    for each in (badge, other, third):
        assert badge_addresses(each) <= paths
    assert {"/badges/", "/api/v2/pathways/", f"/api/v2/pathways/{pathway.pk}/"} <= paths


def test_a_pathway_draft_purges_nothing_and_an_unpublish_purges_its_page(
    site, purges, make_pathway, django_capture_on_commit_callbacks
):
    pathway = make_pathway("Fundamentals", [site["badge"]], slug="fundamentals")
    purges.clear()
    pathway.title = "Fundamentals, renamed"
    committed(django_capture_on_commit_callbacks, pathway.save_revision)
    assert purges.requests == []
    committed(django_capture_on_commit_callbacks, pathway.unpublish)
    paths = purges.paths()
    assert "/badges/pathways/fundamentals/" in paths
    assert badge_addresses(site["badge"]) <= paths


def test_a_badge_publish_purges_the_pathway_pages_listing_it(
    site, purges, make_pathway, django_capture_on_commit_callbacks
):
    make_pathway("Fundamentals", [site["badge"]], slug="fundamentals")
    purges.clear()
    committed(django_capture_on_commit_callbacks, lambda: site["badge"].save_revision().publish())
    assert "/badges/pathways/fundamentals/" in purges.paths()


def test_a_badge_unpublished_purges_its_pathway_neighbours(
    site, purges, make_pathway, django_capture_on_commit_callbacks
):
    pathway = make_pathway("Fundamentals", [site["other"], site["badge"]], slug="fundamentals")
    purges.clear()
    # The first badge of the pathway names this one as next; it must not keep saying so.
    committed(django_capture_on_commit_callbacks, site["badge"].unpublish)
    paths = purges.paths()
    assert badge_addresses(site["other"]) <= paths
    assert f"/api/v2/pathways/{pathway.pk}/" in paths
