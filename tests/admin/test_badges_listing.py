"""The Badges listing: every badge page with issuer, issued count, last sync and status, filtered
by issuer and status, at a fixed number of queries however many badges there are."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PagePermissionTester, Workflow

from badges_cms.admin.badges import LeafPagePermissionTester
from badges_cms.credly.standin import make_template, template_id
from badges_cms.models import BadgePage
from tests.support.staff import sync

pytestmark = pytest.mark.django_db

URL = "badges_cms_badges:index"


def rows(html):
    table = html[html.index('<table class="listing') :].split("</table>")[0]
    body = table.split("<tbody>", 1)[1]
    return {
        re.search(r'id="page_\d+_title">\s*([^<]+?)\s*<', row).group(1): row
        for row in re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)
    }


def cells(row):
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


@pytest.fixture
def badges(synced, make_badge, issuers, staff):
    """The two synced, live badges of the `synced` fixture, a draft and one in moderation."""
    draft = make_badge("Draft badge", publish=False, issuer=issuers["ala"])
    waiting = make_badge("Waiting badge", publish=False, issuer=issuers["alcts"])
    Workflow.objects.get(name="Badge review").start(waiting, staff["editor"])
    return {**synced["pages"], "draft": draft, "waiting": waiting}


def test_columns_issuer_issued_last_synced_and_status(client, staff, badges):
    client.force_login(staff["editor"])
    listing = rows(client.get(reverse(URL)).content.decode())
    assert set(listing) == {
        "Beyond Web Page Analytics",
        "Collection Development",
        "Draft badge",
        "Waiting badge",
    }
    beyond = cells(listing["Beyond Web Page Analytics"])
    assert beyond[2:4] == ["LITA", "3"]
    assert "Just now" in beyond[4]
    assert "live" in beyond[5] and "In moderation" not in beyond[5]
    draft = cells(listing["Draft badge"])
    assert draft[2:4] == ["ALA", "—"]  # no Credly template: nothing issued to report
    assert "draft" in draft[5]
    assert "In moderation" in cells(listing["Waiting badge"])[5]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "live"}, {"Beyond Web Page Analytics", "Collection Development"}),
        ({"status": "draft"}, {"Draft badge", "Waiting badge"}),
        ({"status": "in_moderation"}, {"Waiting badge"}),
        ({"issuer": "alcts"}, {"Collection Development", "Waiting badge"}),
        ({"issuer": "alcts", "status": "live"}, {"Collection Development"}),
    ],
)
def test_filters_by_issuer_and_status(client, staff, badges, issuers, params, expected):
    if "issuer" in params:
        params = {**params, "issuer": issuers[params["issuer"]].pk}
    client.force_login(staff["editor"])
    assert set(rows(client.get(reverse(URL), params).content.decode())) == expected


def test_ordering_by_issued_count(client, staff, badges):
    client.force_login(staff["editor"])
    html = client.get(reverse(URL), {"ordering": "-synced_badges_count"}).content.decode()
    titles = list(rows(html))
    assert titles.index("Collection Development") < titles.index("Beyond Web Page Analytics")


def test_no_query_per_row(client, staff, synced, make_badge, issuers):
    client.force_login(staff["editor"])
    client.get(reverse(URL))  # warm caches (content types, site root paths)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(URL))
    synced["credly"].templates += [make_template(i, image_url="") for i in range(10, 22)]
    sync()
    for i in range(10, 22):
        issuer = issuers["ala"] if i % 2 else issuers["lita"]
        make_badge(f"Badge {i}", credly_template_id=template_id(i), issuer=issuer)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse(URL)).content.decode()
    assert len(rows(html)) == 14
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.search_index
def test_search_keeps_the_figures(client, staff, badges):
    client.force_login(staff["editor"])
    html = client.get(reverse(URL), {"q": "Collection"}).content.decode()
    listing = rows(html)
    assert list(listing) == ["Collection Development"]
    assert cells(listing["Collection Development"])[3] == "6"


@pytest.mark.parametrize("role", ["editor", "moderator", "manager", "superuser"])
@pytest.mark.parametrize("live", [True, False])
@pytest.mark.parametrize("own", [True, False])
def test_the_listings_permission_answers_match_wagtails(staff, make_badge, role, live, own):
    user = staff[role]
    page = make_badge("Some badge", publish=live)
    page.owner = user if own else None
    page.save()
    page = BadgePage.objects.get(pk=page.pk)
    wagtails = PagePermissionTester(user, page)
    ours = LeafPagePermissionTester(user, page)
    assert ours.can_delete() == wagtails.can_delete()
    assert ours.can_move() == wagtails.can_move()
    with CaptureQueriesContext(connection) as queries:
        ours.can_delete()
    assert queries.captured_queries == []
