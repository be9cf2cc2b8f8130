"""badges_cms/conf.py: each setting declared once, read through conf, reported by `check`."""

import re
import uuid
from datetime import date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core import checks
from django.core.management import call_command, load_command_class
from django.core.management.base import SystemCheckError

from badges_cms import conf
from badges_cms.credly.client import CredlyConfigError
from badges_cms.models import CredlySyncRun

DOCS = Path(__file__).resolve().parent.parent / "docs" / "settings.md"
ORGANIZATION = "9f2b6a4e-3c1d-4e5f-8a7b-1c2d3e4f5a6b"

MALFORMED = [
    ("BADGES_CMS_PER_PAGE", 0),
    ("BADGES_CMS_PER_PAGE", "24"),
    ("BADGES_CMS_PER_PAGE", True),
    ("BADGES_CMS_MAX_QUERY_LENGTH", -1),
    ("BADGES_CMS_MAX_QUERY_LENGTH", 1.5),
    ("BADGES_CMS_CREDLY_EMBED_MODE", "inline"),
    ("BADGES_CMS_CREDLY_EMBED_MODE", None),
    ("BADGES_CMS_SHARE_IMAGE_BACKGROUND", "f4f1e"),
    ("BADGES_CMS_SHARE_IMAGE_BACKGROUND", "#ggg"),
    ("BADGES_CMS_SHARE_IMAGE_BACKGROUND", 0xF4F1EA),
    ("BADGES_CMS_DEFAULT_SHARE_IMAGE", "img/share-card.png"),
    ("BADGES_CMS_DEFAULT_SHARE_IMAGE", {"path": "img/share-card.png"}),
    (
        "BADGES_CMS_DEFAULT_SHARE_IMAGE",
        {"path": "img/share-card.png", "width": "1200", "height": 630, "alt": "A card"},
    ),
    (
        "BADGES_CMS_DEFAULT_SHARE_IMAGE",
        {"path": "a.png", "width": 1200, "height": 630, "alt": "", "heigth": 630},
    ),
    (
        "BADGES_CMS_DEFAULT_SHARE_IMAGE",
        {"path": "a.pdf", "width": 1200, "height": 630, "alt": "", "type": "application/pdf"},
    ),
    ("BADGES_CMS_FEED_LENGTH", 0),
    ("BADGES_CMS_ISSUER_FALLBACK_EMAIL", "badges"),
    ("BADGES_CMS_ISSUER_FALLBACK_EMAIL", None),
    ("BADGES_CMS_SYNC_STALE_AFTER_HOURS", 0),
    ("BADGES_CMS_SYNC_STALE_AFTER_HOURS", "36"),
    ("BADGES_CMS_ALERT_GROUP", ""),
    ("BADGES_CMS_ALERT_GROUP", None),
    ("BADGES_CMS_SYNC_LOCK_WAIT", -1),
    ("BADGES_CMS_SYNC_LOCK_WAIT", "300"),
    ("BADGES_CMS_WEBHOOK_REFRESHES_PER_MINUTE", -1),
    ("BADGES_CMS_WEBHOOK_REFRESHES_PER_MINUTE", 2.5),
    ("BADGES_CMS_WEBHOOK_REFRESH_DELAY", -5),
    ("BADGES_CMS_WEBHOOK_REFRESH_DELAY", None),
    ("BADGES_CMS_TOKEN_REMINDER_DAYS", 14),
    ("BADGES_CMS_TOKEN_REMINDER_DAYS", (14, -1)),
    ("BADGES_CMS_TOKEN_REMINDER_DAYS", ("14",)),
    ("BADGES_CMS_CACHE_MAX_AGE", -1),
    ("BADGES_CMS_CACHE_MAX_AGE", "60"),
    ("BADGES_CMS_CACHE_S_MAXAGE", -1),
    ("BADGES_CMS_CACHE_S_MAXAGE", 1.5),
    ("BADGES_CMS_VERIFY_CACHE_SECONDS", -1),
    ("BADGES_CMS_VERIFY_CACHE_SECONDS", "900"),
    ("BADGES_CMS_VERIFY_RATE_LIMIT", 0),
    ("BADGES_CMS_VERIFY_RATE_WINDOW", 0),
    ("BADGES_CMS_TRUSTED_PROXIES", "10.0.0.1"),
    ("BADGES_CMS_TRUSTED_PROXIES", ["proxy.internal"]),
    ("CREDLY_API_TOKEN", "token with spaces"),
    ("CREDLY_API_TOKEN", "user:password"),
    ("CREDLY_API_TOKEN", "tökén"),
    ("CREDLY_API_TOKEN", 12345),
    ("CREDLY_ORGANIZATION_ID", "not-a-uuid"),
    ("CREDLY_ORGANIZATION_ID", 42),
    ("CREDLY_API_BASE_URL", "ftp://api.credly.com/v1"),
    ("CREDLY_API_BASE_URL", "api.credly.com/v1"),
    ("CREDLY_API_BASE_URL", "https://api.credly.com/v1?page=2"),
    ("CREDLY_API_BASE_URL", "https://api.credly.com/v1#top"),
    ("CREDLY_API_BASE_URL", "https://user:secret@api.credly.com/v1"),
    ("CREDLY_API_BASE_URL", "https://api.credly.com:99999/v1"),
    ("CREDLY_IMAGE_HOSTS", "images.credly.com"),
    ("CREDLY_IMAGE_HOSTS", ["https://images.credly.com"]),
    ("CREDLY_IMAGE_HOSTS", ["images credly com"]),
    ("CREDLY_IMAGE_HOSTS", [None]),
    ("CREDLY_IMAGE_HOSTS", ["images.credly.com:0"]),
    ("CREDLY_TOKEN_EXPIRES", "next spring"),
    ("CREDLY_TOKEN_EXPIRES", "30/09/2026"),
    ("CREDLY_TOKEN_EXPIRES", datetime(2026, 9, 30, 12, 0)),
    ("CREDLY_CLIENT_OPTIONS", [("deadline", 5)]),
    ("CREDLY_CLIENT_OPTIONS", {"deadlin": 5}),
    ("CREDLY_CLIENT_OPTIONS", {"token": "another"}),
    ("CREDLY_CLIENT_OPTIONS", {"deadline": 0}),
    ("CREDLY_CLIENT_OPTIONS", {"max_retries": 1.5}),
]

