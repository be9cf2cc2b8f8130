"""--import-drafts: a draft page per template without one, Credly's text made safe."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from badges_cms.credly.standin import make_template, template_id
from badges_cms.models import BadgeIndexPage, BadgePage

pytestmark = pytest.mark.django_db

HOSTILE = make_template(
    1,
    name="Cataloging <b>Basics</b>",
    description=(
        'Learn RDA. <script>alert("x")</script> Then <img src=x onerror=alert(1)>.\n\n'
        "Second paragraph & more."
    ),
    badge_template_activities=[
        {"title": "Attend <i>the</i> webinar", "activity_url": "javascript:alert(1)"},
        {"title": "Pass the quiz", "activity_url": "https://learn.example.org/quiz?a=1&b=2"},
    ],
    skills=["Cataloging", {"name": "RDA"}, 42],
    criteria_url="https://learn.example.org/criteria",
)


def import_drafts(*args):
    out, err = StringIO(), StringIO()
    call_command("sync_credly_badges", "--import-drafts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_drafts_are_created_escaped_and_never_published(credly, site_tree, image_host, client):
    credly.templates = [HOSTILE, make_template(2, image_url=f"{image_host}/images/2.png")]
    credly.templates[0]["image_url"] = f"{image_host}/images/1.png"
    out, err = import_drafts()
    assert "2 draft pages" in out, out + err
    page = BadgePage.objects.get(credly_template_id=template_id(1))
    assert not page.live
    assert page.get_parent().pk == site_tree["index"].pk
    assert page.title == "Cataloging <b>Basics</b>"  # a plain-text title, escaped when shown
    criteria = page.get_latest_revision_as_object().criteria
    assert "<script" not in criteria and "<img" not in criteria and "javascript:" not in criteria
    assert "&lt;script&gt;" in criteria
    assert '<a href="https://learn.example.org/quiz?a=1&amp;b=2">Pass the quiz</a>' in criteria
    assert "<p>Second paragraph &amp; more.</p>" in criteria
    assert sorted(page.skills.names()) == ["Cataloging", "RDA"]
    assert page.summary == "Learn RDA."
    # The image came from the allowed host, with alt text, on the draft editors will open.
    draft = page.get_latest_revision_as_object()
    assert draft.badge_image is not None and draft.badge_image.width == 300
    assert draft.badge_image_alt
    # Not on the public site.
    assert "Cataloging" not in client.get(site_tree["index"].url).content.decode()


def test_a_second_run_creates_no_duplicates(credly, site_tree, image_host):
    credly.templates = [make_template(i, image_url="") for i in range(1, 4)]
    import_drafts()
    out, _ = import_drafts()
    assert "draft pages" not in out
    assert BadgePage.objects.count() == 3


def test_a_template_that_already_has_a_page_gets_no_draft(credly, site_tree, make_badge):
    make_badge(credly_template_id=template_id(1))
    credly.templates = [make_template(1, image_url=""), make_template(2, image_url="")]
    import_drafts()
    assert BadgePage.objects.filter(credly_template_id=template_id(2), live=False).exists()
    assert BadgePage.objects.count() == 2


@pytest.mark.parametrize(
    "path, problem",
    [
        ("https://images.evil.example/x.png", "not in CREDLY_IMAGE_HOSTS"),
        ("{host}/not-an-image/x.png", "not an image"),
        ("{host}/lying/x.png", "not a readable image"),
        ("{host}/missing.png", "HTTP 404"),
    ],
)
def test_an_image_that_fails_is_reported_and_the_page_made_without_it(
    credly, site_tree, image_host, path, problem
):
    credly.templates = [make_template(1, image_url=path.format(host=image_host))]
    out, err = import_drafts()
    assert "1 draft page," in out and "1 image not imported" in out
    assert problem in err
    page = BadgePage.objects.get(credly_template_id=template_id(1))
    assert page.get_latest_revision_as_object().badge_image is None


def test_the_image_request_carries_no_token(credly, site_tree, image_host):
    # The image host is a different server: the stand-in sees only API calls, all of them
    # authenticated, and the image server never receives Credly's token.
    credly.templates = [make_template(1, image_url=f"{image_host}/images/1.png")]
    import_drafts()
    assert all("/images/" not in request.path for request in credly.requests)


def test_several_indexes_need_index_and_exit_2(credly, site_tree):
    other = site_tree["home"].add_child(instance=BadgeIndexPage(title="Other", slug="other"))
    credly.templates = [make_template(1, image_url="")]
    with pytest.raises(CommandError) as error:
        import_drafts()
    assert error.value.returncode == 2 and "--index" in str(error.value)
    assert credly.requests == []
    import_drafts("--index", str(other.pk))
    assert BadgePage.objects.get().get_parent().pk == other.pk


def test_dry_run_lists_drafts_without_making_them(credly, site_tree):
    credly.templates = [make_template(1, image_url="")]
    out, _ = import_drafts("--dry-run")
    assert "draft page: Example Badge 1" in out
    assert not BadgePage.objects.exists()
