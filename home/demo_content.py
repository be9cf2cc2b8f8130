"""The ALA digital badges pilot (2016–2017) as data, for `manage.py load_demo_badges`.

Facts (who took part, which badges, how Credly works) come from the pilot's public page and
DESIGN.md; every sentence here is our own. Slugs and the Credly template ids are the stable
keys the command matches on, so change them only together with existing databases.
"""

import datetime
import math
import uuid
from dataclasses import dataclass, field
from io import BytesIO

# Fixed ids so the Credly sync work has templates to link to; the others stay unlinked.
BEYOND_WEB_ANALYTICS_TEMPLATE_ID = uuid.UUID("90ea8865-ec5d-44cd-b8d3-aacd4ef9502c")
COLLECTION_DEVELOPMENT_TEMPLATE_ID = uuid.UUID("23493415-d092-4884-88bf-917e3dc450e3")
ELECTRONIC_RESOURCES_TEMPLATE_ID = uuid.UUID("5b0e6c1f-2d7a-4f3e-9c18-6a4b2e8d1f07")
TIME_MANAGEMENT_TEMPLATE_ID = uuid.UUID("c7d21e94-8a3b-4b6f-a05e-19f3c2d8e6a1")
RDA_SERIALS_TEMPLATE_ID = uuid.UUID("e4a9f2b0-6c15-4d8e-b7a3-0f5d1c9e2b48")

ALA_SLUG = "ala"
CENTER_SLUG = "future-of-libraries"
GUIDE_SLUG = "accept-and-share"
INDEX_SLUG = "badges"
HOME_SLUG = "home"
WELCOME_PAGE_TITLE = "Welcome to your new Wagtail site!"
SITE_NAME = "ALA Digital Badges"


@dataclass(frozen=True)
class IssuerSpec:
    slug: str
    name: str
    acronym: str
    kind: str
    website: str
    contact_email: str
    description: str
    parent: str | None = ALA_SLUG


ISSUERS = [
    # Parents come before their children: the command creates them in this order.
    IssuerSpec(
        slug=ALA_SLUG,
        name="American Library Association",
        acronym="ALA",
        kind="association",
        parent=None,
        website="https://www.ala.org/",
        contact_email="ala@ala.org",
        description=(
            "The national professional association for libraries and the people who work in "
            "them. Its divisions, offices and programmes offer the courses and webinars that "
            "the pilot badged."
        ),
    ),
    IssuerSpec(
        slug=CENTER_SLUG,
        name="Center for the Future of Libraries",
        acronym="",
        kind="center",
        website="https://www.ala.org/tools/future",
        contact_email="futureoflibraries@ala.org",
        description=(
            "ALA's centre for spotting trends that will shape libraries. It led the digital "
            "badges pilot and gathered what earners thought of it."
        ),
    ),
    IssuerSpec(
        slug="alcts",
        name="Association for Library Collections and Technical Services",
        acronym="ALCTS",
        kind="division",
        website="https://www.ala.org/alcts/",
        contact_email="alcts@ala.org",
        description=(
            "The ALA division for acquisitions, cataloguing, collection management, "
            "preservation and continuing resources, known for its online courses and webinars "
            "for technical services staff."
        ),
    ),
    IssuerSpec(
        slug="lita",
        name="Library and Information Technology Association",
        acronym="LITA",
        kind="division",
        website="https://www.ala.org/lita/",
        contact_email="lita@ala.org",
        description=(
            "The ALA division for people who plan, build and run library technology, from web "
            "services and discovery systems to emerging tools."
        ),
    ),
    IssuerSpec(
        slug="pla",
        name="Public Library Association",
        acronym="PLA",
        kind="division",
        website="https://www.ala.org/pla/",
        contact_email="pla@ala.org",
        description=(
            "The ALA division devoted to public libraries, their staff and trustees, with "
            "training on leadership, community engagement and service design."
        ),
    ),
    IssuerSpec(
        slug="ppo",
        name="Public Programs Office",
        acronym="PPO",
        kind="office",
        website="https://www.ala.org/tools/programming/",
        contact_email="publicprograms@ala.org",
        description=(
            "The ALA office that helps libraries of every type plan cultural and community "
            "programmes, with grants, touring exhibitions and professional development."
        ),
    ),
    IssuerSpec(
        slug="emerging-leaders",
        name="Emerging Leaders Program",
        acronym="",
        kind="programme",
        website="https://www.ala.org/educationcareers/leadership/emergingleaders",
        contact_email="emergingleaders@ala.org",
        description=(
            "A leadership programme for newer library workers: each cohort works in small teams "
            "on real projects for ALA units over several months."
        ),
    ),
    IssuerSpec(
        slug="spectrum",
        name="Spectrum Scholarship Program",
        acronym="",
        kind="programme",
        website="https://www.ala.org/advocacy/spectrum",
        contact_email="spectrum@ala.org",
        description=(
            "ALA's scholarship and leadership programme for students from under-represented "
            "communities who are studying for a library degree."
        ),
    ),
]


