"""The demo's Credly: the pilot's badge templates, served by the project's stand-in for Credly
(badges_cms/credly/standin.py) when no Credly account is configured, with figures that are the
same on every machine, and a short history of daily figures for the issuance report's chart.

`make run` starts it (`manage.py run_credly_standin`), syncs from it and writes the history
(`manage.py load_demo_figures`); `make demo-badge` has it issue a badge and POST the webhook
Credly would send (`manage.py demo_issue_badge`). Every figure it serves is invented, and the
site says so on every page while it is the source (BADGES_CMS_DEMO_FIGURES).
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from badges_cms.credly.standin import (
    DEFAULT_ORGANIZATION_ID,
    IMAGE_PATH,
    CredlyStandIn,
    make_template,
)
from badges_cms.models import CredlyBadgeTemplate, CredlyIssuanceSnapshot

from . import demo_content

# The port `make run` serves the stand-in on (CREDLY_STANDIN_PORT overrides it).
DEFAULT_PORT = 8765
ORGANIZATION_NAME = "American Library Association"
ORGANIZATION_SLUG = "american-library-association"
# Days of history before today's sync, for the chart.
HISTORY_DAYS = 14


@dataclass(frozen=True)
class DemoTemplate:
    template_id: str
    name: str
    slug: str
    description: str
    badges_count: int
    accepted_count: int
    state: str = "active"


def demo_templates():
    """The pilot's five badges, each linked to its page by its template id, and two templates
    that have no badge page yet (for the Credly templates screen's "Import as a draft")."""
    figures = {
        "beyond-web-page-analytics": (214, 187),
        "fundamentals-of-collection-development-and-management": (356, 301),
        "fundamentals-of-electronic-resources-and-acquisitions": (148, 122),
        "tactics-for-time-management-and-organizational-skills": (97, 80),
        "rda-serials-cataloging-update": (63, 51),
    }
    linked = [
        DemoTemplate(
            str(spec.credly_template_id),
            spec.title,
            spec.slug,
            " ".join(spec.summary.split()),
            *figures[spec.slug],
        )
        for spec in demo_content.BADGES
        if spec.credly_template_id
    ]
    unlinked = [
        DemoTemplate(
            "0d4c8e2a-7b1f-4c9d-8e3a-5f6b2c1d9e70",
            "Emerging Leaders Project Team",
            "emerging-leaders-project-team",
            "For completing a year of Emerging Leaders project work with a team of peers and "
            "presenting the result at the Annual Conference.",
            41,
            38,
        ),
        DemoTemplate(
            "8f1e3b6c-2a9d-4e70-b5c4-d3a2f1e0c9b8",
            "Spectrum Scholar",
            "spectrum-scholar",
            "For Spectrum Scholars who completed the programme's leadership institute.",
            72,
            66,
        ),
    ]
    return linked + unlinked


def credly_shape(template, origin, organization_id=DEFAULT_ORGANIZATION_ID):
    """A demo template in Credly's shape; its image is served by the stand-in at ``origin``."""
    image_url = f"{origin}{IMAGE_PATH}{template.template_id}.png"
    vanity = f"https://www.credly.com/org/{ORGANIZATION_SLUG}"
    return make_template(
        0,
        organization_id,
        id=template.template_id,
        name=template.name,
        description=template.description,
        state=template.state,
        badges_count=template.badges_count,
        get_issue_count=template.badges_count,
        vanity_slug=template.slug,
        url=f"{vanity}/badge/{template.slug}",
        image={"id": template.template_id, "url": image_url},
        image_url=image_url,
        owner={
            "type": "Organization",
            "id": organization_id,
            "name": ORGANIZATION_NAME,
            "url": f"https://www.credly.com/api/v1/organizations/{organization_id}",
            "vanity_url": vanity,
            "vanity_slug": ORGANIZATION_SLUG,
            "verified": True,
        },
    )


def demo_standin(port=DEFAULT_PORT):
    """The stand-in loaded with the demo's templates (not started)."""
    standin = CredlyStandIn()
    origin = f"http://127.0.0.1:{port}"
    templates = demo_templates()
    standin.templates = [credly_shape(template, origin) for template in templates]
    standin.accepted_counts = {t.template_id: t.accepted_count for t in templates}
    return standin


@dataclass(frozen=True)
class DayFigures:
    """What CredlyIssuanceSnapshot.objects.record reads of a template."""

    pk: str
    badges_count: int
    accepted_count: int


def history(templates, days=HISTORY_DAYS):
    """[(days ago, [DayFigures])]: each template's figures on each of the last ``days`` days
    before today, growing steadily to today's. The same on every machine."""
    rows = []
    for ago in range(days, 0, -1):
        share = 1 - ago / (days * 3)  # two thirds of today's count, days ago; then steady growth
        rows.append(
            (
                ago,
                [
                    DayFigures(
                        t.template_id, int(t.badges_count * share), int(t.accepted_count * share)
                    )
                    for t in templates
                ],
            )
        )
    return rows


def record_history(now=None):
    """Write the demo's past daily figures (never today's: the sync writes those). Only for
    templates the site has synced; run again, it writes the same rows."""
    now = now or timezone.now()
    synced = set(CredlyBadgeTemplate.objects.values_list("pk", flat=True))
    known = [t for t in demo_templates() if uuid.UUID(t.template_id) in synced]
    for ago, figures in history(known):
        CredlyIssuanceSnapshot.objects.record(figures, now - timedelta(days=ago))
    return len(known)
