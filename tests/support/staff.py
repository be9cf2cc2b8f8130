"""Staff users in the demo's groups, and a site whose figures came from a real sync run against
the Credly stand-in (badges_cms/credly/standin.py)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from badges_cms.credly.standin import make_template, template_id
from badges_cms.models import CredlySyncRun
from home import demo_staff

ROLES = ("anonymous", "editor", "moderator", "manager", "superuser")
GROUP_OF_ROLE = {
    "editor": demo_staff.EDITORS,
    "moderator": demo_staff.MODERATORS,
    "manager": demo_staff.BADGE_MANAGERS,
}


def make_user(role, username=None):
    users = get_user_model().objects
    if role == "superuser":
        return users.create_superuser(username or "root", "root@example.org", "pw")
    username = username or role
    user = users.create_user(username, f"{username}@example.org", "pw")
    user.groups.add(Group.objects.get(name=GROUP_OF_ROLE[role]))
    return user


@pytest.fixture
def staff(site_tree):
    """The demo's groups and workflow on the test site's badge index, one user per role."""
    demo_staff.load_staff(site_tree["index"])
    return {role: None if role == "anonymous" else make_user(role) for role in ROLES}


def sync(*args):
    """Run sync_credly_badges; its output, or the message of the failure it exits with."""
    out = StringIO()
    try:
        call_command("sync_credly_badges", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return str(exc)
    return out.getvalue()


@pytest.fixture
def synced(credly, make_badge, issuers):
    """Four templates in Credly: 1 and 2 have badge pages (LITA, ALCTS), 3 and 4 have none.
    Synced once, with accepted counts."""
    credly.templates = [make_template(i, image_url="") for i in range(1, 5)]
    credly.accepted_counts = {template_id(i): i for i in range(1, 5)}
    pages = {
        1: make_badge("Beyond Web Page Analytics", credly_template_id=template_id(1)),
        2: make_badge(
            "Collection Development", issuer=issuers["alcts"], credly_template_id=template_id(2)
        ),
    }
    sync("--accepted-counts")
    return {"credly": credly, "pages": pages}


def run_at(status, hours_ago, trigger="command", message="", now=None):
    """A finished sync run as if it had happened `hours_ago` hours ago."""
    when = (now or timezone.now()) - timedelta(hours=hours_ago)
    run = CredlySyncRun.objects.create(status=status, trigger=trigger, message=message)
    CredlySyncRun.objects.filter(pk=run.pk).update(
        started_at=when - timedelta(seconds=30), finished_at=when
    )
    run.refresh_from_db()
    return run