VALID = [
    ("BADGES_CMS_PER_PAGE", 1),
    ("BADGES_CMS_CREDLY_EMBED_MODE", "iframe"),
    ("BADGES_CMS_SHARE_IMAGE_BACKGROUND", "#FFF"),
    (
        "BADGES_CMS_DEFAULT_SHARE_IMAGE",
        {"path": "a.jpg", "width": 1200, "height": 630, "alt": "", "type": "image/jpeg"},
    ),
    ("BADGES_CMS_ISSUER_FALLBACK_EMAIL", "badges@example.org"),
    ("BADGES_CMS_SYNC_STALE_AFTER_HOURS", 1.5),
    ("BADGES_CMS_SYNC_LOCK_WAIT", 0),
    ("BADGES_CMS_WEBHOOK_REFRESHES_PER_MINUTE", 0),
    ("BADGES_CMS_WEBHOOK_REFRESH_DELAY", 0),
    ("BADGES_CMS_TOKEN_REMINDER_DAYS", []),
    ("BADGES_CMS_TOKEN_REMINDER_DAYS", [30, 7, 0]),
    ("BADGES_CMS_CACHE_MAX_AGE", 0),
    ("BADGES_CMS_VERIFY_CACHE_SECONDS", 0),
    ("BADGES_CMS_TRUSTED_PROXIES", ["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"]),
    ("CREDLY_API_TOKEN", None),
    ("CREDLY_ORGANIZATION_ID", uuid.UUID(ORGANIZATION)),
    ("CREDLY_API_BASE_URL", ""),
    ("CREDLY_API_BASE_URL", "http://127.0.0.1:8123/v1/"),
    ("CREDLY_IMAGE_HOSTS", []),
    ("CREDLY_IMAGE_HOSTS", ["Images.Credly.com", "127.0.0.1:8000", "localhost"]),
    ("CREDLY_TOKEN_EXPIRES", "2026-09-30"),
    ("CREDLY_TOKEN_EXPIRES", date(2026, 9, 30)),
    ("CREDLY_TOKEN_EXPIRES", None),
    ("CREDLY_CLIENT_OPTIONS", {"deadline": 30, "max_retries": 0, "backoff_base": 0.01}),
]


