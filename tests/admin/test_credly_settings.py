"""The read-only Credly settings screen: what the environment configures, never the token."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

URL = "badges_cms_credly_settings:index"


def setting(html, name):
    cell = re.search(rf'data-setting="{name}">(.*?)</td>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()


def screen(client, staff):
    client.force_login(staff["manager"])
    return client.get(reverse(URL)).content.decode()


def test_it_shows_what_the_environment_configures(client, staff, synced, settings):
    settings.CREDLY_TOKEN_EXPIRES = (timezone.localdate() + timedelta(days=30)).isoformat()
    html = screen(client, staff)
    credly = synced["credly"]
    assert setting(html, "api-host") == credly.base_url
    assert setting(html, "organization") == credly.organization_id
    assert setting(html, "token") == "Set (never shown)"
    assert setting(html, "token-expires").endswith("(in 30 days)")
    assert credly.token not in html
    assert "Healthy" in html and "succeeded (via Command)" in html  # the last sync


def test_nothing_configured(client, staff, settings):
    settings.CREDLY_API_TOKEN = ""
    settings.CREDLY_ORGANIZATION_ID = ""
    settings.CREDLY_TOKEN_EXPIRES = ""
    html = screen(client, staff)
    assert setting(html, "token") == "Not set"
    assert setting(html, "organization") == "Not set"
    assert "Not set: no reminders" in setting(html, "token-expires")
    assert "The sync cannot run: CREDLY_API_TOKEN and CREDLY_ORGANIZATION_ID are not set." in html
    assert "Never synced" in html
    assert reverse("badges_cms_sync_log:sync_now") not in html  # nothing to sync with


def test_a_sandbox_host_is_marked(client, staff, settings):
    settings.CREDLY_API_TOKEN = "not-shown-token-123"
    settings.CREDLY_ORGANIZATION_ID = "9f2b6a4e-3c1d-4e5f-8a7b-1c2d3e4f5a6b"
    settings.CREDLY_API_BASE_URL = "https://sandbox-api.credly.com/v1"
    html = screen(client, staff)
    assert setting(html, "api-host") == "https://sandbox-api.credly.com/v1 sandbox"
    assert "not-shown-token-123" not in html


def test_malformed_values_are_described_not_echoed(client, staff, settings):
    settings.CREDLY_API_TOKEN = "secret-token-value"
    settings.CREDLY_ORGANIZATION_ID = "not-a-uuid"
    settings.CREDLY_API_BASE_URL = "https://user:secret-password@api.credly.com/v1"
    settings.CREDLY_TOKEN_EXPIRES = "next spring"
    html = screen(client, staff)
    assert setting(html, "api-host") == "Not a valid http(s) address"
    assert setting(html, "organization") == "Set, but not a valid UUID"
    assert "is not an ISO date" in setting(html, "token-expires")
    assert "secret-password" not in html and "secret-token-value" not in html


def test_an_expired_token_says_so(client, staff, synced, settings):
    settings.CREDLY_TOKEN_EXPIRES = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert "expired" in setting(screen(client, staff), "token-expires")
