"""Badge pages link to the feedback form with ?badge=<slug>; the feedback pages keep the public
Content Security Policy (nothing inline); the demo content has a feedback page."""

from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction, Site

from badges_cms.feedback.forms import RESERVED_NAMES
from badges_cms.feedback.models import BadgeFeedbackPage, BadgeFeedbackSubmission
from badges_cms.models import BadgePage
from home import demo_feedback
from tests.support.csp import inline_code_in

pytestmark = pytest.mark.django_db


def feedback_links(response):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return [link["href"] for link in soup.select(".badge-feedback a[href]")]


def test_a_badge_page_links_to_the_feedback_page_with_its_slug(client, feedback_page, make_badge):
    badge = make_badge("Beyond Web Page Analytics")
    (href,) = feedback_links(client.get(badge.url))
    parts = urlsplit(href)
    assert parts.path == feedback_page.url
    assert parse_qs(parts.query) == {"badge": [badge.slug]}
    # Following it gives a form about that badge.
    form_page = client.get(href)
    assert b"Beyond Web Page Analytics" in form_page.content


@pytest.mark.parametrize("state", ["draft", "private", "none"])
def test_no_link_without_a_live_public_feedback_page(client, site_tree, make_badge, state):
    if state != "none":
        page = BadgeFeedbackPage(title="Feedback", slug="feedback", live=state != "draft")
        site_tree["home"].add_child(instance=page)
        if state == "private":
            PageViewRestriction.objects.create(page=page, restriction_type="login")
    badge = make_badge()
    response = client.get(badge.url)
    assert response.status_code == 200
    assert feedback_links(response) == []


def test_a_feedback_page_below_a_private_section_is_not_linked(client, site_tree, make_badge):
    from wagtail.models import Page

    section = site_tree["home"].add_child(instance=Page(title="Members", slug="members"))
    PageViewRestriction.objects.create(page=section, restriction_type="login")
    section.add_child(instance=BadgeFeedbackPage(title="Feedback", slug="feedback"))
    assert feedback_links(client.get(make_badge().url)) == []


def test_the_feedback_page_is_looked_up_once_per_request(feedback_page, site_tree):
    request = RequestFactory().get("/")
    Site.find_for_request(request)  # found already when Wagtail serves a page
    with CaptureQueriesContext(connection) as queries:
        assert BadgeFeedbackPage.for_request(request) == feedback_page
        assert BadgeFeedbackPage.for_request(request) == feedback_page
    assert len(queries) == 1


def test_the_link_tag_writes_nothing_for_a_page_without_a_slug(feedback_page):
    template = Template("{% load badges_cms_feedback %}{% badge_feedback_link badge %}")
    request = RequestFactory().get("/")
    html = template.render(Context({"request": request, "badge": BadgePage(title="Unsaved")}))
    assert html.strip() == ""


def test_feedback_pages_have_no_inline_script_or_style(
    client, feedback_page, make_badge, post, answers, settings
):
    badge = make_badge()
    pages = {
        "form": client.get(feedback_page.url, {"badge": badge.slug}),
        "form without badge": client.get(feedback_page.url),
        "errors": post(answers(consent=None, badge="forged")),
        "honeypot": post(answers(website="x")),
        "thanks": post(answers(badge=badge.slug)),
        "badge page": client.get(badge.url),
    }
    settings.BADGES_FEEDBACK_RATE_LIMIT = 1
    pages["rate limited"] = post(answers())
    assert pages["rate limited"].status_code == 429
    for name, response in pages.items():
        assert "Content-Security-Policy" in response, name
        assert inline_code_in(response.content.decode()) == [], name


def test_the_demo_has_a_feedback_page_and_a_second_run_changes_nothing(client):
    call_command("load_demo_badges", stdout=StringIO())
    page = BadgeFeedbackPage.objects.get()
    assert page.live and page.get_parent().specific_class.__name__ == "HomePage"
    labels = list(page.form_fields.values_list("label", flat=True))
    assert labels == [question.label for question in demo_feedback.QUESTIONS]
    assert not set(page.form_fields.values_list("clean_name", flat=True)) & RESERVED_NAMES
    revisions = page.revisions.count()

    out = StringIO()
    call_command("load_demo_badges", stdout=out)
    assert BadgeFeedbackPage.objects.get().pk == page.pk
    assert page.form_fields.count() == len(demo_feedback.QUESTIONS)
    assert page.revisions.count() == revisions
    assert "already present" in out.getvalue()

    # Every demo badge page links to it, and the form takes an answer about the badge.
    badge = BadgePage.objects.live().first()
    (href,) = feedback_links(client.get(badge.url))
    assert client.get(href).status_code == 200
    names = {field.clean_name: field for field in page.form_fields.all()}
    data = {"badge": badge.slug, "consent": "on"}
    for name, field in names.items():
        if field.field_type == "radio":
            data[name] = field.choices.splitlines()[0]
        elif field.field_type == "checkboxes":
            data[name] = field.choices.splitlines()[:2]
        else:
            data[name] = "Useful."
    response = client.post(page.url, data, REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 200 and b"Thank you" in response.content
    assert BadgeFeedbackSubmission.objects.get().form_data["badge_title"] == badge.title
