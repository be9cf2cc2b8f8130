"""An editor writes a badge in the admin and submits it; a moderator's approval publishes it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from badges_cms.models import BadgePage
from tests.factories import make_image

pytestmark = pytest.mark.django_db


def user_in(group_name, username):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw")
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_editor_submits_a_badge_and_the_moderators_approval_publishes_it(
    client, site_tree, issuers
):
    editor = user_in("Editors", "eddie")
    moderator = user_in("Moderators", "mona")
    image = make_image("Time management badge")
    client.force_login(editor)
    add_url = reverse(
        "wagtailadmin_pages:add", args=("badges_cms", "badgepage", site_tree["index"].pk)
    )
    assert client.get(add_url).status_code == 200
    data = nested_form_data(
        {
            "title": "Tactics for Time Management",
            "slug": "time-management",
            "summary": "Plan a working week that leaves room for projects.",
            "badge_image": image.pk,
            "badge_image_alt": "An hourglass on a blue hexagon",
            "issuer": issuers["alcts"].pk,
            "credit": rich_text("<p>Certifies planning and prioritising skills.</p>"),
            "criteria": rich_text(
                "<p>Attend all <b>four</b> sessions and <i>submit</i> a weekly plan.</p>"
            ),
            "skills": "Time management, Planning",
            "activity_type": "webinar",
            "activity_title": "Tactics for Time Management",
            "launched": "2017-05-01",
            "body": streamfield([]),
            "action-submit": "Submit for moderation",
        }
    )
    response = client.post(add_url, data)
    assert response.status_code == 302, response.context["form"].errors
    page = BadgePage.objects.get(slug="time-management")
    assert not page.live
    assert "<b>four</b>" in page.get_latest_revision_as_object().criteria
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    # Not on the public site while it waits.
    assert "Tactics for Time Management" not in client.get(site_tree["index"].url).content.decode()

    client.force_login(moderator)
    task_state = state.current_task_state
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)
    )
    response = client.post(approve_url, {"comment": "Looks right."})
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    state.refresh_from_db()
    assert page.live
    assert state.status == WorkflowState.STATUS_APPROVED
    assert page.criteria.count("<b>four</b>") == 1
    assert sorted(page.skills.names()) == ["Planning", "Time management"]

    client.logout()
    listing = client.get(site_tree["index"].url).content.decode()
    assert "Tactics for Time Management" in listing
    badge_html = client.get(page.url).content.decode()
    assert "submit</i> a weekly plan" in badge_html
    assert "An hourglass on a blue hexagon" in badge_html


def test_an_editor_cannot_publish_directly(client, site_tree, issuers):
    client.force_login(user_in("Editors", "eddie"))
    data = nested_form_data(
        {
            "title": "Sneaky",
            "slug": "sneaky",
            "summary": "Tries to skip review.",
            "badge_image": make_image().pk,
            "badge_image_alt": "Badge",
            "issuer": issuers["lita"].pk,
            "criteria": rich_text("<p>None.</p>"),
            "credit": rich_text(""),
            "skills": "",
            "body": streamfield([]),
            "action-publish": "Publish",
        }
    )
    add_url = reverse(
        "wagtailadmin_pages:add", args=("badges_cms", "badgepage", site_tree["index"].pk)
    )
    client.post(add_url, data)
    assert not BadgePage.objects.filter(slug="sneaky", live=True).exists()