GUIDE_TITLE = "How to accept and share your badge"
GUIDE_INTRO = (
    "<p>Every badge in the pilot is issued through Credly. These steps take you from the "
    "notification email to a badge you can show wherever you like.</p>"
)
# (heading, rich text HTML): one numbered step each.
GUIDE_STEPS = [
    (
        "Set up a free Credly account",
        "<p>You claim and manage your badges on Credly. If you have no account yet, sign up "
        'at <a href="https://www.credly.com/">credly.com</a>; it costs nothing.</p>',
    ),
    (
        "Check which email address Credly will use",
        "<p>The badge notification is sent to the address on your ALA membership record, or "
        "the one you gave when you registered for the course or webinar. If your Credly account "
        "uses a different address, add this one to your Credly account settings so that the "
        "badge finds you.</p>",
    ),
    (
        "Accept the badge",
        "<p>Follow the link in the notification email, sign in to Credly and accept the badge. "
        "If the email has gone astray, sign in to Credly and accept the badge from your "
        "profile, where new badges wait for you.</p>",
    ),
    (
        "Choose who sees it, then share it",
        "<p>For each badge, decide in Credly whether it is public or only visible to you. From "
        "the same place you can post it to LinkedIn, Facebook, X and other networks, or copy a "
        "link to send to a colleague or an employer.</p>",
    ),
    (
        "Show it on your own site",
        "<p>Credly gives you an embed code for each badge you have accepted. Paste it into your "
        "website, blog or online portfolio and the badge appears there, linked to its record "
        "on Credly.</p>",
    ),
    (
        "Keep a copy that travels with you",
        "<p>Download the badge image: the Open Badges data describing what you earned, and "
        "who issued it, is baked into the file. You can also add it to any Open Badges "
        "backpack. Older instructions may mention the Mozilla Backpack; it closed in 2019.</p>",
    ),
]


HOME_TITLE = "ALA Digital Badges"
HOME_INTRO = (
    "<p>Between 2016 and 2017 the <b>Center for the Future of Libraries</b> worked with ALA "
    "divisions, an office and two leadership programmes to try out digital badges as a way to "
    "recognise professional learning. This site is the home of those badges.</p>"
)
HOME_PARAGRAPH = (
    "<h2>About the pilot</h2>"
    "<p>The pilot served one of the focus areas of ALA's strategic plan, professional and "
    "leadership development, at a time when the way people keep learning is changing. A "
    "digital badge is a small, verifiable record "
    "of something you learned: you can post it to a professional network, add it to a "
    "portfolio, or simply keep it as proof of the time you put in.</p>"
    "<p>ALCTS, LITA and PLA, the Public Programs Office, the Emerging Leaders Program and the "
    "Spectrum Scholarship Program each chose learning activities to badge. The Center followed "
    "up with people who earned badges to learn how they used them and how a future ALA "
    "badging programme could serve them better.</p>"
)
HOME_CTA = {
    "heading": "Browse the pilot's badges",
    "text": "See what each badge certifies, what it took to earn it and how to share it.",
    "link_label": "See all badges",
}

