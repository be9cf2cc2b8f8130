"""Builders of the data tests share: images, the site's page tree, the pilot's issuers.
Fixtures in conftest.py call them; a test that needs more than one of a thing calls them itself."""

from io import BytesIO

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from badges_cms.models import BadgeIndexPage, BadgeIssuer, Pathway, PathwayBadge, StepGuide
from home.models import HomePage

# The address the feedback tests submit from (TEST-NET-3, never a real client).
CLIENT_IP = "203.0.113.7"


def make_image(title="Badge", colour=(11, 83, 148)):
    buffer = BytesIO()
    PILImage.new("RGB", (400, 400), colour).save(buffer, "PNG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name=f"{title.lower().replace(' ', '-')}.png")
    )


def build_site_tree():
    """A HomePage as the default site's root, with an empty badge index below it."""
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="ALA Digital Badges", slug="ala-home"))
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    guide = StepGuide.objects.create(
        title="How to accept and share your badge",
        slug="accept-and-share",
        steps=[
            ("step", {"heading": "Make a free Credly account", "text": "<p>Sign up.</p>"}),
            ("step", {"heading": "Accept the badge", "text": "<p>Open the email.</p>"}),
        ],
    )
    index = home.add_child(
        instance=BadgeIndexPage(title="Digital badges", slug="badges", accept_guide=guide)
    )
    return {"home": home, "index": index, "site": site, "guide": guide}


def build_issuers():
    ala = BadgeIssuer.objects.create(
        name="American Library Association", acronym="ALA", slug="ala", kind="association"
    )
    lita = BadgeIssuer.objects.create(
        name="Library and Information Technology Association",
        acronym="LITA",
        slug="lita",
        kind="division",
        parent=ala,
    )
    alcts = BadgeIssuer.objects.create(
        name="Association for Library Collections and Technical Services",
        acronym="ALCTS",
        slug="alcts",
        kind="division",
        parent=ala,
    )
    return {"ala": ala, "lita": lita, "alcts": alcts}


def build_pathway(title, badges, *, slug=None, electives=(), issuer=None, publish=True, **fields):
    """A pathway of ``badges`` in that order (those in ``electives`` elective), saved with a
    revision as the admin saves it, and published unless ``publish`` is False."""
    pathway = Pathway(
        title=title,
        slug=slug or title.lower().replace(" ", "-"),
        issuer=issuer,
        description=fields.pop("description", f"{title}: badges to earn in order."),
        live=False,
        **fields,
    )
    pathway.entries = [
        PathwayBadge(badge=badge, required=badge not in electives, sort_order=number)
        for number, badge in enumerate(badges)
    ]
    pathway.save()
    revision = pathway.save_revision()
    if publish:
        revision.publish()
    pathway.refresh_from_db()
    return pathway
