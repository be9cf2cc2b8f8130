"""Accessibility of the public pages, checked in Chromium at a phone's width and a desktop's.

- axe-core (npm, installed by `make test` into tests/browser/axe/) finds no violation of the
  WCAG 2.0, 2.1 and 2.2 level A and AA rules on the home page, the badge index (plain,
  filtered by issuer or pathway, and with an empty search), a badge page (with its place in a
  pathway), the issuers directory, an issuer page (with badges and without), the pathways
  directory and a pathway's page, the feedback form (fresh, and after a failed submission) and
  the verify page (the form alone, and an answer from the stand-in for Credly); and on the home
  page, the index and a badge page with the demo-figures notice `make run` shows.
- Keyboard focus is visible: the test tabs through each page and compares every focused
  element's outline, box shadow, border and background with the same element unfocused.

axe is added to each page by Playwright as an init script, which the page's Content Security
Policy does not govern, so pages run under their real policy. Frames are left out of axe's run:
the only ones are Credly's badges, whose content is Credly's (here a stand-in). Screenshots at
375 and 1280 px are saved in test-artifacts/ on a failure.
"""

import json
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from badges_cms.credly.standin import CredlyStandIn, make_template
from badges_cms.models import BadgeIssuer, CredlyBadgeTemplate
from home import demo_feedback
from tests.browser.screenshots import screenshots_on_failure

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE_JS = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (375, 1280)
CREDLY_ID = "90ea8865-ec5d-44cd-b8d3-aacd4ef9502c"
TEMPLATE_ID = "3d5c1f0e-7a2b-4c9d-8e1f-0a1b2c3d4e5f"

RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    iframes: false,
    resultTypes: ["violations"],
  });
  return {
    version: axe.version,
    passed: results.passes.map((p) => p.id),
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
    })),
  };
}
"""

# Tabs through the page from the top, one element at a time (the Python side presses Tab);
# these read what is focused and how it looks.
PROPERTIES = [
    "outline-style",
    "outline-width",
    "outline-color",
    "outline-offset",
    "box-shadow",
    "border-top-color",
    "border-top-width",
    "border-top-style",
    "border-bottom-color",
    "border-bottom-width",
    "border-bottom-style",
    "background-color",
]
READ_FOCUSED = """
(properties) => {
  const element = document.activeElement;
  if (!element || element === document.body || element === document.documentElement) {
    return {done: true};
  }
  window.__focusStops = window.__focusStops || [];
  if (window.__focusStops.includes(element)) return {done: true};  // round the page once
  window.__focusStops.push(element);
  const style = getComputedStyle(element);
  return {
    done: false,
    index: window.__focusStops.length - 1,
    frame: element.tagName === "IFRAME",
    label: element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") + " " +
      (element.getAttribute("aria-label") || element.textContent || element.value || "")
        .trim().replace(/\\s+/g, " ").slice(0, 60),
    style: Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)])),
  };
}
"""
READ_UNFOCUSED = """
(properties) => {
  document.activeElement && document.activeElement.blur();
  return window.__focusStops.map((element) => {
    const style = getComputedStyle(element);
    return Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)]));
  });
}
"""


@pytest.fixture
def credly_badge_id(settings):
    """A badge of TEMPLATE_ID issued on a running stand-in for Credly, which the verify page
    asks from the live server's thread (the settings are the whole process's)."""
    with CredlyStandIn() as standin:
        settings.CREDLY_API_TOKEN = standin.token
        settings.CREDLY_ORGANIZATION_ID = standin.organization_id
        settings.CREDLY_API_BASE_URL = standin.base_url
        settings.CREDLY_CLIENT_OPTIONS = {"max_retries": 0, "read_timeout": 2, "deadline": 5}
        standin.templates = [make_template(1, id=TEMPLATE_ID)]
        yield standin.issue_badge(TEMPLATE_ID, earner=("Ana", "Ruiz"))["id"]


@pytest.fixture
def catalogue(site_tree, issuers, make_badge, make_pathway, credly_badge_id):
    """The pages to check, with content in every part of their templates; their paths."""
    index = site_tree["index"]
    issuers["lita"].website = "https://www.ala.org/lita/"
    issuers["lita"].description = "A division for library technologists."
    issuers["lita"].save()
    badge = make_badge(
        "Beyond Web Page Analytics",
        skills=["Web Analytics", "Assessment"],
        credit="<p>Earners can measure how people use a library's website.</p>",
        criteria="<p>Complete the course:</p><ul><li>Attend four webinars</li>"
        "<li>Finish the final exercise</li></ul>",
        activity_type="webinar",
        activity_title="Beyond Web Page Analytics webinar series",
        activity_url="https://www.example.org/learning/analytics",
        activity_start=date(2016, 9, 12),
        activity_end=date(2016, 10, 3),
        earn_url="https://www.example.org/learning/analytics/enrol",
        credly_template_id=TEMPLATE_ID,
        body=[
            {"type": "paragraph", "value": "<h2>Earners show their badges</h2>"},
            {
                "type": "credly_badge",
                "value": {"badge_id": CREDLY_ID, "size": "standard", "caption": "Ana Ruiz"},
            },
            {
                "type": "quote",
                "value": {"quote": "It started a conversation.", "attribution": "An earner"},
            },
        ],
    )
    badge.partner_issuers.add(issuers["ala"])
    badge.save_revision().publish()
    now = timezone.now()
    CredlyBadgeTemplate.objects.create(
        id=TEMPLATE_ID,
        name="Beyond Web Page Analytics",
        state="active",
        badges_count=57,
        synced_at=now,
        last_seen_at=now,
    )
    related = make_badge("Fundamentals of Collection Development", issuer=issuers["alcts"])
    serials = make_badge(
        "RDA Serials Cataloging Update", issuer=issuers["alcts"], skills=["Cataloging"]
    )
    # A pathway: its directory, its page, the index filtered by it, and the badge page's place.
    make_pathway(
        "ALCTS Fundamentals",
        [related, serials, badge],
        slug="alcts-fundamentals",
        electives=[badge],
        issuer=issuers["alcts"],
    )

    home = site_tree["home"]
    home.body = [
        {"type": "paragraph", "value": "<h2>Badges for professional learning</h2>"},
        {"type": "badge_card", "value": {"badge": related.pk}},
        {
            "type": "badge_list",
            "value": {
                "heading": "From ALCTS",
                "issuer": issuers["alcts"].pk,
                "skill": "",
                "order": "newest",
                "limit": 6,
            },
        },
        {"type": "how_to_accept", "value": {"guide": site_tree["guide"].pk}},
        {
            "type": "call_to_action",
            "value": {
                "heading": "Find a badge",
                "text": "Every badge of the pilot, with how to earn it.",
                "link_label": "See the badges",
                "page": index.pk,
                "url": "",
            },
        },
    ]
    home.save_revision().publish()

    BadgeIssuer.objects.create(
        name="Public Library Association",
        acronym="PLA",
        slug="pla",
        parent=issuers["ala"],
        website="https://www.example.org/pla/",
        description="A division for public libraries; its first badges are on their way.",
    )

    feedback = home.add_child(instance=demo_feedback.build_page())
    feedback.save_revision().publish()
    return {
        "home": "/",
        "index": index.url,
        "index-filtered": index.url + "?issuer=alcts&sort=name",
        "index-no-match": index.url + "?q=zebra&issuer=alcts",
        "badge": badge.url,
        "issuers": index.url + "issuers/",
        "issuer": index.url + "issuers/lita/",
        "issuer-without-badges": index.url + "issuers/pla/",
        "feedback": feedback.url + "?badge=" + badge.slug,
        "feedback-errors": feedback.url,
        "verify": index.url + "verify/",
        "verify-answer": index.url + "verify/?badge=" + credly_badge_id,
        "pathways": index.url + "pathways/",
        "pathway": index.url + "pathways/alcts-fundamentals/",
        "index-pathway": index.url + "?pathway=alcts-fundamentals",
    }


def axe_source():
    if not AXE_JS.exists():
        pytest.fail(
            f"axe-core is not installed at {AXE_JS}: run `make test`, which installs it from npm.",
            pytrace=False,
        )
    return AXE_JS.read_text()


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines += [f"    {node['target']}: {node['summary']}" for node in violation["nodes"][:5]]
    return "\n".join(lines)


def run_axe(page):
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def focus_stops(page, limit=250):
    """Every element Tab reaches, in order, with its style focused and unfocused."""
    page.evaluate("window.__focusStops = []")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(READ_FOCUSED, PROPERTIES)
        if stop["done"]:
            break
        stops.append(stop)
    else:
        raise AssertionError(f"Tab went round more than {limit} elements without coming back")
    for stop, unfocused in zip(stops, page.evaluate(READ_UNFOCUSED, PROPERTIES), strict=True):
        stop["unfocused"] = unfocused
    return stops


def visible_look(style):
    """What of an element's style a person can see: an outline or a border side drawn with
    no style or no width is not there, whatever its other properties say."""

    def line(style_name, width, *rest):
        if style[style_name] == "none" or style[width] in ("0px", ""):
            return None
        return (style[style_name], style[width], *(style[name] for name in rest))

    return (
        line("outline-style", "outline-width", "outline-color", "outline-offset"),
        style["box-shadow"],
        line("border-top-style", "border-top-width", "border-top-color"),
        line("border-bottom-style", "border-bottom-width", "border-bottom-color"),
        style["background-color"],
    )


def invisible_focus(stops):
    """The stops whose focused look is the same as their unfocused one. A frame is left out:
    focus moves into its document, which is Credly's."""
    return [
        stop["label"]
        for stop in stops
        if not stop["frame"] and visible_look(stop["style"]) == visible_look(stop["unfocused"])
    ]


PAGES = [
    "home",
    "index",
    "index-filtered",
    "index-no-match",
    "badge",
    "issuers",
    "issuer",
    "issuer-without-badges",
    "feedback",
    "feedback-errors",
    "verify",
    "verify-answer",
    "pathways",
    "pathway",
    "index-pathway",
]