# The home page shows the newest badges first (ALCTS's, in the pilot) and leaves them out of
# its body's lists: this one shows the division whose badge is not among them.
HOME_LIST = {
    "heading": "Badges from LITA",
    "issuer_slug": "lita",
    "order": "newest",
    "limit": 3,
}

INDEX_TITLE = "Digital badges"
INDEX_INTRO = (
    "<p>A running list of the badges issued in the pilot. Open a badge to read what it "
    "certifies, the criteria for earning it and how to accept and share it on Credly.</p>"
)

# The badge page that shows an earner's Credly badge and points to a related badge. The
# related badge comes earlier in BADGES, so it exists when the featured one is created.
# The ALCTS Fundamentals pathway: the two Fundamentals web courses in the order most learners
# take them, and the serials cataloguing webinar as an elective for those who catalogue.
PATHWAY_SLUG = "alcts-fundamentals"
PATHWAY_TITLE = "ALCTS Fundamentals"
PATHWAY_ISSUER_SLUG = "alcts"
PATHWAY_DESCRIPTION = (
    "Start with collection development, then move on to electronic resources: the ALCTS "
    "Fundamentals web courses, in the order most learners take them. Cataloguers can add the "
    "RDA serials webinar along the way."
)
PATHWAY_BADGES = [  # (badge slug, required)
    ("fundamentals-of-collection-development-and-management", True),
    ("fundamentals-of-electronic-resources-and-acquisitions", True),
    ("rda-serials-cataloging-update", False),
]
FEATURED_BADGE_SLUG = "rda-serials-cataloging-update"
RELATED_BADGE_SLUG = "fundamentals-of-collection-development-and-management"
# An issued badge's id, invented like the template ids above: until an earner's real badge
# replaces it, Credly's frame answers that it cannot find the badge.
EXAMPLE_EARNED_BADGE_ID = "5f0c3a9e-7d2b-4e61-9a84-2c6b1d3f8e07"
FEATURED_PARAGRAPH = (
    "<h2>Showing the badge</h2>"
    "<p>Earners can place their badge on a website, a blog or an online portfolio with the "
    "embed code Credly gives them. This is how an earned badge looks there, with a link to "
    "check it on Credly.</p>"
)
FEATURED_EMBED = {"size": "standard", "caption": "An earned RDA Serials Cataloging badge"}


@dataclass(frozen=True)
class IssuerStyle:
    colour: str  # the badge's main colour, "#rrggbb"
    colour_name: str  # the same colour in words, for alt text


ISSUER_STYLES = {
    "lita": IssuerStyle("#1d5f7a", "dark teal"),
    "alcts": IssuerStyle("#7a1f3d", "burgundy"),
}


@dataclass(frozen=True)
class BadgeSpec:
    slug: str
    title: str
    issuer: str
    label: str  # two or three short words drawn on the badge image
    accent: str  # the image's band colour, so badges from one issuer still look distinct
    summary: str
    credit: str
    criteria: str
    activity_type: str
    activity_title: str
    activity_url: str
    activity_start: datetime.date
    activity_end: datetime.date
    launched: datetime.date
    earn_url: str
    skills: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=lambda: [CENTER_SLUG])
    credly_template_id: uuid.UUID | None = None

    @property
    def image_filename(self):
        return f"badge-{self.slug}.png"

    @property
    def image_alt(self):
        style = ISSUER_STYLES[self.issuer]
        label = " ".join(self.label.split())
        return (
            f"{style.colour_name.capitalize()} hexagonal badge reading: ALA Digital Badge, "
            f"{self.issuer.upper()}, {label}, {self.launched.year}"
        )


