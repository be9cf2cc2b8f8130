"""The Credly templates screen: which templates have no badge page, and importing one as a draft
from what Credly says now, never from our stored row alone."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from badges_cms.credly.standin import make_template, template_id
from badges_cms.models import BadgeIndexPage, BadgePage, CredlyBadgeTemplate
from tests.support.staff import sync

pytestmark = pytest.mark.django_db

INDEX = "badges_cms_credly_templates:index"


def import_url(number):
    return reverse("badges_cms_credly_templates:import", args=(template_id(number),))


def messages_of(response):
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


def test_the_listing_shows_which_templates_have_no_page(client, staff, synced):
    client.force_login(staff["editor"])
    html = client.get(reverse(INDEX)).content.decode()
    table = html[html.index('<table class="listing') :].split("</table>")[0]
    assert table.count("No page yet") == 2
    assert table.count(' action="/admin/credly/templates/import/') == 2
    assert "Beyond Web Page Analytics" in html  # the linked page's title
    only_missing = client.get(reverse(INDEX), {"badge_page": "no"}).content.decode()
    assert "Example Badge 3" in only_missing and "Example Badge 1" not in only_missing


def test_the_listing_costs_no_query_per_row(client, staff, synced):
    client.force_login(staff["editor"])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(INDEX))
    synced["credly"].templates += [make_template(i, image_url="") for i in range(5, 25)]
    sync()
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse(INDEX)).content.decode()
    assert html.count("Example Badge") >= 24
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_import_uses_what_credly_says_now(client, staff, synced):
    credly = synced["credly"]
    # Credly renamed the template and rewrote its description since our last sync.
    credly.templates[2].update(
        name="Cataloging <Basics> Renamed",
        description="Catalog twenty items. <script>alert(1)</script>",
        skills=["Cataloging"],
    )
    client.force_login(staff["editor"])
    response = client.post(import_url(3), {"next": reverse(INDEX)})
    page = BadgePage.objects.get(credly_template_id=template_id(3))
    assert response.url == reverse("wagtailadmin_pages:edit", args=(page.pk,))
    assert page.title == "Cataloging <Basics> Renamed"
    draft = page.get_latest_revision_as_object()
    assert "Catalog twenty items." in draft.criteria and "<script" not in draft.criteria
    assert list(page.skills.names()) == ["Cataloging"]
    assert not page.live and page.owner == staff["editor"]
    assert page.latest_revision.user == staff["editor"]
    assert any(path.endswith(f"/badge_templates/{template_id(3)}") for path in paths(credly))
    # Our stored row keeps the last sync's figures until the next sync.
    assert CredlyBadgeTemplate.objects.get(pk=template_id(3)).name == "Example Badge 3"
    assert "created from Credly" in messages_of(response)[0]


def paths(credly):
    return [request.path for request in credly.requests]


def test_the_image_comes_from_the_allowed_host(client, staff, synced, image_host):
    synced["credly"].templates[3]["image_url"] = f"{image_host}/images/4.png"
    client.force_login(staff["editor"])
    client.post(import_url(4))
    page = BadgePage.objects.get(credly_template_id=template_id(4))
    draft = page.get_latest_revision_as_object()
    assert draft.badge_image is not None and draft.badge_image_alt
    assert {revision.user for revision in page.revisions.all()} == {staff["editor"]}


def test_an_image_from_elsewhere_is_left_out_with_a_warning(client, staff, synced):
    synced["credly"].templates[3]["image_url"] = "https://images.evil.example/4.png"
    client.force_login(staff["editor"])
    response = client.post(import_url(4), follow=True)
    assert BadgePage.objects.filter(credly_template_id=template_id(4)).exists()
    assert any("not in CREDLY_IMAGE_HOSTS" in message for message in messages_of(response))


def test_a_template_credly_no_longer_has_is_not_imported(client, staff, synced):
    synced["credly"].templates.pop(2)
    client.force_login(staff["editor"])
    response = client.post(import_url(3), {"next": reverse(INDEX)})
    assert response.url == reverse(INDEX)
    assert messages_of(response) == ["Credly no longer has this template."]
    assert not BadgePage.objects.filter(credly_template_id=template_id(3)).exists()


def test_credly_unreachable_or_unconfigured_changes_nothing(client, staff, synced, settings):
    synced["credly"].add_fault("badge_templates/", status=503, times=None)
    client.force_login(staff["editor"])
    response = client.post(import_url(3))
    assert "Credly could not be asked" in messages_of(response)[0]
    settings.CREDLY_API_TOKEN = ""
    response = client.post(import_url(3))
    assert "Credly is not configured" in messages_of(response)[-1]
    assert not BadgePage.objects.filter(credly_template_id=template_id(3)).exists()


def test_a_template_that_already_has_a_page_is_refused(client, staff, synced):
    client.force_login(staff["editor"])
    response = client.post(import_url(1))
    assert "already uses this template" in messages_of(response)[0]
    assert BadgePage.objects.filter(credly_template_id=template_id(1)).count() == 1


def test_with_several_indexes_the_user_chooses_one(client, staff, synced, site_tree):
    other = site_tree["home"].add_child(
        instance=BadgeIndexPage(title="Archived badges", slug="archive")
    )
    client.force_login(staff["superuser"])
    response = client.post(import_url(3))
    assert response.status_code == 200  # asks where, creates nothing yet
    assert "Choose the badge index" in response.content.decode()
    assert not BadgePage.objects.filter(credly_template_id=template_id(3)).exists()
    client.post(import_url(3), {"index": other.pk})
    page = BadgePage.objects.get(credly_template_id=template_id(3))
    assert page.get_parent().pk == other.pk


def test_an_editor_only_sees_indexes_they_may_add_to(client, staff, synced, site_tree):
    site_tree["home"].add_child(instance=BadgeIndexPage(title="Archived badges", slug="archive"))
    # Editors' permissions are on the demo index (and Wagtail's on the root); drop the root's.
    group = staff["editor"].groups.get()
    group.page_permissions.exclude(page=site_tree["index"]).delete()
    client.force_login(staff["editor"])
    client.post(import_url(3))  # one index to choose from: no question asked
    page = BadgePage.objects.get(credly_template_id=template_id(3))
    assert page.get_parent().pk == site_tree["index"].pk


def test_the_import_needs_a_csrf_token(staff, synced):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["editor"])
    assert client.post(import_url(3)).status_code == 403
    page = client.get(reverse(INDEX)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(import_url(3), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert BadgePage.objects.filter(credly_template_id=template_id(3)).exists()


def test_the_inspect_view_shows_the_figures(client, staff, synced):
    client.force_login(staff["editor"])
    url = reverse("badges_cms_credly_templates:inspect", args=(template_id(4),))
    html = client.get(url).content.decode()
    assert "Example Badge 4" in html and "12" in html
    assert "/admin/credly/templates/edit/" not in html
    assert "/admin/credly/templates/delete/" not in html