# Five pages to a browser, each a subtest: Chromium starts three times instead of fifteen, and
# the three groups still spread over the test processes. Each page starts without cookies.
PAGE_GROUPS = [PAGES[start : start + 5] for start in range(0, len(PAGES), 5)]


@pytest.mark.parametrize("names", PAGE_GROUPS, ids="+".join)
def test_public_pages_meet_wcag_a_and_aa_and_show_keyboard_focus(
    open_browser, catalogue, names, subtests
):
    source = axe_source()
    with open_browser() as browser:
        browser.page.context.add_init_script(source)
        for name in names:
            with subtests.test(page=name):
                browser.page.context.clear_cookies()
                browser.console.clear()
                browser.errors.clear()
                check_page(browser, name, catalogue[name])


def check_page(browser, name, path):
    page = browser.page
    for width in WIDTHS:
        with screenshots_on_failure(page, f"accessibility-{name}-at-{width}"):
            page.set_viewport_size({"width": width, "height": 900})
            response = browser.open(path)
            assert response.status == 200
            if name == "feedback-errors":
                # Sent without the required answers: the form comes back with its errors.
                page.get_by_role("button", name="Send my answers").click()
                page.wait_for_load_state("load")
                assert page.get_by_role("alert").count() == 1

            result = run_axe(page)
            assert result["version"].startswith("4.")
            # The rules really ran: the ones every page must pass are among the passes.
            assert {"document-title", "html-has-lang", "color-contrast"} <= set(result["passed"]), (
                result["passed"]
            )
            assert result["violations"] == [], (
                f"{path} at {width}px:\n{describe(result['violations'])}"
            )

            stops = focus_stops(page)
            # A page's first stop is the skip link, and every page has links after it.
            assert stops[0]["label"].startswith("a "), json.dumps(stops[:1])
            assert "Skip to content" in stops[0]["label"]
            assert len(stops) > 5
            assert invisible_focus(stops) == [], f"{path} at {width}px"

            assert browser.csp_violations() == []
            assert browser.errors == []


def test_the_focus_check_notices_a_focus_style_taken_away(open_browser, catalogue):
    """The check above can fail: with the outline removed by a stylesheet, it names the links."""
    with open_browser() as browser:
        page = browser.page
        browser.open(catalogue["index"])
        # Added through the DOM API as a constructed stylesheet, which the policy allows.
        page.evaluate(
            """() => {
              const sheet = new CSSStyleSheet();
              sheet.replaceSync(":focus-visible, :focus { outline: none !important; }");
              document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
            }"""
        )
        hidden = invisible_focus(focus_stops(page))
        assert any("Skip to content" in label for label in hidden)
        assert any("Beyond Web Page Analytics" in label for label in hidden)


def test_axe_finds_a_violation_when_there_is_one(open_browser, catalogue):
    """And so can the axe check: an image without alt text is reported."""
    source = axe_source()
    with open_browser() as browser:
        page = browser.page
        page.context.add_init_script(source)
        browser.open(catalogue["badge"])
        page.evaluate("() => document.querySelector('img.badge__image').removeAttribute('alt')")
        ids = [violation["id"] for violation in run_axe(page)["violations"]]
        assert "image-alt" in ids


DEMO_NOTICE_PAGES = ["home", "index", "badge"]
# axe on the notice alone, to know its own nodes were checked and passed (not merely absent).
RUN_AXE_ON_NOTICE = """
async (tags) => {
  const results = await axe.run({include: [".demo-notice"]}, {
    runOnly: {type: "tag", values: tags},
    iframes: false,
  });
  return {
    passed: results.passes.map((p) => p.id),
    violations: results.violations.map((v) => v.id),
  };
}
"""


def test_the_demo_figures_notice_meets_wcag_a_and_aa(open_browser, catalogue, settings):
    """While the stand-in for Credly is the source (BADGES_CMS_DEMO_FIGURES, as `make run`
    serves the demo), every page shows the demo notice: the pages with it pass axe too."""
    settings.BADGES_CMS_DEMO_FIGURES = True
    source = axe_source()
    with open_browser() as browser:
        page = browser.page
        page.context.add_init_script(source)
        for name in DEMO_NOTICE_PAGES:
            path = catalogue[name]
            for width in WIDTHS:
                with screenshots_on_failure(page, f"accessibility-demo-notice-{name}-at-{width}"):
                    page.set_viewport_size({"width": width, "height": 900})
                    response = browser.open(path)
                    assert response.status == 200
                    notice = page.get_by_role("note")
                    assert notice.count() == 1
                    assert notice.is_visible()
                    assert notice.inner_text().startswith("Demo figures.")

                    result = run_axe(page)
                    assert {"document-title", "html-has-lang", "color-contrast"} <= set(
                        result["passed"]
                    ), result["passed"]
                    assert result["violations"] == [], (
                        f"{path} at {width}px:\n{describe(result['violations'])}"
                    )
                    on_notice = page.evaluate(RUN_AXE_ON_NOTICE, WCAG_TAGS)
                    assert "color-contrast" in on_notice["passed"], on_notice
                    assert on_notice["violations"] == [], on_notice

                    assert browser.csp_violations() == []
                    assert browser.errors == []