BADGES = [
    BadgeSpec(
        slug="beyond-web-page-analytics",
        title="Beyond Web Page Analytics",
        issuer="lita",
        label="Web\nAnalytics",
        accent="#f2b33d",
        credly_template_id=BEYOND_WEB_ANALYTICS_TEMPLATE_ID,
        summary=(
            "For completing LITA's online course on measuring how people really use a library "
            "website: tracked events, site search, goals and audience segments, not just "
            "page-view totals."
        ),
        credit=(
            "<p>The earner can set up and read web analytics that answer questions about a "
            "library's online services, rather than reporting page views alone. They can:</p>"
            "<ul><li>track events such as file downloads, clicks through to databases and the "
            "catalogue, and video plays;</li>"
            "<li>study site-search terms to find content and navigation gaps;</li>"
            "<li>define goals and funnels for tasks like booking a room or renewing a loan;</li>"
            "<li>segment visitors and build a dashboard that colleagues can act on.</li></ul>"
        ),
        criteria=(
            "<ol><li>Attend all four live sessions of the course, or watch each recording "
            "before the course closes.</li>"
            "<li>Configure at least two event or goal measurements on a library website (a test "
            "property is acceptable) and post screenshots to the course forum.</li>"
            "<li>Submit an analytics plan for your library: three questions your team needs "
            "answered, the measures that answer them and how you will report the results.</li>"
            "</ol>"
        ),
        activity_type="course",
        activity_title="Beyond Web Page Analytics (LITA online course)",
        activity_url="https://www.ala.org/lita/learning/online",
        activity_start=datetime.date(2016, 10, 4),
        activity_end=datetime.date(2016, 10, 25),
        launched=datetime.date(2016, 11, 7),
        earn_url="https://www.ala.org/lita/learning",
        skills=["Web analytics", "Google Analytics", "User experience", "Assessment"],
    ),
    BadgeSpec(
        slug="fundamentals-of-collection-development-and-management",
        title="Fundamentals of Collection Development and Management",
        issuer="alcts",
        label="Collection\nDevelopment",
        accent="#e0a526",
        credly_template_id=COLLECTION_DEVELOPMENT_TEMPLATE_ID,
        summary=(
            "For completing ALCTS's six-week introduction to building and caring for a library "
            "collection: policy, selection, budgets, assessment and weeding."
        ),
        credit=(
            "<p>The earner understands the whole life of a library collection and can take part "
            "in collection decisions with confidence:</p>"
            "<ul><li>writing and revising a collection development policy;</li>"
            "<li>selection criteria, review sources and working with vendors;</li>"
            "<li>allocating a materials budget across formats and subjects;</li>"
            "<li>assessing a collection with circulation and holdings data;</li>"
            "<li>planning weeding and explaining it to colleagues and the public.</li></ul>"
        ),
        criteria=(
            "<ol><li>Complete all six weekly modules, including the readings and the quiz that "
            "closes each one.</li>"
            "<li>Post to the discussion forum every week and reply to at least one other "
            "participant.</li>"
            "<li>Submit the final assignment: a policy section for one subject area, or a "
            "weeding plan for part of your library's collection.</li></ol>"
        ),
        activity_type="course",
        activity_title="Fundamentals of Collection Development and Management (ALCTS web course)",
        activity_url="https://www.ala.org/alcts/confevents/upcoming/webcourse",
        activity_start=datetime.date(2016, 10, 10),
        activity_end=datetime.date(2016, 11, 18),
        launched=datetime.date(2016, 12, 5),
        earn_url="https://www.ala.org/alcts/confevents/upcoming/webcourse",
        skills=["Collection development", "Collection assessment", "Weeding", "Library budgets"],
    ),
    BadgeSpec(
        slug="fundamentals-of-electronic-resources-and-acquisitions",
        title="Fundamentals of Electronic Resources and Acquisitions",
        issuer="alcts",
        label="E-Resources",
        accent="#5aa9a0",
        credly_template_id=ELECTRONIC_RESOURCES_TEMPLATE_ID,
        summary=(
            "For completing ALCTS's course on acquiring and managing electronic resources, "
            "from trial and licence to access, usage data and renewal."
        ),
        credit=(
            "<p>The earner can follow an electronic resource through its life cycle and "
            "explain the decisions at each stage:</p>"
            "<ul><li>running trials and evaluating e-journals, e-books and databases;</li>"
            "<li>reading licences: authorised users, walk-in use, interlibrary loan, "
            "perpetual access and text mining;</li>"
            "<li>pricing and purchase models, including packages and demand-driven "
            "acquisition;</li>"
            "<li>setting up access through link resolvers, proxy servers and an electronic "
            "resource management system;</li>"
            "<li>using COUNTER usage reports to inform renewals and cancellations.</li></ul>"
        ),
        criteria=(
            "<ol><li>Complete the four weekly modules and pass each module's quiz.</li>"
            "<li>Take part in the weekly discussions.</li>"
            "<li>Submit the final assignment: review a sample licence agreement, mark the "
            "clauses you would negotiate and explain why.</li></ol>"
        ),
        activity_type="course",
        activity_title="Fundamentals of Electronic Resources Acquisitions (ALCTS web course)",
        activity_url="https://www.ala.org/alcts/confevents/upcoming/webcourse",
        activity_start=datetime.date(2017, 1, 9),
        activity_end=datetime.date(2017, 2, 3),
        launched=datetime.date(2017, 2, 20),
        earn_url="https://www.ala.org/alcts/confevents/upcoming/webcourse",
        skills=["Electronic resources", "Licensing", "Acquisitions", "Usage statistics"],
    ),
    BadgeSpec(
        slug="tactics-for-time-management-and-organizational-skills",
        title="Tactics for Time Management and Organizational Skills",
        issuer="alcts",
        label="Time\nManagement",
        accent="#9bc53d",
        credly_template_id=TIME_MANAGEMENT_TEMPLATE_ID,
        summary=(
            "For attending ALCTS's webinar on planning work, setting priorities and keeping "
            "deadlines under control, and putting one of its techniques into practice."
        ),
        credit=(
            "<p>The earner has practical techniques for organising their own work in a busy "
            "technical services department:</p>"
            "<ul><li>planning the week around priorities instead of the inbox;</li>"
            "<li>sorting tasks by urgency and importance;</li>"
            "<li>breaking large projects into steps with realistic deadlines;</li>"
            "<li>taming email and meetings, and knowing when to delegate.</li></ul>"
        ),
        criteria=(
            "<ol><li>Attend the live webinar, or watch the recording within 30 days of the "
            "broadcast.</li>"
            "<li>Keep a log of how you spend your working time for one week after the "
            "webinar.</li>"
            "<li>Submit a short reflection: what the log showed, the technique you adopted and "
            "how it changed your week.</li></ol>"
        ),
        activity_type="webinar",
        activity_title="Tactics for Time Management and Organizational Skills (ALCTS webinar)",
        activity_url="https://www.ala.org/alcts/confevents/upcoming/webinar",
        activity_start=datetime.date(2017, 3, 15),
        activity_end=datetime.date(2017, 3, 15),
        launched=datetime.date(2017, 4, 18),
        earn_url="https://www.ala.org/alcts/confevents/upcoming/webinar",
        skills=["Time management", "Prioritisation", "Project planning", "Workflow"],
    ),
    BadgeSpec(
        slug="rda-serials-cataloging-update",
        title="RDA Serials Cataloging Update",
        issuer="alcts",
        label="RDA\nSerials",
        accent="#4f7cac",
        credly_template_id=RDA_SERIALS_TEMPLATE_ID,
        summary=(
            "For attending ALCTS's webinar on recent changes to RDA and to CONSER practice for "
            "cataloguing serials, and completing its record-editing exercises."
        ),
        credit=(
            "<p>The earner is up to date with how serials are described under RDA and current "
            "CONSER and PCC practice:</p>"
            "<ul><li>telling major title changes, which need a new record, from minor ones;</li>"
            "<li>recording numbering, first and last issues, and frequency;</li>"
            "<li>linking earlier and later titles with relationship designators;</li>"
            "<li>the provider-neutral approach to records for online serials;</li>"
            "<li>the recent RDA Toolkit revisions that affect serials.</li></ul>"
        ),
        criteria=(
            "<ol><li>Attend the live webinar, or watch the recording within 30 days of the "
            "broadcast.</li>"
            "<li>Complete the exercise set: for three sample serials, decide whether each title "
            "change calls for a new record, then create or revise the MARC 21 records.</li>"
            "<li>Score at least 80% on the short quiz that follows the exercises.</li></ol>"
        ),
        activity_type="webinar",
        activity_title="RDA Serials Cataloging Update (ALCTS webinar)",
        activity_url="https://www.ala.org/alcts/confevents/upcoming/webinar",
        activity_start=datetime.date(2017, 5, 10),
        activity_end=datetime.date(2017, 5, 10),
        launched=datetime.date(2017, 6, 12),
        earn_url="https://www.ala.org/alcts/confevents/upcoming/webinar",
        skills=["RDA", "Serials cataloguing", "CONSER", "MARC 21", "Metadata"],
    ),
]