def our_messages():
    return [m for m in checks.run_checks() if m.id.startswith("badges_cms.")]


def test_every_setting_is_declared_once_with_a_meaning():
    assert set(conf.DEFAULTS) == set(conf.SETTINGS)
    assert all(name.startswith(("BADGES_CMS_", "CREDLY_")) for name in conf.SETTINGS)
    ids = [setting.check_id for setting in conf.SETTINGS.values()]
    assert len(set(ids)) == len(ids)
    assert all(setting.meaning and setting.expected for setting in conf.SETTINGS.values())


def test_the_site_and_the_defaults_report_nothing(settings):
    assert our_messages() == []  # the test settings, which set some of them
    for name in conf.SETTINGS:
        if hasattr(settings, name):
            delattr(settings, name)
    assert all(conf.get(name) == setting.default for name, setting in conf.SETTINGS.items())
    assert our_messages() == []  # Credly left unconfigured is no error


@pytest.mark.parametrize("name", list(conf.SETTINGS))
def test_get_answers_the_default_when_unset_and_the_override_when_set(settings, name):
    if hasattr(settings, name):
        delattr(settings, name)
    assert conf.get(name) == conf.SETTINGS[name].default
    override = object()
    setattr(settings, name, override)
    assert conf.get(name) is override


def test_get_refuses_a_name_that_is_not_a_setting():
    with pytest.raises(KeyError):
        conf.get("BADGES_CMS_NO_SUCH_SETTING")


@pytest.mark.parametrize("name, value", MALFORMED)
def test_a_malformed_value_is_an_error_naming_the_setting(settings, name, value):
    setattr(settings, name, value)
    messages = our_messages()
    assert [m.id for m in messages if m.level >= checks.ERROR] == [conf.SETTINGS[name].check_id]
    error = messages[0]
    assert error.msg.startswith(f"{name} ")
    assert error.hint.startswith("Expected ")


@pytest.mark.parametrize("name, value", VALID)
def test_valid_values_report_nothing(settings, name, value):
    setattr(settings, name, value)
    assert [m for m in our_messages() if m.level >= checks.ERROR] == []


def test_manage_py_check_fails_naming_each_malformed_setting(settings):
    settings.BADGES_CMS_PER_PAGE = 0
    settings.BADGES_CMS_SHARE_IMAGE_BACKGROUND = "beige"
    with pytest.raises(SystemCheckError) as failed:
        call_command("check", stdout=StringIO(), stderr=StringIO())
    report = str(failed.value)
    assert "(badges_cms.E001) BADGES_CMS_PER_PAGE is 0, less than 1." in report
    assert "(badges_cms.E004) BADGES_CMS_SHARE_IMAGE_BACKGROUND is 'beige'" in report
    assert "HINT: Expected a whole number of at least 1" in report


@pytest.mark.parametrize(
    "name, value",
    [
        ("CREDLY_API_TOKEN", "hunter2 hunter2"),
        ("CREDLY_API_BASE_URL", "https://user:hunter2@api.credly.com/v1"),
        ("CREDLY_API_BASE_URL", "https://api.credly.com/v1?key=hunter2"),
        ("CREDLY_ORGANIZATION_ID", "hunter2-in-the-wrong-place"),
    ],
)
def test_values_that_may_be_secret_are_never_repeated(settings, name, value):
    setattr(settings, name, value)
    (error,) = [m for m in our_messages() if m.level >= checks.ERROR]
    assert error.id == conf.SETTINGS[name].check_id
    assert "hunter2" not in error.msg + error.hint


def test_a_misspelt_setting_is_a_warning(settings):
    settings.BADGES_CMS_PERPAGE = 12
    settings.CREDLY_TOKEN = "x"
    messages = our_messages()
    assert [(m.id, m.level) for m in messages] == [("badges_cms.W001", checks.WARNING)] * 2
    assert {m.msg.split()[0] for m in messages} == {"BADGES_CMS_PERPAGE", "CREDLY_TOKEN"}


