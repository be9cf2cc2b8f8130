"""Cache-Control, Vary and conditional GETs (badges_cms/http_cache/headers.py): what a shared cache
may
keep, for how long, and what is only ever for the visitor who asked."""

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import PageViewRestriction
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from badges_cms.http_cache import headers as http_cache
from badges_cms.http_cache.headers import apply_cache_policy

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=60, s-maxage=86400"
BRIEF = "public, max-age=60"
PRIVATE = "private, no-store"
FRESH = "private, no-cache"


@pytest.fixture(autouse=True)
def lifetimes(settings):
    # The defaults of badges_cms/conf.py, pinned here whatever a site's settings say.
    settings.BADGES_CMS_CACHE_MAX_AGE = 60
    settings.BADGES_CMS_CACHE_S_MAXAGE = 86400


@pytest.fixture
def badge(make_badge):
    return make_badge("Beyond Web Page Analytics", skills=["Web Analytics"])


@pytest.fixture
def editor(site_tree):
    return get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")


def cache_control(response):
    return response.get("Cache-Control")


def vary(response):
    return response.get("Vary")


# Public: anonymous GETs of what purges keep current.


def test_anonymous_pages_are_public_for_a_day_in_shared_caches(client, site_tree, badge):
    index = site_tree["index"]
    for url in ("/", index.url, f"{index.url}?issuer=lita&page=1", f"{index.url}issuers/lita/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert cache_control(response) == PUBLIC, url
        assert vary(response) is None, url  # nothing negotiated, no stray Cookie
        assert not response.cookies, url


def test_badge_pages_vary_on_accept_only(client, badge):
    html = client.get(badge.url)
    assert cache_control(html) == PUBLIC
    assert vary(html) == "Accept"
    as_json = client.get(badge.url, HTTP_ACCEPT="application/ld+json")
    assert as_json["Content-Type"] == "application/ld+json"
    assert cache_control(as_json) == PUBLIC
    assert vary(as_json) == "Accept"


def test_documents_feed_sitemap_and_robots_are_public(client, site_tree, badge):
    index = site_tree["index"]
    urls = [
        f"{badge.url}badgeclass.json",
        f"{badge.url}achievement.json",
        f"{index.url}issuers/lita.json",
        f"{index.url}feed/",
        "/sitemap.xml",
        "/robots.txt",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert cache_control(response) == PUBLIC, url
        assert vary(response) is None, url


def test_head_is_answered_like_get(client, badge):
    assert cache_control(client.head(badge.url)) == PUBLIC


def test_an_empty_search_is_a_plain_listing(client, site_tree, badge):
    assert cache_control(client.get(site_tree["index"].url, {"q": "  "})) == PUBLIC


def test_not_found_is_public_briefly(client, site_tree):
    for url in ("/no-such-page/", "/badges/nothing/badgeclass.json"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert cache_control(response) == BRIEF, url


def test_other_public_answers_are_kept_briefly(client, badge):
    # The API is not purged page by page: shared caches keep it for the browsers' minute only.
    response = client.get("/api/v2/pages/")
    assert response.status_code == 200
    assert cache_control(response) == BRIEF


# Conditional GETs.


def test_public_answers_carry_an_etag_and_revalidate_to_304(client, badge):
    first = client.get(badge.url)
    assert first.has_header("ETag")
    again = client.get(badge.url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert not again.content


def test_private_no_store_answers_carry_no_etag(client, feedback_page):
    response = client.get(feedback_page.url)
    assert cache_control(response) == PRIVATE
    assert not response.has_header("ETag")


# Personal: never stored by anyone but the visitor, and not even by them.


def test_a_logged_in_editor_gets_private_answers(client, editor, site_tree, badge):
    client.force_login(editor)
    for url in (badge.url, site_tree["index"].url, f"{badge.url}badgeclass.json", "/sitemap.xml"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert cache_control(response) == PRIVATE, url
    page = client.get(badge.url)
    assert b"wagtail-userbar" in page.content  # the userbar is why
    assert "Cookie" in vary(page)


def test_a_session_without_a_login_is_private_too(client, badge):
    client.cookies["sessionid"] = "whatever"
    assert cache_control(client.get(badge.url)) == PRIVATE


def test_http_authentication_is_private(client, badge):
    assert cache_control(client.get(badge.url, HTTP_AUTHORIZATION="Basic eDp5")) == PRIVATE


def test_previews_are_private(client, editor, site_tree, badge):
    client.force_login(editor)
    home = site_tree["home"]
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[home.pk])
    form = nested_form_data(
        {
            "title": home.title,
            "slug": home.slug,
            "intro": rich_text("<p>Previewed.</p>"),
            "newest_badges_count": 4,
            "body": streamfield([]),
        }
    )
    post = client.post(url, form)
    assert post.json()["is_valid"] is True
    # The admin's own never-cache headers come after ours.
    assert cache_control(post).startswith(PRIVATE)
    response = client.get(url)
    assert b"Previewed." in response.content
    assert cache_control(response).startswith(PRIVATE)
    # The made-up request Wagtail renders a preview with passes through the middleware too.
    inner = badge.make_preview_request()
    assert inner.status_code == 200
    assert cache_control(inner) == PRIVATE


def test_the_feedback_form_uses_the_csrf_token_so_is_private(client, feedback_page):
    response = client.get(feedback_page.url)
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert cache_control(response) == PRIVATE
    # A visitor who already has the cookie gets their own token in the page as well.
    again = client.get(feedback_page.url)
    assert cache_control(again) == PRIVATE


@pytest.mark.parametrize("kind", ["password", "login"])
def test_restricted_pages_and_their_forms_are_private(client, site_tree, make_badge, kind):
    index = site_tree["index"]
    PageViewRestriction.objects.create(page=index, restriction_type=kind, password="sesame")
    below = make_badge("Collection Development")
    for url in (index.url, below.url, f"{index.url}feed/"):
        response = client.get(url)
        assert response.status_code == (200 if kind == "password" else 302), url
        assert cache_control(response).startswith(PRIVATE), url
        assert "public" not in cache_control(response), url


def test_a_page_behind_a_password_stays_private_once_unlocked(client, site_tree, badge):
    restriction = PageViewRestriction.objects.create(
        page=badge, restriction_type="password", password="sesame"
    )
    action = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, badge.pk])
    unlocked = client.post(action, {"password": "sesame", "return_url": badge.url})
    assert unlocked.status_code == 302
    assert cache_control(unlocked) == PRIVATE
    response = client.get(badge.url)
    assert response.status_code == 200
    assert b"Attend every session" in response.content
    assert cache_control(response).startswith(PRIVATE)


def test_the_linkedin_helpers_answer_is_private(client, badge):
    answer = client.get(
        badge.url,
        {
            "linkedin-credly_url": "https://www.credly.com/badges/0b8ad1c4-6a4b-4d5b-9d44-9d1b2c3d4e5f",
            "linkedin-issued_month": "3",
            "linkedin-issued_year": "2018",
        },
    )
    assert answer.status_code == 200
    assert b"linkedin.com/profile/add" in answer.content
    assert cache_control(answer) == PRIVATE


def test_mastodon_share_answers_are_private(client, badge):
    url = f"{badge.url}share/mastodon/"
    onward = client.get(url, {"instance": "mastodon.social"})
    assert onward.status_code == 200
    assert cache_control(onward) == PRIVATE
    mistake = client.get(url, {"instance": ""})
    assert mistake.status_code == 400
    assert cache_control(mistake) == PRIVATE


@pytest.mark.search_index
def test_search_results_must_be_fresh(client, site_tree, badge):
    response = client.get(site_tree["index"].url, {"q": "analytics"})
    assert response.status_code == 200
    assert cache_control(response) == FRESH


def test_the_admins_are_private(client, site_tree):
    for url in ("/admin/login/", "/django-admin/login/", "/admin/"):
        response = client.get(url)
        assert cache_control(response).startswith(PRIVATE), url


def test_other_methods_are_private(client, site_tree, badge):
    for response in (client.post(badge.url), client.options(site_tree["index"].url)):
        assert cache_control(response).startswith(PRIVATE)


# The rules on their own.


def anonymous_get(path="/somewhere/", **extra):
    request = RequestFactory().get(path, **extra)
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    return request


def test_a_response_setting_a_cookie_is_private():
    response = HttpResponse("hello")
    response.set_cookie("flavour", "oat")
    assert cache_control(apply_cache_policy(anonymous_get(), response)) == PRIVATE


def test_a_views_own_cache_control_is_kept_unless_personal():
    response = HttpResponse("hello")
    response["Cache-Control"] = "public, max-age=5"
    assert cache_control(apply_cache_policy(anonymous_get(), response)) == "public, max-age=5"

    personal = HttpResponse("hello")
    personal["Cache-Control"] = "public, max-age=5, s-maxage=600"
    request = anonymous_get(HTTP_COOKIE="sessionid=abc")
    assert cache_control(apply_cache_policy(request, personal)) == "private, no-store, max-age=5"


def test_marked_views_are_private():
    @http_cache.private_response
    def view(request):
        return HttpResponse("yours")

    request = anonymous_get()
    assert cache_control(apply_cache_policy(request, view(request))) == PRIVATE


def test_public_answers_lose_a_stray_vary_cookie():
    response = HttpResponse("hello")
    response["Vary"] = "Accept, Cookie"
    apply_cache_policy(anonymous_get(), response)
    assert vary(response) == "Accept"
    only_cookie = HttpResponse("hello")
    only_cookie["Vary"] = "Cookie"
    apply_cache_policy(anonymous_get(), only_cookie)
    assert vary(only_cookie) is None