def guide_steps():
    """The guide's steps in StreamField's raw form."""
    return [
        {"type": "step", "value": {"heading": heading, "text": text}}
        for heading, text in GUIDE_STEPS
    ]


def home_body(index_page_id, list_issuer_id):
    """The home page body: a paragraph about the pilot, a link to the badge index, then one
    division's badges."""
    return [
        {"type": "paragraph", "value": HOME_PARAGRAPH},
        {
            "type": "call_to_action",
            "value": {**HOME_CTA, "page": index_page_id, "url": ""},
        },
        {
            "type": "badge_list",
            "value": {
                "heading": HOME_LIST["heading"],
                "issuer": list_issuer_id,
                "skill": "",
                "order": HOME_LIST["order"],
                "limit": HOME_LIST["limit"],
            },
        },
    ]


def index_body(guide_id):
    """The badge index's body: the steps for accepting and sharing a badge."""
    return [{"type": "how_to_accept", "value": {"guide": guide_id}}]


def badge_body(slug, related_page_id):
    """A badge page's body: only the featured badge has one, with an earner's badge as Credly
    shows it and a card for a related badge."""
    if slug != FEATURED_BADGE_SLUG:
        return []
    body = [
        {"type": "paragraph", "value": FEATURED_PARAGRAPH},
        {"type": "credly_badge", "value": {"badge_id": EXAMPLE_EARNED_BADGE_ID, **FEATURED_EMBED}},
    ]
    if related_page_id is not None:
        body.append({"type": "badge_card", "value": {"badge": related_page_id}})
    return body