@pytest.mark.parametrize(
    "token, organization, warned",
    [
        ("", "", False),
        ("a-token", ORGANIZATION, False),
        ("a-token", "", True),
        ("", ORGANIZATION, True),
    ],
)
def test_credly_half_configured_is_a_warning(settings, token, organization, warned):
    settings.CREDLY_API_TOKEN, settings.CREDLY_ORGANIZATION_ID = token, organization
    assert [m.id for m in our_messages()] == (["badges_cms.W002"] if warned else [])


@pytest.mark.parametrize(
    "name, value", [m for m in MALFORMED if m[0] in conf.CREDLY_CONFIG_SETTINGS]
)
def test_credly_config_refuses_what_the_check_refuses(settings, name, value):
    settings.CREDLY_API_TOKEN, settings.CREDLY_ORGANIZATION_ID = "a-token", ORGANIZATION
    setattr(settings, name, value)
    with pytest.raises(CredlyConfigError) as refused:
        conf.credly_config()
    assert str(refused.value).startswith(conf.problem(name))


def test_credly_config_from_the_settings(settings):
    settings.CREDLY_API_TOKEN, settings.CREDLY_ORGANIZATION_ID = " a-token ", ORGANIZATION.upper()
    settings.CREDLY_API_BASE_URL = ""
    settings.CREDLY_CLIENT_OPTIONS = {"deadline": 30}
    config = conf.credly_config(max_retries=1)
    assert (config.token, config.organization_id) == ("a-token", ORGANIZATION)
    assert config.base_url == "https://api.credly.com/v1"
    assert (config.deadline, config.max_retries, config.per_page) == (30, 1, 50)
    del settings.CREDLY_API_TOKEN
    with pytest.raises(CredlyConfigError, match="CREDLY_API_TOKEN is not set"):
        conf.credly_config()


def test_credly_image_hosts_are_lower_case(settings):
    del settings.CREDLY_IMAGE_HOSTS
    assert conf.credly_image_hosts() == ["images.credly.com"]
    settings.CREDLY_IMAGE_HOSTS = ["Images.Example.org:8443"]
    assert conf.credly_image_hosts() == ["images.example.org:8443"]


def run_from_manage_py(name, capsys):
    """Run a command the way manage.py does, system checks first; its exit code and stderr.
    Like manage.py, it closes the database connections as it ends: the tests that use it run
    outside a test transaction (transaction=True), which a closed connection would break."""
    with pytest.raises(SystemExit) as exited:
        load_command_class("badges_cms", name).run_from_argv(["manage.py", name])
    return exited.value.code, capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_the_sync_exits_2_when_the_system_checks_refuse_a_setting(settings, capsys):
    """manage.py runs the system checks before the command: a malformed setting still exits 2
    (the contract's "settings missing or malformed"), before any request, recording nothing."""
    settings.CREDLY_API_TOKEN, settings.CREDLY_ORGANIZATION_ID = "a-token", ORGANIZATION
    settings.CREDLY_API_BASE_URL = "https://api.credly.com/v1?x=1"
    code, err = run_from_manage_py("sync_credly_badges", capsys)
    assert code == 2
    assert "(badges_cms.E018) CREDLY_API_BASE_URL has a query." in err
    assert not CredlySyncRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_health_check_runs_despite_a_malformed_setting(settings, capsys):
    """Alerts still go out: check_credly_health is not stopped by the system checks, and a
    malformed expiry date is its own exit 2 after the rest of the check."""
    settings.CREDLY_TOKEN_EXPIRES = "30/09/2026"
    code, err = run_from_manage_py("check_credly_health", capsys)
    assert code == 2
    assert "CREDLY_TOKEN_EXPIRES '30/09/2026' is not an ISO date" in err
    assert "badges_cms.E020" not in err


def literal(value):
    return repr(value).replace("'", '"')


def test_the_settings_reference_matches_conf():
    rows = {}
    for line in DOCS.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`((?:BADGES_CMS|CREDLY)_[A-Z_]+)`", cells[0]) if cells else None
        if match and len(cells) >= 5:
            rows[match.group(1)] = cells
    assert list(rows) == list(conf.SETTINGS)
    for name, (_, default, meaning, expected, check_id, *_rest) in rows.items():
        setting = conf.SETTINGS[name]
        assert default == f"`{literal(setting.default)}`", name
        assert meaning == setting.meaning, name
        assert expected == setting.expected, name
        assert check_id == f"`{setting.check_id}`", name
