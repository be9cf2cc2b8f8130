"""Through the real Varnish (deploy/varnish/default.vcl, tests/varnish.py): what anonymous
visitors share, what is never stored or shared, how addresses are normalised, and how PURGE
and BAN retire copies. Every request here goes to varnishd, which asks the live server."""

import http.client
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.contrib.frontend_cache.utils import purge_page_from_cache
from wagtail.models import PageViewRestriction

pytestmark = [
    pytest.mark.varnish,
    # The live server sees committed data only; Wagtail's first pages are put back afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROME_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def cache_state(response):
    return response.headers.get("X-Cache")


def states(varnish, path, times=2, **kwargs):
    """The X-Cache of each of `times` GETs of path (asserting each is answered)."""
    seen = []
    for _ in range(times):
        response = varnish.get(path, **kwargs)
        assert response.status_code < 500, (path, response.status_code)
        seen.append(cache_state(response))
    return seen


@pytest.fixture
def badge(make_badge):
    return make_badge("Beyond Web Page Analytics", skills=["Web Analytics"])


@pytest.fixture
def session_cookie(site_tree):
    """The session cookie of a logged-in superuser (who sees the userbar)."""
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value}


# Shared: a second anonymous GET is a HIT.


def test_anonymous_gets_are_stored_and_shared(varnish, site_tree, badge):
    index = site_tree["index"]
    for path in (
        "/",
        index.url,
        badge.url,
        f"{badge.url}badgeclass.json",
        f"{badge.url}achievement.json",
        f"{index.url}issuers/lita.json",
        f"{index.url}feed/",
        "/sitemap.xml",
        "/robots.txt",
    ):
        first = varnish.get(path)
        assert (first.status_code, cache_state(first)) == (200, "MISS"), path
        second = varnish.get(path)
        assert (second.status_code, cache_state(second)) == (200, "HIT"), path
        assert second.content == first.content, path
        # Nothing Varnish keeps for purging leaks out; browsers get their minute.
        assert "X-Url-Path" not in second.headers
        assert second.headers["Age"] == "0"
        assert second.headers["Cache-Control"] == "public, max-age=60, s-maxage=86400"


def test_revalidation_is_answered_from_the_cache(varnish, badge):
    etag = varnish.get(badge.url).headers["ETag"]
    again = varnish.get(badge.url, headers={"If-None-Match": etag})
    assert (again.status_code, cache_state(again)) == (304, "HIT")


def test_other_cookies_are_ignored(varnish, badge):
    assert states(varnish, badge.url, 1) == ["MISS"]
    assert states(varnish, badge.url, 1, cookies={"_ga": "GA1.1.123", "theme": "dark"}) == ["HIT"]


def test_json_ld_and_html_are_kept_apart_and_browsers_share_one_copy(varnish, badge):
    assert states(varnish, badge.url, headers={"Accept": CHROME_ACCEPT}) == ["MISS", "HIT"]
    assert states(varnish, badge.url, 1, headers={"Accept": FIREFOX_ACCEPT}) == ["HIT"]
    as_json = varnish.get(badge.url, headers={"Accept": "application/ld+json"})
    assert cache_state(as_json) == "MISS"
    assert as_json.headers["Content-Type"] == "application/ld+json"
    again = varnish.get(badge.url, headers={"Accept": "application/ld+json"})
    assert (cache_state(again), again.headers["Content-Type"]) == ("HIT", "application/ld+json")
    html = varnish.get(badge.url, headers={"Accept": CHROME_ACCEPT})
    assert html.headers["Content-Type"].startswith("text/html")


# Normalised addresses: one copy for all the ways of writing them.


def test_tracking_parameters_and_query_order_make_no_new_copy(varnish, site_tree, badge):
    index = site_tree["index"].url
    assert states(varnish, f"{index}?issuer=lita&sort=name", 1) == ["MISS"]
    for variant in (
        f"{index}?sort=name&issuer=lita",
        f"{index}?utm_source=newsletter&issuer=lita&fbclid=abc&sort=name&gclid=xyz",
        f"{index}?issuer=lita&utm_medium=email&utm_campaign=spring&sort=name&mc_cid=1&mc_eid=2",
    ):
        assert states(varnish, variant, 1) == ["HIT"], variant
    assert states(varnish, index, 1) == ["MISS"]
    assert states(varnish, f"{index}?utm_source=x", 1) == ["HIT"]
    assert states(varnish, f"{index}?issuer=alcts", 1) == ["MISS"]


