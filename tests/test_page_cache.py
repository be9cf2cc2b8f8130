"""The whole-page cache (badges_cms/page_cache.py): anonymous pages are stored and served whole,
retired on every change of content, and never stored or served for anyone personal."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from wagtail.models import PageViewRestriction

from badges_cms import page_cache
from badges_cms.cache import ProcessMemo, content_version
from badges_cms.models import BadgeIndexPage
from tests.credly.conftest import credly, synced_badge  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.BADGES_CMS_PAGE_CACHE = True
    cache.clear()
    page_cache.process_copies.clear()
    yield
    cache.clear()
    page_cache.process_copies.clear()


@pytest.fixture
def badge(make_badge):
    return make_badge("Beyond Web Page Analytics", skills=["Web Analytics"])


def get(client, url, **extra):
    response = client.get(url, **extra)
    return response, response["X-Page-Cache"]


def test_a_page_is_rendered_once_then_served_from_the_cache(
    client, site_tree, badge, django_assert_num_queries
):
    index = site_tree["index"]
    for url in ("/", index.url, badge.url, f"{index.url}issuers/lita/"):
        first, state = get(client, url)
        assert (first.status_code, state) == (200, "miss"), url
        with django_assert_num_queries(0):
            second, state = get(client, url)
        assert (second.status_code, state) == (200, "hit"), url
        assert second.content == first.content
        # Headers the middleware below the cache added are stored with the page.
        assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
        assert second["Content-Type"] == first["Content-Type"]


def test_the_key_holds_host_path_and_query(client, site_tree, badge):
    index = site_tree["index"]
    assert get(client, index.url)[1] == "miss"
    assert get(client, index.url, query_params={"issuer": "lita"})[1] == "miss"
    assert get(client, index.url, query_params={"issuer": "lita"})[1] == "hit"
    assert get(client, index.url, query_params={"issuer": "alcts"})[1] == "miss"
    assert get(client, index.url, HTTP_HOST="other.example")[1] == "miss"
    assert get(client, index.url)[1] == "hit"


def test_html_and_json_ld_of_one_address_are_kept_apart(client, badge):
    html, state = get(client, badge.url)
    assert state == "miss" and html["Content-Type"].startswith("text/html")
    data, state = get(client, badge.url, HTTP_ACCEPT="application/ld+json")
    assert state == "miss" and data["Content-Type"] == "application/ld+json"
    assert get(client, badge.url)[0].content == html.content
    again, state = get(client, badge.url, HTTP_ACCEPT="application/ld+json")
    assert state == "hit" and again.content == data.content


def test_search_results_are_never_cached(client, site_tree, badge):
    url = site_tree["index"].url
    for _ in range(2):
        response, state = get(client, url, query_params={"q": "analytics"})
        assert state == "bypass"
        assert "Beyond Web Page Analytics" in response.content.decode()


def test_publishing_retires_every_cached_page(
    client, site_tree, make_badge, badge, django_capture_on_commit_callbacks
):
    index = site_tree["index"]
    get(client, index.url)
    get(client, "/")
    assert get(client, index.url)[1] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        make_badge("Fundamentals of Electronic Resources Acquisitions")
    response, state = get(client, index.url)
    assert state == "miss"
    assert "Fundamentals of Electronic Resources Acquisitions" in response.content.decode()
    assert get(client, "/")[1] == "miss"


def test_the_version_moves_only_once_the_publish_has_committed(
    badge, django_capture_on_commit_callbacks
):
    before = content_version()
    with django_capture_on_commit_callbacks() as callbacks:
        badge.save_revision().publish()
    # Bumped before the commit, a request in between could store the old page anew.
    assert content_version() == before
    for callback in callbacks:
        callback()
    assert content_version() > before


def test_unpublishing_moving_and_deleting_retire_cached_pages(
    client, site_tree, make_badge, badge, django_capture_on_commit_callbacks
):
    index = site_tree["index"]
    other = site_tree["home"].add_child(instance=BadgeIndexPage(title="Archive", slug="archive"))
    kept = make_badge("RDA Serials Cataloging Update")

    def listed(title):
        response, _ = get(client, index.url)
        assert get(client, index.url)[1] == "hit"
        return title in response.content.decode()

    assert listed(badge.title) and listed(kept.title)
    with django_capture_on_commit_callbacks(execute=True):
        badge.unpublish()
    assert not listed(badge.title)

    with django_capture_on_commit_callbacks(execute=True):
        kept.move(other, pos="last-child")
    assert not listed(kept.title)
    response, state = get(client, other.url + kept.slug + "/")
    assert state == "miss" and response.status_code == 200

    third = make_badge("Privacy in Libraries")
    cache.clear()
    assert listed(third.title)
    with django_capture_on_commit_callbacks(execute=True):
        third.delete()
    assert not listed(third.title)


def test_editing_an_issuer_retires_cached_pages(
    client, badge, issuers, django_capture_on_commit_callbacks
):
    get(client, badge.url)
    lita = issuers["lita"]
    lita.name = "Core: Leadership, Infrastructure, Futures"
    with django_capture_on_commit_callbacks(execute=True):
        lita.save()
    response, state = get(client, badge.url)
    assert state == "miss"
    assert "Core: Leadership, Infrastructure, Futures" in response.content.decode()


def test_a_successful_sync_retires_cached_pages(client, synced_badge):  # noqa: F811
    page = synced_badge.page
    assert "Issued 30 times" in get(client, page.url)[0].content.decode()
    assert get(client, page.url)[1] == "hit"
    synced_badge.sync(badges_count=41)
    response, state = get(client, page.url)
    assert state == "miss"
    assert "Issued 41 times" in response.content.decode()


def test_logged_in_editors_neither_get_nor_leave_cached_pages(client, badge):
    anonymous, state = get(client, badge.url)
    assert state == "miss"
    editor = get_user_model().objects.create_superuser("eddie", "eddie@example.org", "pw")
    signed_in = Client()
    signed_in.force_login(editor)
    for _ in range(2):
        response, state = get(signed_in, badge.url)
        assert state == "bypass"
        assert response.content != anonymous.content  # the editor's page has the userbar
        assert b"wagtail-userbar" in response.content
    assert get(client, badge.url)[0].content == anonymous.content


def test_a_stale_session_or_a_message_cookie_bypasses_the_cache(client, badge):
    get(client, badge.url)
    for name in ("sessionid", "messages"):
        visitor = Client()
        visitor.cookies[name] = "something"
        assert get(visitor, badge.url)[1] == "bypass", name
    assert get(client, badge.url, HTTP_AUTHORIZATION="Basic Zm9vOmJhcg==")[1] == "bypass"


def test_a_preview_is_never_answered_from_the_cache_nor_stored(client, badge):
    # Wagtail renders a preview by passing a made-up request for the page's own address
    # through the middleware; the page's site is "localhost".
    live, state = get(client, badge.url, HTTP_HOST="localhost")
    assert state == "miss"
    badge.title = "A draft title nobody has published"
    revision = badge.save_revision()
    draft = revision.as_object()
    preview = draft.make_preview_request()
    assert preview.status_code == 200
    assert "A draft title nobody has published" in preview.content.decode()
    assert preview["X-Page-Cache"] == "bypass"
    response, state = get(client, badge.url, HTTP_HOST="localhost")
    assert state == "hit" and response.content == live.content


def test_posts_are_not_cached(client, badge):
    get(client, badge.url)
    response = client.post(badge.url, {})
    assert response["X-Page-Cache"] == "bypass"


def test_a_form_with_a_csrf_token_is_never_stored(client, feedback_page):
    tokens = set()
    for _ in range(2):
        visitor = Client()
        response, state = get(visitor, feedback_page.url)
        assert response.status_code == 200 and state == "skip"
        assert "csrftoken" in response.cookies
        tokens.add(response.context["csrf_token"])
    assert len(tokens) == 2  # each visitor got a form of their own


def test_private_pages_and_errors_are_not_stored(client, site_tree, badge, make_badge):
    secret = make_badge("Members Only Badge")
    PageViewRestriction.objects.create(page=secret, restriction_type="password", password="pw")
    for _ in range(2):
        response, state = get(client, secret.url)
        assert state == "skip" and "Members Only Badge" not in response.content.decode()
    login_only = make_badge("Staff Badge")
    PageViewRestriction.objects.create(page=login_only, restriction_type="login")
    assert get(client, login_only.url)[0].status_code == 302
    assert get(client, login_only.url)[1] == "skip"
    assert get(client, site_tree["index"].url + "no-such-badge/")[1] == "skip"
    # Only pages Wagtail serves are stored: not the JSON documents, the feed or the API.
    for url in (badge.url + "badgeclass.json", "/robots.txt", "/api/v2/pages/"):
        assert get(client, url)[1] == "skip", url


def test_pages_are_served_when_the_page_cache_fails(client, badge, monkeypatch):
    class Unavailable:
        def __getattr__(self, name):
            raise ConnectionError("cache down")

    def unavailable():
        raise ConnectionError("cache down")

    # Only the page cache's own calls fail: Wagtail keeps its site root paths in the cache too.
    monkeypatch.setattr(page_cache, "cache", Unavailable())
    response, state = get(client, badge.url)
    assert (response.status_code, state) == (200, "skip")
    assert badge.title in response.content.decode()
    monkeypatch.setattr(page_cache, "content_version", unavailable)
    response, state = get(client, badge.url)
    assert (response.status_code, state) == (200, "skip")


def test_switched_off_it_stores_nothing(client, badge, settings):
    settings.BADGES_CMS_PAGE_CACHE = False
    assert get(client, badge.url)[1] == "bypass"
    settings.BADGES_CMS_PAGE_CACHE = True
    assert get(client, badge.url)[1] == "miss"


# The WSGI wrapper (alasite/wsgi.py): hits answered before Django builds a request.


@pytest.fixture
def wsgi_app(monkeypatch):
    """The site's application as alasite/wsgi.py wraps it; ``calls`` counts the requests that
    reached Django. Like Django's test client, it keeps the database connection open."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    django_app = WSGIHandler()
    calls = []

    def counted(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return django_app(environ, start_response)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield page_cache.CachedPagesWSGI(counted), calls
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call_wsgi(app, path, **headers):
    from django.test import RequestFactory

    environ = RequestFactory().get(path, **headers).environ
    answer = {}

    def start_response(status, response_headers):
        answer["status"], answer["headers"] = status, dict(response_headers)

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


def test_the_wsgi_wrapper_answers_hits_without_django(
    wsgi_app, badge, django_assert_num_queries, django_capture_on_commit_callbacks
):
    app, calls = wsgi_app
    status, miss_headers, miss_body = call_wsgi(app, badge.url)
    assert (status, miss_headers["X-Page-Cache"]) == ("200 OK", "miss")
    with django_assert_num_queries(0):
        status, hit_headers, hit_body = call_wsgi(app, badge.url)
    assert (status, hit_headers["X-Page-Cache"]) == ("200 OK", "hit")
    assert calls == [badge.url]  # the hit never reached Django
    assert hit_body == miss_body
    # The stored page has the headers of every middleware, the security headers included.
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert hit_headers[name] == miss_headers[name], name

    with django_capture_on_commit_callbacks(execute=True):
        badge.save_revision().publish()
    _, headers, _ = call_wsgi(app, badge.url)
    assert headers["X-Page-Cache"] == "miss" and len(calls) == 2


def test_the_wsgi_wrapper_looks_once_and_lets_the_rest_through(wsgi_app, badge, monkeypatch):
    app, calls = wsgi_app
    lookups = []
    real_lookup = page_cache.lookup
    monkeypatch.setattr(page_cache, "lookup", lambda key: lookups.append(key) or real_lookup(key))
    call_wsgi(app, badge.url)
    assert len(lookups) == 1  # the middleware did not look again after the wrapper missed
    assert call_wsgi(app, badge.url, HTTP_COOKIE="sessionid=abc")[1]["X-Page-Cache"] == "bypass"
    assert call_wsgi(app, badge.url + "?q=web")[1]["X-Page-Cache"] == "bypass"
    assert len(calls) == 3 and len(lookups) == 1  # no lookup for either
    assert call_wsgi(app, badge.url)[1]["X-Page-Cache"] == "hit"
    assert len(calls) == 3 and len(lookups) == 2


def test_a_hit_survives_a_dropped_cache_connection(client, badge):
    get(client, badge.url)
    reader = page_cache.redis_reader()
    if reader is not None:  # with Redis (CI's second run): the reader's own connection
        reader.connection()._sock.close()  # as when Redis restarts or drops idle clients
    response, state = get(client, badge.url)
    assert (response.status_code, state) == (200, "hit")


def test_a_process_serves_its_own_copy_while_it_is_current(
    client, badge, monkeypatch, django_capture_on_commit_callbacks
):
    reads = []
    real_read_many = page_cache.read_many

    def counted(keys):
        reads.append(len(keys))
        return real_read_many(keys)

    monkeypatch.setattr(page_cache, "read_many", counted)
    first, state = get(client, badge.url)
    assert state == "miss"
    reads.clear()
    again, state = get(client, badge.url)
    # Only the version crosses from the shared cache: the page is this process's copy.
    assert (state, reads) == ("hit", [1]) and again.content == first.content

    # Another process (no copy of its own) gets the shared one, and keeps a copy.
    page_cache.process_copies.clear()
    reads.clear()
    assert get(client, badge.url)[1] == "hit" and reads == [2]

    badge.title = "Beyond Web Analytics"
    with django_capture_on_commit_callbacks(execute=True):
        badge.save_revision().publish()
    response, state = get(client, badge.url)
    assert state == "miss" and "Beyond Web Analytics" in response.content.decode()


def test_process_copies_are_bounded():
    copies = page_cache.make_process_copies(max_bytes=10)
    copies.put("a", (1, 200, [], b"12345"))
    copies.put("b", (1, 200, [], b"12345"))
    assert copies.get("a") is not None  # now the most recently used
    copies.put("c", (1, 200, [], b"123"))
    assert copies.get("b") is None and copies.get("a") and copies.get("c")
    copies.put("huge", (1, 200, [], b"x" * 11))
    assert copies.get("huge") is None and copies.size <= 10


def test_a_retired_copy_gives_way_to_the_current_shared_one(
    client, badge, django_capture_on_commit_callbacks
):
    get(client, badge.url)
    retired = dict(page_cache.process_copies.entries)
    with django_capture_on_commit_callbacks(execute=True):
        badge.save_revision().publish()
    # Another process renders the page after the publish and shares it...
    assert get(client, badge.url)[1] == "miss"
    current = dict(page_cache.process_copies.entries)
    # ...while this one still holds the copy of the old version.
    page_cache.process_copies.clear()
    for key, (_, entry) in retired.items():
        page_cache.process_copies.put(key, entry)
    assert get(client, badge.url)[1] == "hit"
    assert [entry for _, entry in page_cache.process_copies.entries.values()] == [
        entry for _, entry in current.values()
    ]


def test_a_process_memo_keeps_the_most_recently_used_entries():
    memo = ProcessMemo(max_entries=2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # now the most recently used
    memo.put("c", 3)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (1, None, 3)
    aged = ProcessMemo(max_entries=2, max_age=lambda: -1)  # every entry already too old
    aged.put("a", 1)
    assert aged.get("a") is None and not aged.entries
