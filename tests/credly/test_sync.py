"""What an operator reads from sync_credly_badges: each message once, in words that fit the
numbers, naming everything that is missing and the host that could not be reached."""

import logging
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.module_loading import import_string

from alasite.settings import base as site_settings
from badges_cms.credly.standin import CredlyStandIn, make_template

pytestmark = pytest.mark.django_db


def sync(*args):
    out = StringIO()
    try:
        call_command("sync_credly_badges", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def sync_in_a_terminal(*args):
    """The command on the process's own stdout and stderr, where the site's console logging
    writes too; a failure ends with the line manage.py prints for a CommandError."""
    try:
        call_command("sync_credly_badges", *args)
    except CommandError as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        return exc.returncode
    return 0


@pytest.fixture
def site_logging():
    """The reference site's console handler (alasite/settings/base.py's LOGGING, which the test
    settings leave out) on the badges_cms logger for the length of a test; what it writes to
    stderr is returned. Built from that config by hand: dictConfig() would close pytest's own
    handlers."""
    config = site_settings.LOGGING
    console = config["handlers"]["console"]
    assert console["class"] == "logging.StreamHandler"
    written = StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logging.Formatter(config["formatters"][console["formatter"]]["format"]))
    for name in console["filters"]:
        handler.addFilter(import_string(config["filters"][name]["()"])())
    logger = logging.getLogger("badges_cms")
    assert console is config["handlers"][config["loggers"]["badges_cms"]["handlers"][0]]
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield written
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_a_failure_is_printed_once_and_still_logged(
    templates, credly, site_logging, capsys, caplog
):
    credly.add_fault("badge_templates", page=1, status=401)

    assert sync_in_a_terminal() == 1

    printed = capsys.readouterr()
    terminal = printed.out + printed.err + site_logging.getvalue()
    assert terminal.count("Credly refused the API token") == 1, terminal
    assert "CommandError: Credly sync failed after 1 request: Credly refused" in printed.err
    # Log systems (Sentry, files, the journal's own fields) still get the record.
    [record] = [r for r in caplog.records if "Credly refused the API token" in r.getMessage()]
    assert record.levelname == "ERROR" and record.name == "badges_cms.credly"


def test_a_success_is_printed_once(templates, credly, site_logging, capsys):
    assert sync_in_a_terminal() == 0
    printed = capsys.readouterr()
    terminal = printed.out + printed.err + site_logging.getvalue()
    assert terminal.count("Credly sync synced: 120 templates (120 new") == 1, terminal


def test_counts_agree_with_their_nouns(credly):
    credly.templates = [make_template(1)]
    code, out = sync()
    assert code == 0
    assert "synced: 1 template (1 new, 0 changed, 0 gone from Credly); 1 request in" in out

    credly.templates.append(make_template(2))
    code, out = sync()
    assert "synced: 2 templates (1 new, 0 changed, 0 gone from Credly); 1 request in" in out


def test_every_missing_setting_is_named_at_once(credly, settings):
    settings.CREDLY_API_TOKEN = ""
    settings.CREDLY_ORGANIZATION_ID = ""
    code, message = sync()
    assert code == 2
    assert message == (
        "Credly is not configured: CREDLY_API_TOKEN and CREDLY_ORGANIZATION_ID are not set."
    )
    assert credly.requests == []


def test_a_missing_and_a_malformed_setting_are_named_together(credly, settings):
    settings.CREDLY_API_TOKEN = ""
    settings.CREDLY_API_BASE_URL = "ftp://api.credly.com/v1"
    code, message = sync()
    assert code == 2
    assert "CREDLY_API_TOKEN is not set." in message and "CREDLY_API_BASE_URL" in message


def test_a_network_failure_names_the_host(credly, settings):
    with CredlyStandIn() as closed:
        pass  # nothing listens on its port once stopped
    settings.CREDLY_API_BASE_URL = closed.base_url
    code, message = sync()
    host = closed.origin.removeprefix("http://")
    assert code == 1
    assert f"Could not reach {host}: connection refused" in message
    assert "gave up after 3 attempts" in message


def test_accepted_counts_are_asked_for_while_the_listing_is_still_read(templates, credly):
    """Each page's templates are counted as it arrives, not after the last page: 2,000
    templates are 40 pages, over a second of Credly's latency saved."""
    credly.add_fault("badge_templates", page=3, delay=0.3)  # the last of three pages is slow
    code, out = sync("--accepted-counts")
    assert code == 0, out
    paths = [request.path for request in credly.requests]
    last_page = next(
        i for i, request in enumerate(credly.requests) if request.query.get("page") == "3"
    )
    assert any(path.endswith("/badges") for path in paths[:last_page])
    assert len([path for path in paths if path.endswith("/badges")]) == 120
