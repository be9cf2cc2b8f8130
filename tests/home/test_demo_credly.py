"""The demo's Credly (home/demo_credly.py and its commands): with no Credly account, `make run`
syncs invented figures from the project's stand-in, so a newcomer's first page load shows them;
one command issues a badge and sends its webhook; production settings refuse the stand-in."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.core.management.base import CommandError

from badges_cms.credly import standin
from badges_cms.models import BadgePage, CredlyBadgeTemplate, CredlyIssuanceSnapshot
from home import demo_credly

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_credly_standin(settings):
    """The demo's stand-in on a free port, and the settings `make run` gives the site."""
    server = demo_credly.demo_standin()
    server.start()
    # Its images are served where the templates say: rebuild them for the port it got.
    templates = demo_credly.demo_templates()
    server.templates = [demo_credly.credly_shape(t, server.origin) for t in templates]
    settings.CREDLY_API_BASE_URL = server.base_url
    settings.CREDLY_API_TOKEN = standin.DEFAULT_TOKEN
    settings.CREDLY_ORGANIZATION_ID = standin.DEFAULT_ORGANIZATION_ID
    settings.CREDLY_IMAGE_HOSTS = [server.origin.removeprefix("http://")]
    settings.BADGES_CMS_DEMO_FIGURES = True
    yield server
    server.stop()


@pytest.fixture
def demo_site(db, demo_credly_standin):
    call_command("load_demo_badges", stdout=StringIO())
    call_command("load_demo_figures", stdout=StringIO())
    return demo_credly_standin


def test_every_demo_badge_shows_its_figures_on_the_first_load(client, demo_site):
    for template in demo_credly.demo_templates()[:5]:
        page = BadgePage.objects.get(slug=template.slug)
        html = client.get(page.url).content.decode()
        assert f"Issued {template.badges_count} times" in html, template.slug
    index = client.get(BadgePage.objects.first().get_parent().url).content.decode()
    total = sum(t.badges_count for t in demo_credly.demo_templates()[:5])
    summary = BeautifulSoup(index, "html.parser").select_one(".result-count").get_text(" ")
    assert f"issued {total} times" in " ".join(summary.split())


def test_the_history_gives_the_chart_a_line_and_is_written_once(demo_site):
    templates = CredlyBadgeTemplate.objects.count()
    assert templates == len(demo_credly.demo_templates())
    days = CredlyIssuanceSnapshot.objects.values("date").distinct().count()
    assert days == demo_credly.HISTORY_DAYS + 1  # the history, and today's sync
    rows = CredlyIssuanceSnapshot.objects.count()
    call_command("load_demo_figures", stdout=StringIO())
    assert CredlyIssuanceSnapshot.objects.count() == rows
    # Each template's figures grow day by day up to today's.
    for template in CredlyBadgeTemplate.objects.all():
        counts = list(template.snapshots.order_by("date").values_list("badges_count", flat=True))
        assert counts == sorted(counts) and counts[0] < counts[-1] == template.badges_count


def test_the_demo_images_stay_on_the_machine(demo_credly_standin):
    template = demo_credly_standin.templates[0]
    assert template["image_url"].startswith(demo_credly_standin.origin)


# The live server reads what the test writes, so no transaction; serialized_rollback brings back
# what migrations made (the default locale, the root page) after an earlier test emptied them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_demo_badge_issued_raises_its_count_through_the_webhook(live_server, demo_site):
    template = demo_credly.demo_templates()[0]
    out = StringIO()
    call_command(
        "demo_issue_badge", "--badge", template.slug, "--site", live_server.url, stdout=out
    )
    assert "Queued." in out.getvalue()
    # The test settings run tasks at once: the webhook's refresh is done when it answers.
    stored = CredlyBadgeTemplate.objects.get(pk=template.template_id)
    assert stored.badges_count == template.badges_count + 1
    assert len(demo_site.requests_to("/events/")) == 1


def test_an_unknown_demo_badge_is_refused_by_name(demo_credly_standin):
    with pytest.raises(CommandError, match="No demo badge 'nope'; choose one of: beyond-web"):
        call_command("demo_issue_badge", "--badge", "nope")


def test_the_demo_commands_refuse_to_run_with_credly_configured(settings):
    settings.BADGES_CMS_DEMO_FIGURES = False
    for command in ("run_credly_standin", "load_demo_figures", "demo_issue_badge"):
        with pytest.raises(CommandError, match="Credly"):
            call_command(command, stdout=StringIO())


def test_the_figures_wait_for_the_standin_and_say_where_it_is_missing(settings):
    settings.BADGES_CMS_DEMO_FIGURES = True
    settings.CREDLY_API_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens there
    with pytest.raises(CommandError, match="does not answer at 127.0.0.1:9"):
        call_command("load_demo_figures", "--wait", "0.2", stdout=StringIO())


def production(**env):
    base = {
        "DJANGO_SETTINGS_MODULE": "alasite.settings.production",
        "SECRET_KEY": "a-production-like-key-Zq8v3NcW1rT5yU7iO9pA2sD4fG6hJ8kL0xC3vB5nM7",
        "ALLOWED_HOSTS": "badges.example.org",
        "WAGTAILADMIN_BASE_URL": "https://badges.example.org",
    }
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CREDLY_", "BADGES"))}
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**environment, **base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"CREDLY_API_TOKEN": standin.DEFAULT_TOKEN, "CREDLY_ORGANIZATION_ID": "x"},
        {"BADGES_CMS_DEMO_FIGURES": "true"},
    ],
)
def test_production_settings_refuse_the_standin(env):
    checked = production(**env)
    assert checked.returncode != 0
    assert "Production settings cannot use the stand-in for Credly" in checked.stderr


def test_production_settings_without_the_standin_pass_the_check():
    checked = production()
    assert checked.returncode == 0, checked.stderr


def test_every_page_says_the_figures_are_invented_while_the_standin_is_the_source(
    client, demo_site, settings
):
    index = BadgePage.objects.first().get_parent()
    pages = [
        "/",
        index.url,
        BadgePage.objects.first().url,
        index.url + "issuers/",
    ]
    for url in pages:
        notice = BeautifulSoup(client.get(url).content, "html.parser").select(".demo-notice")
        assert len(notice) == 1, url
        assert "stand-in for Credly" in notice[0].get_text(), url
    settings.BADGES_CMS_DEMO_FIGURES = False
    assert "demo-notice" not in client.get(index.url).content.decode()
