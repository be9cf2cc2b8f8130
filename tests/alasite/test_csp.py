"""The Content Security Policy of public pages: scripts only from the site and Credly's embed.js
host, frames only from Credly, nothing inline; the admin keeps what it needs; a setting turns
it into a report-only policy."""

import json
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from badges_cms.credly import embed as embed_code
from badges_cms.models import BadgeIndexPage
from home import demo_content as demo
from tests.support.csp import PUBLIC_POLICY, inline_code_in, policy_of
from tests.support.env import PRODUCTION_ENV, manage

# The whole policy, directive by directive: a change to any of it should be a decision.


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_the_policy_allows_exactly_the_hosts_the_embed_uses():
    assert PUBLIC_POLICY["script-src"] == ["'self'", origin(embed_code.EMBED_SCRIPT_URL)]
    assert PUBLIC_POLICY["frame-src"] == [origin(embed_code.CREDLY_ORIGIN)]
    assert origin(embed_code.embedded_badge_url("x")) == embed_code.CREDLY_ORIGIN


@pytest.mark.django_db
def test_public_pages_send_the_whole_policy(client, site_tree, make_badge):
    badge = make_badge()
    for url in (site_tree["home"].url, site_tree["index"].url, badge.url, "/no-such-page/"):
        response = client.get(url)
        assert policy_of(response["Content-Security-Policy"]) == PUBLIC_POLICY, url
        assert "Content-Security-Policy-Report-Only" not in response


@pytest.mark.django_db
def test_the_admin_and_its_previews_are_left_out(admin_client, site_tree):
    home = site_tree["home"]
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=(home.pk,))
    form = nested_form_data(
        {
            "title": home.title,
            "slug": home.slug,
            "intro": rich_text("<p>Previewed.</p>"),
            "newest_badges_count": 4,
            "body": streamfield([]),
        }
    )
    assert admin_client.post(preview_url, form).json()["is_valid"] is True
    for url in (
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_pages:edit", args=(home.pk,)),
        # Wagtail renders a preview through the middleware again, for the page's public URL.
        preview_url,
        reverse("admin:index"),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" not in response, url
    assert b"Previewed." in admin_client.get(preview_url).content


def test_the_left_out_prefixes_are_where_the_admins_are(settings):
    prefixes = settings.CONTENT_SECURITY_POLICY["EXCLUDE_URL_PREFIXES"]
    assert sorted(prefixes) == sorted([reverse("wagtailadmin_home"), reverse("admin:index")])


@pytest.mark.django_db
def test_the_report_only_setting_sends_the_same_policy_without_enforcing_it(
    client, site_tree, settings
):
    policy = settings.CONTENT_SECURITY_POLICY
    with override_settings(
        CONTENT_SECURITY_POLICY=None, CONTENT_SECURITY_POLICY_REPORT_ONLY=policy
    ):
        response = client.get(site_tree["home"].url)
    assert "Content-Security-Policy" not in response
    assert policy_of(response["Content-Security-Policy-Report-Only"]) == PUBLIC_POLICY


SHOW_POLICY = (
    "import json; from django.conf import settings; print(json.dumps({"
    "'enforced': getattr(settings, 'CONTENT_SECURITY_POLICY', None), "
    "'report_only': getattr(settings, 'CONTENT_SECURITY_POLICY_REPORT_ONLY', None)}))"
)


def production_policy(**env):
    result = manage("shell", "-c", SHOW_POLICY, env={**PRODUCTION_ENV, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_enforces_the_policy_unless_told_to_report_only():
    enforced = production_policy()
    assert enforced["report_only"] is None
    assert enforced["enforced"]["DIRECTIVES"] == PUBLIC_POLICY

    trial = production_policy(CSP_REPORT_ONLY="true", CSP_REPORT_URI="https://reports.example/csp")
    assert trial["enforced"] is None
    assert trial["report_only"]["DIRECTIVES"] == {
        **PUBLIC_POLICY,
        "report-uri": "https://reports.example/csp",
    }


@pytest.mark.django_db
def test_no_public_page_of_the_demo_site_has_inline_script_or_style(client):
    call_command("load_demo_badges", stdout=StringIO())
    index = BadgeIndexPage.objects.get()
    urls = [page.url for page in Page.objects.live().public().filter(depth__gt=1)]
    urls += [f"{index.url}?issuer=alcts&sort=issued", "/no-such-page/"]
    assert len(urls) > len(demo.BADGES) + 2
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert inline_code_in(response.content.decode()) == [], url
