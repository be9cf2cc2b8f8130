"""Page-type rules, and that every page type routes, renders, edits and previews in the admin."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from badges_cms.models import BadgeIndexPage, BadgePage
from home.models import HomePage
from tests.factories import build_issuers, build_site_tree, make_image


class PageTypeRulesTests(WagtailPageTestCase):
    def test_home_page_only_under_the_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertCanNotCreateAt(HomePage, HomePage)

    def test_badge_index_holds_only_badge_pages(self):
        self.assertAllowedSubpageTypes(BadgeIndexPage, {BadgePage})
        self.assertCanCreateAt(HomePage, BadgeIndexPage)

    def test_badge_pages_live_only_below_an_index_and_hold_nothing(self):
        self.assertAllowedParentPageTypes(BadgePage, {BadgeIndexPage})
        self.assertAllowedSubpageTypes(BadgePage, set())
        self.assertCanNotCreateAt(HomePage, BadgePage)


class EveryPageTypeWorksInTheAdminTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        tree = build_site_tree()
        issuers = build_issuers()
        badge = tree["index"].add_child(
            instance=BadgePage(
                title="Beyond Web Page Analytics",
                summary="Measure more than page views.",
                criteria="<p>Attend both sessions.</p>",
                issuer=issuers["lita"],
                badge_image=make_image(),
                badge_image_alt="Analytics badge",
            )
        )
        badge.save_revision().publish()
        cls.pages = [tree["home"], tree["index"], badge]
        cls.admin = get_user_model().objects.create_superuser("admin", "a@example.org", "pw")

    def form_data(self, page):
        page = page.specific
        data = {
            "title": page.title,
            "slug": page.slug,
            "body": streamfield([("paragraph", rich_text("<p>Edited in the admin.</p>"))]),
        }
        if isinstance(page, HomePage):
            data.update(intro=rich_text("<p>Welcome.</p>"), newest_badges_count=4)
        elif isinstance(page, BadgeIndexPage):
            data.update(intro=rich_text("<p>All badges.</p>"), accept_guide="")
        else:
            data.update(
                summary=page.summary,
                badge_image=page.badge_image_id,
                badge_image_alt=page.badge_image_alt,
                issuer=page.issuer_id,
                credit=rich_text("<p>Analytics practice.</p>"),
                criteria=rich_text("<p>Attend both sessions.</p>"),
                skills="Web analytics, Assessment",
                activity_type="webinar",
                activity_title="Beyond page views",
                activity_start="2017-03-01",
                activity_end="2017-03-08",
                launched="2017-03-15",
            )
        return nested_form_data(data)

    def test_routable_renderable_editable_and_previewable(self):
        for page in self.pages:
            with self.subTest(page=page.specific_class.__name__):
                data = self.form_data(page)
                self.assertPageIsRoutable(page)
                self.assertPageIsRenderable(page)
                self.assertPageIsEditable(page, post_data=data, user=self.admin)
                self.assertPageIsPreviewable(page, post_data=data, user=self.admin)


@pytest.mark.django_db
def test_admin_form_rejects_a_badge_without_criteria_or_alt_text(admin_client, site_tree, issuers):
    image = make_image("Badge art")
    data = nested_form_data(
        {
            "title": "Incomplete badge",
            "slug": "incomplete-badge",
            "summary": "Missing its criteria.",
            "badge_image": image.pk,
            "badge_image_alt": "",
            "issuer": issuers["lita"].pk,
            "criteria": rich_text(""),
            "credit": rich_text(""),
            "skills": "",
            "body": streamfield([]),
            "action-publish": "publish",
        }
    )
    url = f"/admin/pages/add/badges_cms/badgepage/{site_tree['index'].pk}/"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "criteria" in form.errors
    assert "badge_image_alt" in form.errors
    assert not BadgePage.objects.filter(slug="incomplete-badge").exists()


@pytest.mark.django_db
def test_copying_a_badge_leaves_out_its_credly_template(make_badge, site_tree):
    page = make_badge(credly_template_id="6bd1c2d4-9c5a-4c1e-8f4e-1c3b2a1d0e9f")
    copy = page.copy(update_attrs={"slug": "copy-of-badge", "title": "Copy"})
    assert copy.specific.credly_template_id is None
    assert page.credly_template_id is not None
