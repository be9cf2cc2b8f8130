"""The demo's groups and "Badge review" workflow: a new badge goes draft -> review -> published
through the admin's own views, and loading the demo again changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import GroupPagePermission, Workflow, WorkflowPage, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from badges_cms.models import BadgeIndexPage, BadgeIssuer, BadgePage
from home import demo_staff
from tests.factories import make_image
from tests.support.staff import make_user

pytestmark = pytest.mark.django_db


def load_demo():
    out = StringIO()
    call_command("load_demo_badges", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo():
    load_demo()
    return BadgeIndexPage.objects.get(slug="badges")


def staff_state():
    return {
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "group_permissions": Group.permissions.through.objects.count(),
        "page_permissions": GroupPagePermission.objects.count(),
        "workflows": Workflow.objects.count(),
        "assignments": list(WorkflowPage.objects.values_list("page_id", "workflow__name")),
    }


def test_the_demo_sets_up_the_groups_and_the_workflow_once(demo):
    state = staff_state()
    assert {"Editors", "Moderators", "Badge managers"} <= set(state["groups"])
    assert (demo.pk, "Badge review") in state["assignments"]
    task = Workflow.objects.get(name="Badge review").tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Moderators"]
    output = load_demo()
    assert staff_state() == state
    assert "staff: 0 groups, 0 permissions and 0 workflows created" in output


def test_an_index_with_another_workflow_keeps_it(demo):
    other = Workflow.objects.create(name="Legal review")
    WorkflowPage.objects.filter(page=demo).update(workflow=other)
    output = load_demo()
    assert WorkflowPage.objects.get(page=demo).workflow == other
    assert "Left the workflow “Legal review”" in output


def test_permissions_on_the_badge_index(demo):
    def page_permissions(group):
        return set(
            GroupPagePermission.objects.filter(group__name=group, page=demo).values_list(
                "permission__codename", flat=True
            )
        )

    assert page_permissions("Editors") == {"add_page", "change_page"}
    assert page_permissions("Badge managers") == {"add_page", "change_page"}
    assert {"publish_page", "lock_page", "unlock_page"} <= page_permissions("Moderators")
    editor, manager = make_user("editor"), make_user("manager")
    assert editor.has_perm("badges_cms.change_badgeissuer")
    assert not editor.has_perm("badges_cms.delete_badgeissuer")
    assert not editor.has_perm("badges_cms.run_credly_sync")
    assert manager.has_perm("badges_cms.run_credly_sync")
    assert manager.has_perm("badges_cms.view_issuance_report")
    assert manager.has_perm("badges_cms.view_credlysyncrun")


def badge_form(action, image, issuer, **fields):
    return nested_form_data(
        {
            "title": "Planning a Library Makerspace",
            "slug": "makerspace-planning",
            "summary": "Plan a makerspace that fits its community.",
            "badge_image": image.pk,
            "badge_image_alt": "An hourglass on a blue hexagon",
            "issuer": issuer.pk,
            "credit": rich_text("<p>Certifies planning and prioritising skills.</p>"),
            "criteria": rich_text("<p>Attend all four sessions and submit a weekly plan.</p>"),
            "skills": "Makerspaces, Planning",
            "body": streamfield([]),
            action: "go",
            **fields,
        }
    )


def test_draft_then_review_then_published_through_the_admin(client, demo):
    editor, moderator, manager = make_user("editor"), make_user("moderator"), make_user("manager")
    image, issuer = make_image("Makerspace badge"), BadgeIssuer.objects.get(slug="alcts")
    add_url = reverse("wagtailadmin_pages:add", args=("badges_cms", "badgepage", demo.pk))

    # 1. The editor saves a draft: not live, not in review.
    client.force_login(editor)
    response = client.post(add_url, badge_form("action-save", image, issuer))
    assert response.status_code == 302
    page = BadgePage.objects.get(slug="makerspace-planning")
    assert not page.live and not WorkflowState.objects.exists()
    assert page.title not in client.get(demo.url).content.decode()

    # 2. ...then submits it: the "Badge review" workflow starts, shown in the Badges listing.
    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = client.post(edit_url, badge_form("action-submit", image, issuer))
    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.workflow.name == "Badge review"
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    listing = client.get(reverse("badges_cms_badges:index"), {"status": "in_moderation"})
    assert "Planning a Library Makerspace" in listing.content.decode()

    # A badge manager may edit badges but cannot publish past the review.
    client.force_login(manager)
    client.post(edit_url, badge_form("action-publish", image, issuer))
    page.refresh_from_db()
    assert not page.live

    # 3. A moderator approves: the page is published.
    client.force_login(moderator)
    task_state = state.current_task_state
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)
    )
    response = client.post(approve_url, {"comment": "Reads well."})
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    state.refresh_from_db()
    assert page.live and state.status == WorkflowState.STATUS_APPROVED

    client.logout()
    assert "Planning a Library Makerspace" in client.get(demo.url).content.decode()


def test_an_editor_cannot_approve_their_own_badge(client, demo):
    editor = make_user("editor")
    image, issuer = make_image("Badge"), BadgeIssuer.objects.get(slug="alcts")
    client.force_login(editor)
    add_url = reverse("wagtailadmin_pages:add", args=("badges_cms", "badgepage", demo.pk))
    client.post(add_url, badge_form("action-submit", image, issuer))
    page = BadgePage.objects.get(slug="makerspace-planning")
    task_state = WorkflowState.objects.get(object_id=str(page.pk)).current_task_state
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)
    )
    client.post(approve_url, {"comment": "Fine by me."})
    page.refresh_from_db()
    assert not page.live


def test_the_groups_can_be_set_up_without_the_rest_of_the_demo(site_tree):
    # Wagtail's migrations made Editors and Moderators; the demo adds Badge managers.
    lines = demo_staff.load_staff(site_tree["index"])
    assert lines[0].startswith("staff: 1 groups") and lines[0].endswith("1 workflows created")
    assert demo_staff.load_staff(site_tree["index"]) == [
        "staff: 0 groups, 0 permissions and 0 workflows created"
    ]