def test_host_case_and_port_variants_share_a_copy(varnish, badge):
    assert states(varnish, badge.url, 1, host=varnish.host) == ["MISS"]
    for host in ("127.0.0.1:80", "127.0.0.1:8080"):
        assert states(varnish, badge.url, 1, host=host) == ["HIT"], host
    assert states(varnish, badge.url, 1, host=f"LocalHost:{varnish.port}") == ["MISS"]
    assert states(varnish, badge.url, 1, host=f"localhost:{varnish.port}") == ["HIT"]
    assert states(varnish, badge.url, 1, host="LOCALHOST:443") == ["HIT"]


# Never stored, never shared.


def test_a_logged_in_editor_is_neither_stored_nor_served_a_shared_copy(
    varnish, badge, session_cookie
):
    # The editor first: nothing they were given is kept for anyone else.
    for _ in range(2):
        mine = varnish.get(badge.url, cookies=session_cookie)
        assert (mine.status_code, cache_state(mine)) == (200, "PASS")
        assert b"wagtail-userbar" in mine.content
        assert mine.headers["Cache-Control"].startswith("private, no-store")
    anonymous = states(varnish, badge.url)
    assert anonymous == ["MISS", "HIT"]
    assert b"wagtail-userbar" not in varnish.get(badge.url).content
    # An anonymous copy is there now; the editor still gets their own page.
    mine = varnish.get(badge.url, cookies=session_cookie)
    assert cache_state(mine) == "PASS"
    assert b"wagtail-userbar" in mine.content


def test_previews_go_to_the_application_every_time(varnish, site_tree, session_cookie):
    from django.urls import reverse

    home = site_tree["home"]
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[home.pk])
    assert states(varnish, url, cookies=session_cookie) == ["PASS", "PASS"]
    # Without the session: the admin's login, never the editor's preview.
    anonymous = varnish.get(url)
    assert (anonymous.status_code, cache_state(anonymous)) == (302, "PASS")


def test_the_feedback_form_is_never_stored(varnish, feedback_page):
    tokens = []
    for _ in range(2):
        response = varnish.get(feedback_page.url)
        assert (response.status_code, cache_state(response)) == (200, "PASS")
        assert response.headers["Cache-Control"].startswith("private, no-store")
        tokens.append(response.cookies["csrftoken"])
    assert tokens[0] != tokens[1]
    # With the CSRF cookie every page goes to the application.
    assert states(varnish, "/", cookies={"csrftoken": tokens[0]}) == ["PASS", "PASS"]


def test_a_password_restricted_page_is_never_stored(varnish, badge):
    restriction = PageViewRestriction.objects.create(
        page=badge, restriction_type="password", password="sesame"
    )
    for _ in range(2):
        form = varnish.get(badge.url)
        assert (form.status_code, cache_state(form)) == (200, "PASS")
        assert b"Attend every session" not in form.content
    # A visitor types the password (through Varnish), then reads the page...
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.content)[1]
    cookies = {"csrftoken": form.cookies["csrftoken"]}
    unlocked = varnish.request(
        "POST",
        f"/_util/authenticate_with_password/{restriction.pk}/{badge.pk}/",
        data={"csrfmiddlewaretoken": token, "password": "sesame", "return_url": badge.url},
        cookies=cookies,
    )
    assert unlocked.status_code == 302, unlocked.content[:500]
    cookies["sessionid"] = unlocked.cookies["sessionid"]
    page = varnish.get(badge.url, cookies=cookies)
    assert (cache_state(page), b"Attend every session" in page.content) == ("PASS", True)
    # ... which nobody else is given.
    other = varnish.get(badge.url)
    assert (cache_state(other), b"Attend every session" in other.content) == ("PASS", False)


def test_a_login_restricted_page_is_never_stored(varnish, site_tree, badge, session_cookie):
    PageViewRestriction.objects.create(page=site_tree["index"], restriction_type="login")
    for path in (site_tree["index"].url, badge.url):
        for _ in range(2):
            response = varnish.get(path)
            assert (response.status_code, cache_state(response)) == (302, "PASS"), path
        mine = varnish.get(path, cookies=session_cookie)
        assert (mine.status_code, cache_state(mine)) == (200, "PASS"), path
        assert states(varnish, path) == ["PASS", "PASS"]


