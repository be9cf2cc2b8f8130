"""Who may open which staff screen and use which action: the intended roles and nobody else.

Wagtail answers a denied admin request with a redirect: to the login page for anonymous
visitors, to the dashboard (with a message) for signed-in users without the permission.
"""

import pytest
from django.urls import reverse

from badges_cms.credly.standin import template_id
from badges_cms.models import BadgePage, CredlySyncRun
from tests.support.staff import ROLES

pytestmark = pytest.mark.django_db

EVERY_STAFF_ROLE = {"editor", "moderator", "manager", "superuser"}
MANAGERS = {"manager", "superuser"}

# name: (url builder, the roles that may open it)
SCREENS = {
    "badges listing": (lambda: reverse("badges_cms_badges:index"), EVERY_STAFF_ROLE),
    "badges listing results": (
        lambda: reverse("badges_cms_badges:index_results"),
        EVERY_STAFF_ROLE,
    ),
    "credly templates": (lambda: reverse("badges_cms_credly_templates:index"), EVERY_STAFF_ROLE),
    "credly template": (
        lambda: reverse("badges_cms_credly_templates:inspect", args=(template_id(1),)),
        EVERY_STAFF_ROLE,
    ),
    "import confirmation": (
        lambda: reverse("badges_cms_credly_templates:import", args=(template_id(3),)),
        EVERY_STAFF_ROLE,
    ),
    "sync log": (lambda: reverse("badges_cms_sync_log:index"), MANAGERS),
    "sync run": (
        lambda: reverse("badges_cms_sync_log:inspect", args=(CredlySyncRun.objects.get().pk,)),
        MANAGERS,
    ),
    "sync now confirmation": (lambda: reverse("badges_cms_sync_log:sync_now"), MANAGERS),
    "report": (lambda: reverse("badges_cms_report:index"), MANAGERS),
    "report csv": (lambda: reverse("badges_cms_report:index") + "?export=csv", MANAGERS),
    "report xlsx": (lambda: reverse("badges_cms_report:index") + "?export=xlsx", MANAGERS),
    "report per issuer": (lambda: reverse("badges_cms_report:issuers"), MANAGERS),
    "report per issuer csv": (
        lambda: reverse("badges_cms_report:issuers") + "?export=csv",
        MANAGERS,
    ),
    "report per issuer xlsx": (
        lambda: reverse("badges_cms_report:issuers") + "?export=xlsx",
        MANAGERS,
    ),
    "credly settings": (lambda: reverse("badges_cms_credly_settings:index"), MANAGERS),
}


def outcome(response):
    """ "ok", "login" (sent to sign in) or "denied" (sent to the dashboard)."""
    if response.status_code == 200:
        return "ok"
    assert response.status_code == 302, response.status_code
    if response.url.startswith(reverse("wagtailadmin_login")):
        return "login"
    assert response.url == reverse("wagtailadmin_home"), response.url
    return "denied"


def log_in(client, user):
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("role", ROLES)
def test_each_screen_opens_for_exactly_the_intended_roles(client, staff, synced, role):
    log_in(client, staff[role])
    refused = "login" if role == "anonymous" else "denied"
    got = {name: outcome(client.get(url())) for name, (url, _) in SCREENS.items()}
    expected = {
        name: ("ok" if role in allowed else refused) for name, (_, allowed) in SCREENS.items()
    }
    assert got == expected


@pytest.mark.parametrize("role", ROLES)
def test_sync_now_runs_only_for_badge_managers(client, staff, synced, role):
    log_in(client, staff[role])
    runs = CredlySyncRun.objects.count()
    response = client.post(reverse("badges_cms_sync_log:sync_now"))
    if role in MANAGERS:
        assert response.status_code == 302
        assert response.url == reverse("badges_cms_sync_log:index")
        run = CredlySyncRun.objects.latest()
        assert CredlySyncRun.objects.count() == runs + 1
        assert (run.trigger, run.status) == ("admin", "succeeded")
    else:
        assert outcome(response) == ("login" if role == "anonymous" else "denied")
        assert CredlySyncRun.objects.count() == runs


@pytest.mark.parametrize("role", ROLES)
def test_importing_a_template_needs_the_templates_and_a_page_permission(
    client, staff, synced, role
):
    log_in(client, staff[role])
    url = reverse("badges_cms_credly_templates:import", args=(template_id(3),))
    response = client.post(url)
    imported = BadgePage.objects.filter(credly_template_id=template_id(3)).first()
    if role in EVERY_STAFF_ROLE:
        assert imported is not None and not imported.live
        assert imported.owner == staff[role]
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_pages:edit", args=(imported.pk,))
    else:
        assert outcome(response) == "login"
        assert imported is None


@pytest.mark.parametrize("role", ["editor", "moderator", "manager"])
def test_a_user_without_page_permission_on_the_index_cannot_import(
    client, staff, synced, site_tree, role
):
    # Take away every page permission the user's group has (the demo's and Wagtail's own).
    group = staff[role].groups.get()
    group.page_permissions.all().delete()
    client.force_login(staff[role])
    url = reverse("badges_cms_credly_templates:import", args=(template_id(3),))
    assert outcome(client.post(url)) == "denied"
    assert not BadgePage.objects.filter(credly_template_id=template_id(3)).exists()


@pytest.mark.parametrize("role", ROLES)
def test_nobody_can_add_edit_or_delete_synced_data(client, staff, synced, role):
    log_in(client, staff[role])
    for prefix in ("/admin/credly/templates/", "/admin/credly/sync-log/"):
        pk = template_id(1) if "templates" in prefix else CredlySyncRun.objects.get().pk
        for path in ("new/", f"edit/{pk}/", f"delete/{pk}/", f"copy/{pk}/"):
            response = client.post(prefix + path, {"name": "changed"})
            assert response.status_code in (302, 404), (prefix + path, response.status_code)
            if response.status_code == 302:  # anonymous: sent to log in, before any routing
                assert outcome(response) == "login"
    assert CredlySyncRun.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_panel_and_its_button(client, staff, synced, role):
    log_in(client, staff[role])
    response = client.get(reverse("wagtailadmin_home"))
    if role == "anonymous":
        assert outcome(response) == "login"
        return
    html = response.content.decode()
    assert 'id="badges-cms-credly-section"' in html
    sync_now = reverse("badges_cms_sync_log:sync_now")
    assert (f'action="{sync_now}"' in html) == (role in MANAGERS)
    assert (reverse("badges_cms_sync_log:index") in html) == (role in MANAGERS)


@pytest.mark.parametrize("role", ROLES[1:])
def test_the_badges_menu_shows_what_each_role_may_open(client, staff, synced, role):
    client.force_login(staff[role])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    shown = {
        name
        for name, url in {
            "badges": reverse("badges_cms_badges:index"),
            "templates": reverse("badges_cms_credly_templates:index"),
            "sync log": reverse("badges_cms_sync_log:index"),
            "report": reverse("badges_cms_report:index"),
            "settings": reverse("badges_cms_credly_settings:index"),
        }.items()
        if f'"url": "{url}"' in html
    }
    expected = {"badges", "templates"}
    if role in MANAGERS:
        expected |= {"sync log", "report", "settings"}
    assert shown == expected
