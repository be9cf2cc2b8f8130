"""The suite proves which database and cache it ran on, and production settings hold up."""

import os

import pytest
from django.core.cache import caches
from django.db import connection
from django_redis import get_redis_connection

from tests.support.env import ON_POSTGRES, PRODUCTION_ENV, manage


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
