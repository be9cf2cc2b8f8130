"""The suite proves which database and cache it ran on, and production settings hold up."""

import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django_redis import get_redis_connection

from alasite.settings.base import env_prepare_threshold
from tests.support.env import ON_POSTGRES, PRODUCTION_ENV, ROOT, manage


@pytest.mark.django_db
def test_database_is_the_one_database_url_names():
    expected = "postgresql" if ON_POSTGRES else "sqlite"
    assert connection.vendor == expected


@pytest.mark.postgres
@pytest.mark.django_db
def test_search_uses_postgres_full_text_search():
    from wagtail.search.backends import get_search_backend

    assert connection.vendor == "postgresql"
    assert type(get_search_backend()).__name__ == "PostgresSearchBackend"


def test_cache_is_redis_when_redis_url_is_set():
    cache = caches["default"]
    backend = type(cache).__name__
    if os.environ.get("REDIS_URL"):
        assert backend == "RedisCache" and type(cache).__module__ == "django_redis.cache"
        cache.set("infrastructure-check", {"ok": 1}, 30)
        assert cache.get("infrastructure-check") == {"ok": 1}
        # The value really went to the server: a raw client sees the key.
        client = get_redis_connection("default")
        assert client.exists(cache.make_and_validate_key("infrastructure-check"))
    else:
        assert backend == "LocMemCache"


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "override",
    [
        {"SECRET_KEY": ""},
        {"SECRET_KEY": "short"},
        {"ALLOWED_HOSTS": ""},
        {"WAGTAILADMIN_BASE_URL": "http://badges.example.org"},
    ],
)
def test_production_settings_refuse_to_start_without_real_configuration(override):
    result = manage("check", env={**PRODUCTION_ENV, **override})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_plans_a_page_query_once_per_connection(client, site_tree):
    """Parameters are bound on the server, so a query PostgreSQL has seen often enough on a
    connection runs prepared: the next render of the page skips planning it."""
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    threshold = connection.connection.prepare_threshold
    assert threshold is not None
    for _ in range(threshold + 2):
        assert client.get("/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "wagtailcore_site"' in statement for statement in prepared), prepared


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 5), ("", 5), ("none", None), (" None ", None), ("0", 0), ("12", 12)],
)
def test_the_prepare_threshold_comes_from_the_environment(monkeypatch, value, expected):
    """DATABASE_PREPARE_THRESHOLD: a count, or none (for a pooler in transaction mode)."""
    if value is None:
        monkeypatch.delenv("DATABASE_PREPARE_THRESHOLD", raising=False)
    else:
        monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", value)
    assert env_prepare_threshold("DATABASE_PREPARE_THRESHOLD") == expected


@pytest.mark.parametrize("value", ["-1", "five", "2.5"])
def test_a_bad_prepare_threshold_stops_the_site_with_a_message(monkeypatch, value):
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", value)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PREPARE_THRESHOLD must be"):
        env_prepare_threshold("DATABASE_PREPARE_THRESHOLD")


def test_the_wsgi_application_leaves_what_it_loaded_to_no_garbage_collection():
    """The modules, models and URL patterns loaded at start are frozen: full collections of
    the garbage collector, which stall a request, do not walk them."""
    code = (
        "import gc, alasite.wsgi; "
        "print(gc.get_freeze_count(), callable(alasite.wsgi.application), gc.isenabled())"
    )
    result = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    frozen, app_loaded, enabled = result.stdout.split()
    assert int(frozen) > 50_000 and app_loaded == "True"
    assert enabled == "True"  # what is made afterwards is still collected
