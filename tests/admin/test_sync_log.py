"""The sync log's list and a run's page give their times in one zone, the site's (TIME_ZONE),
and name it: not UTC on one screen and local time on the other, nor each user's own zone."""

import html
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from wagtail.users.models import UserProfile

from badges_cms.models import CredlySyncRun

pytestmark = pytest.mark.django_db

# 18:45 UTC on 15 January: 12:45 p.m. in Chicago (CST), 3:45 a.m. the next day in Tokyo.
STARTED = datetime(2026, 1, 15, 18, 45, 10, tzinfo=UTC)
FINISHED = datetime(2026, 1, 15, 18, 46, 40, tzinfo=UTC)


@pytest.fixture
def run(settings):
    settings.TIME_ZONE = "America/Chicago"
    run = CredlySyncRun.objects.create(status="failed", message="Credly answered HTTP 503.")
    CredlySyncRun.objects.filter(pk=run.pk).update(started_at=STARTED, finished_at=FINISHED)
    run.refresh_from_db()
    return run


@pytest.fixture
def manager_far_away(staff):
    """A badge manager whose own Wagtail time zone is not the site's."""
    user = staff["manager"]
    profile = UserProfile.get_for_user(user)
    profile.current_time_zone = "Asia/Tokyo"
    profile.save()
    return user


def text_of(page):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_list_and_the_run_agree_on_the_site_zone(client, manager_far_away, run):
    client.force_login(manager_far_away)
    listing = client.get(reverse("badges_cms_sync_log:index")).content.decode()
    detail = client.get(reverse("badges_cms_sync_log:inspect", args=[run.pk])).content.decode()

    assert "Jan. 15, 2026, 12:45 p.m. CST" in text_of(listing)
    page = text_of(detail)
    assert "Started at Jan. 15, 2026, 12:45 p.m. CST" in page
    assert "Finished at Jan. 15, 2026, 12:46 p.m. CST" in page
    assert "Failed 2026-01-15 12:45 CST" in page  # the run's name in the title and breadcrumbs
    for shown in (listing, detail):
        assert "6:45 p.m." not in shown and "18:45" not in shown  # UTC
        assert "3:45 a.m." not in shown and "03:45" not in shown  # the user's own zone


def test_an_unfinished_run_says_so(client, staff, run):
    CredlySyncRun.objects.filter(pk=run.pk).update(status="running", finished_at=None)
    client.force_login(staff["manager"])
    detail = client.get(reverse("badges_cms_sync_log:inspect", args=[run.pk])).content.decode()
    assert "Finished at —" in text_of(detail)


def test_the_run_is_named_in_the_site_zone(run):
    assert str(run) == "Failed 2026-01-15 12:45 CST"
