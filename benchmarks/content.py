"""The catalogue the benchmarks and the load and multi-instance runs serve: the demo site of
`load_demo_badges` (home, index with its blocks, five pilot badges, issuers, feedback page), then
as many generated badges as asked, each linked to a Credly template with synced figures.

Generated badge n is linked to the stand-in Credly's template n (badges_cms/credly/standin.py), so a
sync against the stand-in updates exactly these pages. Runs inside a Django process.
"""

import datetime
from io import StringIO

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from badges_cms.credly.standin import make_template, template_id

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


def add_live_badges(index, badges):
    """Add live badge pages below ``index`` quickly, for catalogues of thousands: ``badges`` is
    a list of (unsaved BadgePage, skill names) pairs, the pages' own fields filled in.

    What a listing reads is as Wagtail's add_child and a publish would leave it (tree paths as
    treebeard gives them, URL path, live, skills, the search index), without revisions, which
    listings never read. The Page rows and the skills go in batches; each BadgePage row is one
    INSERT (Django cannot batch a multi-table child), with none of add_child's per-page work."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page
    from wagtail.search.backends import get_search_backends

    from badges_cms.models import BadgePage, BadgeSkill, TaggedBadgeSkill

    if not badges:
        return []
    last = index.get_last_child()
    first_step = 1 + (step_number(last.path[-Page.steplen :]) if last else 0)
    content_type = ContentType.objects.get_for_model(BadgePage)
    now = timezone.now()
    with transaction.atomic():
        bases = Page.objects.bulk_create(
            [
                Page(
                    title=badge.title,
                    draft_title=badge.title,
                    slug=badge.slug,
                    path=index.path + step_text(first_step + offset),
                    depth=index.depth + 1,
                    numchild=0,
                    url_path=f"{index.url_path}{badge.slug}/",
                    content_type=content_type,
                    locale_id=index.locale_id,
                    live=True,
                    first_published_at=badge.first_published_at or now,
                    last_published_at=badge.last_published_at or now,
                )
                for offset, (badge, _skills) in enumerate(badges)
            ],
            batch_size=200,
        )
        for base, (badge, _skills) in zip(bases, badges, strict=True):
            badge.page_ptr = base
            # The Page row exists: save_base(raw=True) writes the BadgePage row alone.
            badge.save_base(raw=True, force_insert=True)
        Page.objects.filter(pk=index.pk).update(numchild=index.numchild + len(badges))
        index.numchild += len(badges)
        names = {name for _badge, skills in badges for name in skills}
        for name in names:
            BadgeSkill.objects.get_or_create(name=name)  # taggit gives it a unique slug
        skill_ids = dict(BadgeSkill.objects.filter(name__in=names).values_list("name", "pk"))
        TaggedBadgeSkill.objects.bulk_create(
            [
                TaggedBadgeSkill(content_object_id=base.pk, tag_id=skill_ids[name])
                for base, (_badge, skills) in zip(bases, badges, strict=True)
                for name in skills
            ],
            batch_size=500,
        )
    pages = list(BadgePage.objects.filter(pk__in=[base.pk for base in bases]))
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(BadgePage, pages)
    return pages


def step_text(number):
    """A treebeard path step: number in Page.alphabet, Page.steplen characters long."""
    from wagtail.models import Page

    digits = ""
    while number:
        number, digit = divmod(number, len(Page.alphabet))
        digits = Page.alphabet[digit] + digits
    return digits.rjust(Page.steplen, Page.alphabet[0])


def step_number(step):
    from wagtail.models import Page

    number = 0
    for character in step:
        number = number * len(Page.alphabet) + Page.alphabet.index(character)
    return number


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
    badges = []
    for offset in range(max(total - existing, 0)):
        number = generated + offset + 1
        page = BadgePage(
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
        skills = [SKILLS[number % len(SKILLS)], SKILLS[(number * 3 + 1) % len(SKILLS)]]
        badges.append((page, list(dict.fromkeys(skills))))
    add_live_badges(index, badges)
    added = len(badges)
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
    refresh_statistics()
    return added


def refresh_statistics():
    """The planner's statistics for the rows just added, as autovacuum keeps them on a running
    site. Right after a bulk load PostgreSQL has none yet and takes a table of a thousand pages
    for one row, so the page queries measured would be planned for a catalogue nobody runs."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def first_badge_url():
    """The address of generated badge 1 (or of any badge), from the site's root."""
    from badges_cms.models import BadgePage

    page = BadgePage.objects.live().filter(title=generated_title(1)).first()
    page = page or BadgePage.objects.live().order_by("path").first()
    return page.url