def test_searches_and_other_methods_go_to_the_application(varnish, site_tree, badge):
    index = site_tree["index"].url
    assert states(varnish, f"{index}?q=analytics") == ["PASS", "PASS"]
    for method in ("POST", "OPTIONS"):
        assert cache_state(varnish.request(method, badge.url)) == "PASS", method


# PURGE and BAN.


def test_purge_and_ban_are_refused_to_addresses_outside_the_acl(start_varnish, varnish, badge):
    with start_varnish(purgers=["192.0.2.10"]) as other:
        assert states(other, badge.url, host=other.host) == ["MISS", "HIT"]
        assert other.purge(badge.url, host=other.host).status_code == 403
        spoofed = other.purge(badge.url, host=other.host, headers={"X-Forwarded-For": "192.0.2.10"})
        assert spoofed.status_code == 403
        assert other.ban("/", host=other.host).status_code == 403
        assert states(other, badge.url, 1, host=other.host) == ["HIT"]
    # The test's own instance lets localhost purge.
    assert states(varnish, badge.url) == ["MISS", "HIT"]
    assert varnish.purge(badge.url).status_code == 200
    assert states(varnish, badge.url, 1) == ["MISS"]


def test_a_purge_drops_every_query_of_the_path_and_nothing_else(
    varnish, settings, site_tree, make_badge
):
    settings.BADGES_CMS_PER_PAGE = 1
    make_badge("Collection Development")
    badge = make_badge("Beyond Web Page Analytics")
    index = site_tree["index"].url
    variants = [index, f"{index}?page=2", f"{index}?issuer=lita", f"{index}?issuer=lita&page=1"]
    for path in [*variants, badge.url, f"{index}feed/"]:
        assert states(varnish, path) == ["MISS", "HIT"], path
    assert varnish.purge(index).status_code == 200
    for path in variants:
        assert states(varnish, path, 1) == ["MISS"], path
    for path in (badge.url, f"{index}feed/"):
        assert states(varnish, path, 1) == ["HIT"], path


def test_wagtails_purge_of_a_page_reaches_the_copies_visitors_get(
    varnish_frontend_cache, site_tree, badge
):
    varnish = varnish_frontend_cache
    index = site_tree["index"]
    for path in (index.url, f"{index.url}?issuer=lita", badge.url):
        assert states(varnish, path) == ["MISS", "HIT"]
    assert index.full_url == f"http://127.0.0.1:{varnish.port}{index.url}"
    purge_page_from_cache(index)
    assert states(varnish, index.url, 1) == ["MISS"]
    assert states(varnish, f"{index.url}?issuer=lita", 1) == ["MISS"]
    assert states(varnish, badge.url, 1) == ["HIT"]


def test_a_ban_drops_everything_under_a_prefix_on_its_host(varnish, site_tree, badge):
    index = site_tree["index"].url
    below = [index, f"{index}?issuer=lita", badge.url, f"{index}feed/", f"{index}issuers/lita/"]
    elsewhere = ["/", "/robots.txt"]
    for path in below + elsewhere:
        assert states(varnish, path) == ["MISS", "HIT"], path
    other_host = f"localhost:{varnish.port}"
    assert states(varnish, index, host=other_host) == ["MISS", "HIT"]

    assert varnish.ban(index).status_code == 200
    for path in below:
        assert states(varnish, path, 1) == ["MISS"], path
    for path in elsewhere:
        assert states(varnish, path, 1) == ["HIT"], path
    assert states(varnish, index, 1, host=other_host) == ["HIT"]

    assert varnish.ban("/").status_code == 200
    for path in elsewhere:
        assert states(varnish, path, 1) == ["MISS"], path
    assert states(varnish, index, 1, host=other_host) == ["HIT"]


def test_malformed_purges_and_bans_are_refused(varnish, badge):
    assert varnish.ban("").status_code == 400
    assert varnish.ban("/badges/ && obj.status ~ .").status_code == 400
    # Sent as written: a purge names a path, nothing a ban expression could be made of.
    for target in ("*", '/badges/"x'):
        connection = http.client.HTTPConnection("127.0.0.1", varnish.port, timeout=10)
        try:
            connection.request("PURGE", target, headers={"Host": varnish.host})
            assert connection.getresponse().status == 400, target
        finally:
            connection.close()
