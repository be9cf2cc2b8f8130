"""The feedback form: the badge field filled from ?badge=<slug> and kept honest, consent,
the honeypot, accessible errors, and the admin refusing questions that clash with fixed fields."""

import pytest
from bs4 import BeautifulSoup
from wagtail.models import PageViewRestriction
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from badges_cms.feedback.models import BadgeFeedbackSubmission

pytestmark = pytest.mark.django_db


def soup_of(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def test_the_badge_named_in_the_link_fills_the_badge_field(client, feedback_page, make_badge):
    badge = make_badge("Beyond Web Page Analytics")
    response = client.get(feedback_page.url, {"badge": badge.slug})
    assert response.status_code == 200
    soup = soup_of(response)
    field = soup.find("input", attrs={"name": "badge"})
    assert field["type"] == "hidden" and field["value"] == badge.slug
    assert "Beyond Web Page Analytics" in soup.select_one(".feedback-form__badge").get_text()


def test_a_submission_is_stored_with_the_badge_from_the_link(
    client, feedback_page, make_badge, post, answers
):
    badge = make_badge("Beyond Web Page Analytics")
    form = soup_of(client.get(feedback_page.url, {"badge": badge.slug})).find("form")
    # Send back what the page's form carries, hidden badge field included.
    hidden = {field["name"]: field["value"] for field in form.find_all("input", type="hidden")}
    assert hidden["badge"] == badge.slug

    response = post(answers(badge=hidden["badge"], email="ann@example.org"))

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    submission = BadgeFeedbackSubmission.objects.get()
    assert submission.page_id == feedback_page.pk
    assert submission.form_data == {
        "badge": badge.slug,
        "badge_title": "Beyond Web Page Analytics",
        "where_have_you_shared_the_badge": ["LinkedIn", "My CV"],
        "how_did_you_use_it": "I showed it at my annual review.",
        "what_would_improve_the_programme": "More badges for cataloguing.",
        "email": "ann@example.org",
    }


@pytest.mark.parametrize("forged", ["no-such-badge", "../admin", "<script>x</script>"])
def test_a_forged_badge_value_is_refused(client, feedback_page, make_badge, post, answers, forged):
    make_badge("Beyond Web Page Analytics")
    response = post(answers(badge=forged))
    assert response.status_code == 200
    assert not BadgeFeedbackSubmission.objects.exists()
    soup = soup_of(response)
    # The field becomes a visible list with the error tied to it, so the visitor can fix it.
    select = soup.find("select", attrs={"name": "badge"})
    assert select["aria-invalid"] == "true"
    error = soup.find(id=select["aria-describedby"].split()[-1])
    assert "not one of ours" in error.get_text()
    assert forged not in [option["value"] for option in select.find_all("option")]


def test_draft_and_private_badges_cannot_be_named(client, feedback_page, make_badge, post, answers):
    draft = make_badge("Draft badge", publish=False)
    private = make_badge("Members only badge")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    for slug in (draft.slug, private.slug):
        page = client.get(feedback_page.url, {"badge": slug})
        assert soup_of(page).find("select", attrs={"name": "badge"}) is not None, slug
        assert post(answers(badge=slug)).status_code == 200
    assert not BadgeFeedbackSubmission.objects.exists()


def test_without_a_badge_the_visitor_picks_one_or_none(
    client, feedback_page, make_badge, post, answers
):
    badge = make_badge("Beyond Web Page Analytics")
    soup = soup_of(client.get(feedback_page.url))
    options = soup.find("select", attrs={"name": "badge"}).find_all("option")
    assert [option["value"] for option in options] == ["", badge.slug]
    assert post(answers(badge="")).status_code == 200
    assert BadgeFeedbackSubmission.objects.get().form_data["badge"] == ""


def test_without_consent_nothing_is_stored_and_the_box_says_why(post, answers):
    response = post(answers(consent=None))
    assert response.status_code == 200
    assert not BadgeFeedbackSubmission.objects.exists()
    soup = soup_of(response)
    box = soup.find("input", attrs={"name": "consent"})
    assert box["aria-invalid"] == "true"
    assert "Tick this box" in soup.find(id=box["aria-describedby"]).get_text()
    # The summary at the top links to the box.
    assert soup.select_one(".feedback__errors a")["href"] == f"#{box['id']}"


def test_the_error_summary_links_to_every_field_in_error(post, answers):
    response = post(answers(where_have_you_shared_the_badge=None, consent=None, email="ann@"))
    soup = soup_of(response)
    targets = [link["href"][1:] for link in soup.select(".feedback__errors a")]
    assert len(targets) == 3
    for target in targets:
        control = soup.find(id=target)
        assert control is not None and control.name == "input", target
        assert control["aria-invalid"] == "true"
    # A group of boxes is described by its errors as a whole, on its fieldset.
    fieldset = soup.find("input", id=targets[0]).find_parent("fieldset")
    assert "required" in soup.find(id=fieldset["aria-describedby"]).get_text()


def test_a_filled_honeypot_rejects_the_submission_without_storing_it(post, answers):
    response = post(answers(website="https://spam.example/"))
    assert response.status_code == 400
    assert not BadgeFeedbackSubmission.objects.exists()
    soup = soup_of(response)
    assert "must stay empty" in soup.select_one(".feedback__rejected[role=alert]").get_text()
    # The trap comes back empty, so a person whose browser filled it can simply resend.
    assert soup.find("input", attrs={"name": "website"}).get("value") in (None, "")
    assert soup.find("textarea", attrs={"name": "how_did_you_use_it"}).get_text().strip()


def test_the_honeypot_is_hidden_from_people_without_inline_style(client, feedback_page):
    soup = soup_of(client.get(feedback_page.url))
    trap = soup.find("input", attrs={"name": "website"})
    wrapper = trap.find_parent("div")
    assert "feedback-form__trap" in wrapper["class"]
    assert wrapper["aria-hidden"] == "true"
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
    assert soup.find("label", attrs={"for": trap["id"]}).get_text() == "Leave this field empty"
    stylesheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert "/static/badges_cms/css/feedback.css" in stylesheets
    assert "style" not in wrapper.attrs


def test_every_question_has_a_label_and_required_ones_say_so(client, feedback_page):
    soup = soup_of(client.get(feedback_page.url))
    form = soup.find("form", class_="feedback-form")
    for control in form.find_all(["input", "textarea", "select"]):
        if control.get("type") in ("hidden",) or control["name"] == "csrfmiddlewaretoken":
            continue
        label = form.find("label", attrs={"for": control["id"]})
        assert label is not None and label.get_text().strip(), control["name"]
    legend = form.find("legend")
    assert legend.get_text(" ", strip=True) == "Where have you shared the badge? (required)"


def test_the_editor_cannot_add_a_question_named_like_a_fixed_field(admin_client, feedback_page):
    from django.urls import reverse

    def question(label):
        return {
            "label": label,
            "field_type": "singleline",
            "required": False,
            "choices": "",
            "default_value": "",
            "help_text": "",
        }

    data = nested_form_data(
        {
            "title": feedback_page.title,
            "slug": feedback_page.slug,
            "intro": rich_text(""),
            "thank_you_text": rich_text(""),
            "consent_text": "I agree.",
            "privacy_contact": "",
            "form_fields": inline_formset([question("Email"), question("Your role")]),
        }
    )
    url = reverse("wagtailadmin_pages:edit", args=(feedback_page.pk,))
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the editor again, with the error
    formset = response.context["form"].formsets["form_fields"]
    assert "already" in str(formset.forms[0].errors["label"])
    assert not formset.forms[1].errors
    assert not feedback_page.form_fields.filter(label="Your role").exists()
