"""The catalogue the benchmarks and the load and multi-instance runs serve: the demo site of
`load_demo_badges` (home, index with its blocks, five pilot badges, issuers, feedback page), then
as many generated badges as asked, each linked to a Credly template with synced figures.

Generated badge n is linked to the stand-in Credly's template n (tests/credly_standin.py), so a
sync against the stand-in updates exactly these pages. Runs inside a Django process.
"""

import datetime
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.credly_standin import make_template, template_id

SKILLS = [
    "Assessment",
    "Cataloging",
    "Collection Development",
    "Leadership",
    "Linked Data",
    "Outreach",
    "Web Analytics",
]
GENERATED = "Generated Badge"


def load_demo():
    call_command("load_demo_badges", stdout=StringIO())


def index_page():
    from badges_cms.models import BadgeIndexPage

    return BadgeIndexPage.objects.live().order_by("path").first()


def generated_title(number):
    return f"{GENERATED} {number:04}"


def grow_to(total):
    """Add generated badges until the site has ``total`` badge pages; returns how many were
    added. Pages are saved live without revisions (listings never read revisions)."""
    from wagtail.images import get_image_model

    from badges_cms.models import BadgeIssuer, BadgePage, CredlyBadgeTemplate

    index = index_page().specific
    existing = BadgePage.objects.count()
    generated = BadgePage.objects.filter(title__startswith=GENERATED).count()
    issuers = list(BadgeIssuer.objects.order_by("pk"))
    images = list(get_image_model().objects.order_by("pk")[:5])
    now = timezone.now()
    added = 0
    for offset in range(max(total - existing, 0)):
        number = generated + offset + 1
        with transaction.atomic():
            page = index.add_child(
                instance=BadgePage(
                    title=generated_title(number),
                    slug=f"generated-badge-{number:04}",
                    summary=f"A generated badge, number {number}, for measuring the catalogue.",
                    criteria="<p>Attend every session and complete the final exercise.</p>",
                    issuer=issuers[number % len(issuers)],
                    badge_image=images[number % len(images)],
                    badge_image_alt=f"{generated_title(number)}: a round badge",
                    launched=datetime.date(2016 + number % 4, 1 + number % 12, 1),
                    credly_template_id=template_id(number),
                    first_published_at=now,
                    last_published_at=now,
                )
            )
            page.skills.add(SKILLS[number % len(SKILLS)], SKILLS[(number * 3 + 1) % len(SKILLS)])
            page.save()
        added += 1
    templates = [make_template(number) for number in range(1, generated + added + 1)]
    CredlyBadgeTemplate.objects.bulk_create(
        [
            CredlyBadgeTemplate(
                id=template["id"],
                name=template["name"],
                url=template["url"],
                image_url=template["image_url"],
                state=template["state"],
                badges_count=template["badges_count"],
                synced_at=now,
                last_seen_at=now,
            )
            for template in templates
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    return added


def first_badge_url():
    """The address of generated badge 1 (or of any badge), from the site's root."""
    from badges_cms.models import BadgePage

    page = BadgePage.objects.live().filter(title=generated_title(1)).first()
    page = page or BadgePage.objects.live().order_by("path").first()
    return page.url