def _hexagon(cx, cy, radius):
    return [
        (
            cx + radius * math.cos(math.radians(60 * i - 90)),
            cy + radius * math.sin(math.radians(60 * i - 90)),
        )
        for i in range(6)
    ]


def _centred_text(draw, cy, text, font, fill):
    """Draw text centred on (300, cy); works with bitmap fonts too, unlike anchor="mm"."""
    left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font, align="center")
    x = 300 - (right - left) / 2 - left
    y = cy - (bottom - top) / 2 - top
    draw.multiline_text((x, y), text, font=font, fill=fill, align="center", spacing=6)


def render_badge_png(spec):
    """A 600×600 PNG: a hexagon in the issuer's colour with its acronym and the badge's label."""
    from PIL import Image, ImageDraw, ImageFont

    style = ISSUER_STYLES[spec.issuer]
    image = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon(_hexagon(300, 300, 290), fill=style.colour)
    draw.polygon(_hexagon(300, 300, 262), outline="#ffffff", width=6)
    draw.rectangle((38, 330, 562, 470), fill=spec.accent)
    _centred_text(draw, 150, "ALA DIGITAL BADGE", ImageFont.load_default(size=26), "#ffffff")
    _centred_text(draw, 245, spec.issuer.upper(), ImageFont.load_default(size=104), "#ffffff")
    label_font = ImageFont.load_default(size=48 if "\n" in spec.label else 56)
    _centred_text(draw, 400, spec.label, label_font, "#1b1b1b")
    _centred_text(draw, 515, str(spec.launched.year), ImageFont.load_default(size=30), "#ffffff")
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
