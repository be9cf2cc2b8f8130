"""Rendered fragments and remembered routes (badges_cms/fragment_cache.py, route_cache.py):
what the page cache does not answer is rendered from stored fragments, and every change a
visitor could notice shows at once."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from wagtail.models import PageViewRestriction

from badges_cms import fragment_cache, route_cache
from badges_cms.models import BadgeIndexPage
from tests.credly.conftest import credly, synced_badge  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragment_cache_on(settings):
    settings.BADGES_CMS_FRAGMENT_CACHE = True
    cache.clear()
    route_cache.forget()
    yield
    cache.clear()
    route_cache.forget()


@pytest.fixture
def badge(make_badge):
    return make_badge("Beyond Web Page Analytics", skills=["Web Analytics"])


def text(response):
    assert response.status_code == 200
    return response.content.decode()


# What a render costs an anonymous visitor once its route and fragment are stored: nothing
# from the database. The page, its place in the tree and its view restrictions come from
# the route remembered for this content version; what it shows, from the stored fragment.
STORED_RENDER_QUERIES = 0


def test_a_page_rendered_again_reads_nothing_from_the_database(
    client, site_tree, badge, django_assert_num_queries
):
    index = site_tree["index"]
    for url in ("/", index.url, badge.url, index.url + "?issuer=lita&page=1"):
        first = text(client.get(url))
        with django_assert_num_queries(STORED_RENDER_QUERIES):
            second = text(client.get(url))
        assert second == first, url
    # An issuer page also looks up the issuer and whether it has a published badge here
    # (the issuers, the listing's view restrictions, its issuers and its partners).
    issuer_url = f"{index.url}issuers/lita/"
    first = text(client.get(issuer_url))
    with django_assert_num_queries(STORED_RENDER_QUERIES + 4):
        assert text(client.get(issuer_url)) == first


def test_a_page_rendered_again_takes_one_round_trip_to_the_cache(client, badge, monkeypatch):
    reads = []
    real_read_many = fragment_cache.read_many

    def counted(keys):
        reads.append(list(keys))
        return real_read_many(keys)

    monkeypatch.setattr(fragment_cache, "read_many", counted)
    first = text(client.get(badge.url))
    reads.clear()
    assert text(client.get(badge.url)) == first
    # The content version and the fragment the last render of this address read, together.
    assert len(reads) == 1 and len(reads[0]) == 2


def test_editors_read_the_page_itself_and_its_restrictions(client, badge):
    editor = get_user_model().objects.create_superuser("eddie", "eddie@example.org", "pw")
    signed_in = Client()
    signed_in.force_login(editor)
    signed_in.get(badge.url)
    with CountQueries() as queries:
        signed_in.get(badge.url)
    # Not the page copy kept in memory: the page, its restrictions, session, user and userbar.
    page_queries = [sql for sql in queries.sql if 'FROM "badges_cms_badgepage"' in sql]
    restriction_queries = [sql for sql in queries.sql if "pageviewrestriction" in sql]
    assert page_queries and restriction_queries


def test_fragments_follow_the_filters_and_the_page(
    client, site_tree, issuers, make_badge, settings
):
    index = site_tree["index"]
    make_badge("Linked Data Basics", issuer=issuers["alcts"])
    make_badge("Cataloging Update")
    lita = text(client.get(index.url, {"issuer": "lita"}))
    every = text(client.get(index.url))
    assert "Linked Data Basics" in every and "Linked Data Basics" not in lita
    assert text(client.get(index.url, {"issuer": "lita"})) == lita
    assert "Linked Data Basics" in text(client.get(index.url))

    settings.BADGES_CMS_PER_PAGE = 1
    pages = [text(client.get(index.url, {"sort": "name", "page": n})) for n in (1, 2, 1)]
    assert "Cataloging Update" in pages[0] and "Cataloging Update" not in pages[1]
    assert "Linked Data Basics" in pages[1] and pages[2] == pages[0]
    # Page numbers Django reads its own way (past the end, negative, "2.0") answer the page
    # they choose, and never leave it where page 1 is looked for.
    first = text(client.get(index.url, {"sort": "name"}))
    for odd in ("99999", "-1", "2.0", "9" * 20, "abc"):
        client.get(index.url, {"sort": "name", "page": odd})
        assert text(client.get(index.url, {"sort": "name"})) == first, odd
    assert "Linked Data Basics" in text(client.get(index.url, {"sort": "name", "page": -1}))


def test_publishing_shows_at_once_on_every_page(
    client, site_tree, badge, make_badge, django_capture_on_commit_callbacks
):
    index = site_tree["index"]
    for url in ("/", index.url, badge.url):
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        make_badge("Fundamentals of Electronic Resources Acquisitions")
    assert "Fundamentals of Electronic Resources Acquisitions" in text(client.get(index.url))
    assert "Fundamentals of Electronic Resources Acquisitions" in text(client.get("/"))

    badge.title = "Beyond Web Analytics"
    with django_capture_on_commit_callbacks(execute=True):
        badge.save_revision().publish()
    page = text(client.get(badge.url))
    assert "<h1>Beyond Web Analytics</h1>" in page
    assert '<meta property="og:title" content="Beyond Web Analytics">' in page


def test_a_sync_that_changes_figures_shows_at_once(client, synced_badge):  # noqa: F811
    assert "Issued 30 times" in text(client.get(synced_badge.page.url))
    synced_badge.sync(badges_count=41)
    assert "Issued 41 times" in text(client.get(synced_badge.page.url))


def test_remembered_routes_follow_unpublishing_moves_and_deletion(
    client, site_tree, badge, make_badge, django_capture_on_commit_callbacks
):
    old_url = badge.url
    assert client.get(old_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        badge.unpublish()
    assert client.get(old_url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        badge.save_revision().publish()
    assert client.get(old_url).status_code == 200

    archive = site_tree["home"].add_child(instance=BadgeIndexPage(title="Archive", slug="archive"))
    with django_capture_on_commit_callbacks(execute=True):
        badge.move(archive, pos="last-child")
    # Wagtail's redirects app sends the old address on to the new one.
    assert client.get(old_url)["Location"] == "/archive/" + badge.slug + "/"
    assert "Beyond Web Page Analytics" in text(client.get("/archive/" + badge.slug + "/"))

    other = make_badge("Privacy in Libraries")
    assert client.get(other.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        other.delete()
    assert client.get(other.url).status_code == 404


def test_view_restrictions_apply_to_remembered_routes(
    client, site_tree, badge, django_capture_on_commit_callbacks
):
    assert "Attend every session" in text(client.get(badge.url))
    # Adding, changing or removing a restriction moves the content version on.
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=badge, restriction_type="password", password="pw"
        )
    for _ in range(2):
        response = client.get(badge.url)
        assert "Attend every session" not in response.content.decode()
        assert b'name="password"' in response.content
    with django_capture_on_commit_callbacks(execute=True):
        restriction.restriction_type = "login"
        restriction.save()
    assert client.get(badge.url).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert "Attend every session" in text(client.get(badge.url))

    # On an ancestor, for a group: members get in, others do not, checked on every request.
    with django_capture_on_commit_callbacks(execute=True):
        on_index = PageViewRestriction.objects.create(
            page=site_tree["index"], restriction_type="groups"
        )
        members = Group.objects.create(name="Members")
        on_index.groups.add(members)
    member = get_user_model().objects.create_user("mia", "mia@example.org", "pw")
    member.groups.add(members)
    outsider = get_user_model().objects.create_user("otto", "otto@example.org", "pw")
    for user, allowed in ((member, True), (outsider, False), (member, True)):
        visitor = Client()
        visitor.force_login(user)
        response = visitor.get(badge.url)
        assert ("Attend every session" in response.content.decode()) == allowed, user
    assert client.get(badge.url).status_code == 302


def test_previews_show_the_draft_not_the_stored_fragments(client, badge):
    assert "Beyond Web Page Analytics" in text(client.get(badge.url))
    badge.title = "A Draft Title Nobody Published"
    badge.criteria = "<p>Draft criteria.</p>"
    preview = text(badge.make_preview_request())
    assert "A Draft Title Nobody Published" in preview and "Draft criteria." in preview
    assert "A Draft Title Nobody Published" not in text(client.get(badge.url))


def test_search_results_are_rendered_every_time(client, site_tree, badge):
    url = site_tree["index"].url + "?q=analytics"
    with CountQueries() as first:
        assert "Beyond Web Page Analytics" in text(client.get(url))
    with CountQueries() as second:
        assert "Beyond Web Page Analytics" in text(client.get(url))
    # The route is remembered; the listing, its choices and the head are not.
    assert second.count > STORED_RENDER_QUERIES + 3
    assert second.count < first.count


def test_pages_with_something_personal_are_rendered_in_full(client, feedback_page, badge):
    tokens = set()
    for _ in range(2):
        response = Client().get(feedback_page.url)
        token = str(response.context["csrf_token"])
        assert token in response.content.decode()
        tokens.add(token)
    assert len(tokens) == 2

    share = badge.url + "share/mastodon/"
    for instance in ("mastodon.social", "hachyderm.io", "no such server!"):
        response = client.get(share, {"instance": instance})
        assert instance in response.content.decode()


def test_a_visitors_linkedin_answer_is_theirs_alone(client, badge):
    blank = text(client.get(badge.url))
    answer = text(
        client.get(
            badge.url,
            {
                "linkedin-credly_url": "https://www.credly.com/badges/"
                "0f4c5ab7-8a4f-4b19-9d2f-1c8b1f3ad001",
                "linkedin-issued_month": "3",
                "linkedin-issued_year": "2018",
            },
        )
    )
    assert "Your link is ready" in answer and "Your link is ready" not in blank
    wrong = text(client.get(badge.url, {"linkedin-credly_url": "https://example.org/"}))
    assert "Please check what you entered" in wrong and "Your link is ready" not in wrong
    assert text(client.get(badge.url)) == blank


def test_editors_get_stored_fragments_with_their_own_userbar(client, badge):
    anonymous = text(client.get(badge.url))
    editor = get_user_model().objects.create_superuser("eddie", "eddie@example.org", "pw")
    signed_in = Client()
    signed_in.force_login(editor)
    page = text(signed_in.get(badge.url))
    assert "wagtail-userbar" in page and "wagtail-userbar" not in anonymous
    start = anonymous.index('<article class="badge">')
    end = anonymous.index("</article>")
    assert anonymous[start:end] in page


def test_without_the_cache_pages_render_in_full(client, site_tree, badge, monkeypatch):
    expected = text(client.get(badge.url))
    cache.clear()
    route_cache.forget()

    def unreachable(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(fragment_cache, "read_many", unreachable)
    for _ in range(2):
        assert text(client.get(badge.url)) == expected
    assert "Beyond Web Page Analytics" in text(client.get(site_tree["index"].url))


def test_off_renders_everything(client, badge, settings):
    settings.BADGES_CMS_FRAGMENT_CACHE = False
    client.get(badge.url)
    with CountQueries() as again:
        client.get(badge.url)
    assert again.count > STORED_RENDER_QUERIES + 5


def test_the_tag_wants_a_quoted_name():
    with pytest.raises(TemplateSyntaxError, match="quoted fragment name"):
        Template("{% load badges_cms_cache %}{% badgescache name %}x{% endbadgescache %}")
    # Outside a page request (no request, no version) it renders what it encloses.
    rendered = Template(
        "{% load badges_cms_cache %}"
        "{% badgescache 'x' value %}<b>{{ value }}</b>{% endbadgescache %}"
    ).render(Context({"value": "fresh"}))
    assert rendered == "<b>fresh</b>"


class CountQueries:
    def __enter__(self):
        from django.db import connection

        self.sql = []
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    @property
    def count(self):
        return len(self.sql)

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)

    def __exit__(self, *exc_info):
        self._wrapper.__exit__(*exc_info)


def test_retiring_by_command_after_a_deploy(client, badge):
    assert "<h1>Beyond Web Page Analytics</h1>" in text(client.get(badge.url))
    # A release that changes a template, without any publish: the stored fragment stays...
    type(badge).objects.filter(pk=badge.pk).update(title="Renamed Quietly")
    assert "<h1>Beyond Web Page Analytics</h1>" in text(client.get(badge.url))
    # ...until the command retires it.
    out = StringIO()
    call_command("retire_cached_pages", stdout=out)
    assert "retired" in out.getvalue()
    assert "<h1>Renamed Quietly</h1>" in text(client.get(badge.url))


def test_changes_made_behind_wagtails_back_show_within_the_timeout(client, badge, settings):
    settings.BADGES_CMS_FRAGMENT_CACHE_TIMEOUT = 0  # every stored fragment and route is stale
    assert "<h1>Beyond Web Page Analytics</h1>" in text(client.get(badge.url))
    type(badge).objects.filter(pk=badge.pk).update(title="Renamed Quietly")
    assert "<h1>Renamed Quietly</h1>" in text(client.get(badge.url))
