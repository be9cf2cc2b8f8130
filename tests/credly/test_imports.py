"""import_template: a Credly template made a draft page at an editor's request, from what Credly
says now; refused, changing nothing, when it cannot be. (The screen that asks for it is tested
in tests/admin/test_credly_templates.py.)"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from wagtail.models import PageLogEntry

from badges_cms.credly.imports import ImportRefused, import_template
from badges_cms.credly.standin import make_template, template_id
from badges_cms.models import BadgeIndexPage, BadgePage


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("editor", "editor@example.org", "pw")


@pytest.mark.django_db
def test_the_draft_is_the_editors_and_its_image_problems_are_returned(credly, site_tree, editor):
    credly.templates = [make_template(3, image_url="https://images.evil.example/3.png")]
    page, problems = import_template(template_id(3), site_tree["index"], editor)
    assert page.get_parent().pk == site_tree["index"].pk
    assert BadgePage.objects.linked_to(template_id(3)).get() == page
    assert not page.live and page.owner == editor
    assert {revision.user for revision in page.revisions.all()} == {editor}
    assert PageLogEntry.objects.filter(page=page, action="wagtail.create", user=editor).exists()
    assert len(problems) == 1 and "not in CREDLY_IMAGE_HOSTS" in problems[0]


@pytest.mark.django_db
def test_a_template_that_already_has_a_page_is_refused_without_asking_credly(
    credly, site_tree, make_badge, editor
):
    credly.templates = [make_template(1)]
    make_badge("Beyond Web Page Analytics", credly_template_id=template_id(1))
    with pytest.raises(ImportRefused) as refused:
        import_template(template_id(1), site_tree["index"], editor)
    assert str(refused.value) == "“Beyond Web Page Analytics” already uses this template."
    assert credly.requests == []
    assert BadgePage.objects.linked_to(template_id(1)).count() == 1


def unconfigured(credly, settings):
    settings.CREDLY_API_TOKEN = ""


def no_longer_there(credly, settings):
    credly.templates = []


def unreachable(credly, settings):
    credly.add_fault("badge_templates/", status=503, times=None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "trouble, said",
    [
        (unconfigured, "Credly is not configured: CREDLY_API_TOKEN is not set."),
        (no_longer_there, "Credly no longer has this template."),
        (unreachable, "Credly could not be asked: "),
    ],
)
def test_when_credly_cannot_say_nothing_is_made(credly, settings, site_tree, editor, trouble, said):
    credly.templates = [make_template(3)]
    trouble(credly, settings)
    with pytest.raises(ImportRefused) as refused:
        import_template(template_id(3), site_tree["index"], editor)
    assert str(refused.value).startswith(said)
    assert not BadgePage.objects.exists()


# The rival page is made by the stand-in's thread, on its own database connection, while Credly
# answers: the test cannot hold a transaction open around it. serialized_rollback puts back what
# the migrations made for the tests that come after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_that_takes_the_template_meanwhile_wins(credly, site_tree, make_badge, editor):
    archive = site_tree["home"].add_child(
        instance=BadgeIndexPage(title="Archived badges", slug="archive")
    )
    credly.templates = [make_template(3)]
    rivals = []

    def quicker(body):
        """Another editor's import (or the nightly one) links a page while Credly answers."""
        try:
            rival = make_badge("Quicker", parent=archive, credly_template_id=template_id(3))
            rivals.append(rival)
        finally:
            connection.close()  # this thread's own connection

    credly.add_fault(f"badge_templates/{template_id(3)}", edit=quicker)
    with pytest.raises(ImportRefused) as refused:
        import_template(template_id(3), site_tree["index"], editor)
    assert str(refused.value) == "Another page took this template a moment ago."
    assert list(BadgePage.objects.linked_to(template_id(3))) == rivals
    assert not site_tree["index"].get_children().exists()  # the draft was rolled back
