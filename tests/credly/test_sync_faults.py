"""Faults a sync meets in the wild: a listing that comes back short or moves while it is read,
and figures out of range. (A purge failing after the figures are committed:
tests/http_cache/test_purge.py.)"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from badges_cms.credly.standin import make_template, template_id
from badges_cms.models import CredlyBadgeTemplate, CredlySyncRun

pytestmark = pytest.mark.django_db


def sync(*args):
    out = StringIO()
    try:
        call_command("sync_credly_badges", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def snapshot():
    return sorted(
        CredlyBadgeTemplate.objects.values_list("id", "badges_count", "present", "synced_at")
    )


@pytest.fixture
def synced_once(templates, credly):
    """120 templates (three pages of 50) synced once; then one count changes in Credly."""
    assert sync()[0] == 0
    credly.templates[0]["badges_count"] += 100
    return snapshot()


def drop_items(count):
    def edit(body):
        del body["data"][-count:]
        body["metadata"]["count"] = len(body["data"])

    return edit


def set_metadata(**values):
    def edit(body):
        body["metadata"].update(values)

    return edit


@pytest.mark.parametrize(
    ("page", "edit", "said"),
    [
        (2, drop_items(20), "page 2 of /organizations/"),  # a page before the last is short
        (2, drop_items(50), "holds 0 items where 50 were due"),  # an empty page before the last
        (3, drop_items(1), "holds 19 items where 20 were due"),  # the last page is short
        (1, drop_items(50), "holds 0 items where 50 were due"),  # page 1 arrives empty
        (3, set_metadata(total_count=121), "changed while it was read"),
        (2, set_metadata(total_pages=4), "changed while it was read"),
        (1, set_metadata(total_pages=2), "does not add up"),
        (1, set_metadata(total_count=None), "no valid total_count"),
    ],
)
def test_a_short_or_moving_listing_fails_the_sync_and_changes_nothing(
    synced_once, credly, page, edit, said
):
    credly.add_fault("badge_templates", page=page, edit=edit)
    code, message = sync()
    assert code == 1
    assert said in message
    assert "Credly sync failed" in message
    assert snapshot() == synced_once  # no figure changed, no template marked gone
    assert not CredlyBadgeTemplate.objects.filter(present=False).exists()
    run = CredlySyncRun.objects.first()
    assert run.status == "failed" and said in run.message


def test_a_complete_listing_still_marks_vanished_templates_gone(synced_once, credly):
    del credly.templates[-5:]
    code, message = sync()
    assert code == 0, message
    assert "5 gone from Credly" in message
    assert CredlyBadgeTemplate.objects.filter(present=False).count() == 5


@pytest.mark.parametrize("value", [-1, 2**31, 2**40, 1.5, "12", True, None])
def test_an_issued_count_out_of_range_is_refused_naming_template_and_field(credly, value):
    credly.templates = [make_template(1), make_template(2, badges_count=value)]
    code, message = sync()
    assert code == 1
    assert "'Example Badge 2'" in message and template_id(2) in message
    assert f"badges_count of {value!r}" in message
    assert not CredlyBadgeTemplate.objects.exists()


def test_the_largest_count_the_database_holds_is_taken(credly):
    credly.templates = [make_template(1, badges_count=2**31 - 1)]
    assert sync()[0] == 0
    assert CredlyBadgeTemplate.objects.get().badges_count == 2**31 - 1


@pytest.mark.parametrize("value", [-3, 2**31])
def test_an_accepted_count_out_of_range_is_refused(credly, value):
    credly.templates = [make_template(1), make_template(2)]
    credly.accepted_counts = {template_id(1): 1, template_id(2): 2}
    credly.add_fault(
        f"badge_template_id::{template_id(2)}", times=None, edit=set_metadata(total_count=value)
    )
    code, message = sync("--accepted-counts")
    assert code == 1
    assert "'Example Badge 2'" in message and "accepted count" in message
    assert not CredlyBadgeTemplate.objects.exists()
