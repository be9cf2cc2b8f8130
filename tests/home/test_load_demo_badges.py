"""`load_demo_badges` leaves a site that works before any task worker runs: searchable, and
(with --address, as `make run` passes it) naming one host in its API, sitemap and robots.txt."""

import json
import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.models import DBTaskResult
from wagtail.models import Site

from badges_cms.models import BadgeIndexPage

pytestmark = pytest.mark.django_db

SERVED_AT = "http://127.0.0.1:8123"


def load(*args):
    out = StringIO()
    call_command("load_demo_badges", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def no_worker(settings):
    """Tasks go to django-tasks-db's queue, as under `make run`, and nothing runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.search_index
def test_the_demo_is_searchable_before_the_worker_has_run(client, no_worker):
    load()
    assert DBTaskResult.objects.filter(status="READY").exists()  # the worker's work, still queued
    index = BadgeIndexPage.objects.get()
    response = client.get(index.url, {"q": "analytics"})
    listing = response.context["listing"]
    assert [badge.title for badge in listing.page.object_list] == ["Beyond Web Page Analytics"]
    response = client.get(index.url, {"q": "serials"})
    assert response.context["listing"].count == 1


@pytest.fixture
def served_at(settings):
    """The settings `make run` gives the site (WAGTAILADMIN_BASE_URL from HOST and PORT, and the
    API's base URL with it), and a client that asks for that host."""
    settings.WAGTAILADMIN_BASE_URL = settings.WAGTAILAPI_BASE_URL = SERVED_AT
    return urlsplit(SERVED_AT).netloc


def hosts_named(client, host):
    def get(path):
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, path
        return response.content.decode()

    api = json.loads(get("/api/v2/pages/"))
    urls = [item["meta"][key] for item in api["items"] for key in ("detail_url", "html_url")]
    urls += re.findall(r"<loc>([^<]+)</loc>", get("/sitemap.xml"))
    urls += re.findall(r"^Sitemap: (\S+)$", get("/robots.txt"), re.MULTILINE)
    assert len(urls) > 10
    return {urlsplit(url).netloc for url in urls}


def test_api_sitemap_and_robots_name_the_served_host(client, served_at):
    out = load("--address", "127.0.0.1:8123")
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8123)
    assert "The default site is now 127.0.0.1:8123" in out
    assert hosts_named(client, served_at) == {served_at}


def test_the_address_is_kept_and_can_change(client, served_at):
    load("--address", "127.0.0.1:8123")
    assert "default site" not in load("--address", "127.0.0.1:8123")  # nothing to change
    load("--address", "localhost:9000")
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("localhost", 9000)
    assert Site.objects.count() == 1


def test_without_an_address_the_site_is_left_alone():
    load()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("localhost", 80)


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.1:http", ":8000", "host:70000"])
def test_a_malformed_address_is_refused(address):
    with pytest.raises(CommandError, match="HOST:PORT"):
        load("--address", address)
