"""The public pages are valid HTML, as the W3C's Nu HTML Checker (vnu.jar) reads them: every page
of the demo site, the index filtered and paged, the issuer and pathway pages, the verify page
with an answer, the feedback form after a failed submission, and the 404 page.

The checker comes from the npm registry (`make test` installs it into tests/html_checker/) and
runs on the machine's Java, once for all the pages; it reaches no network.
"""

import json
import subprocess  # noqa: S404 - runs java with fixed arguments on our own files
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Page

from badges_cms.feedback.models import BadgeFeedbackPage
from badges_cms.models import BadgeIndexPage
from home import demo_content as demo
from tests.support.tools import installed, program

VNU_JAR = Path(__file__).parent.parent / "html_checker" / "node_modules" / "vnu-jar" / "build"
VNU_JAR = VNU_JAR / "dist" / "vnu.jar"
# A short run: the JIT's quick tier alone (TieredStopAtLevel=1) checks the pages in under half the
# CPU time of both tiers, and needs more stack than the checker's usual 1 MB.
JAVA_OPTIONS = ("-Xss8m", "-XX:TieredStopAtLevel=1")


def check_html(files):
    """The checker's errors for these files, as "file: line: message" (empty when valid)."""
    jar = installed(VNU_JAR, "The Nu HTML Checker")
    java = program("java", "the Nu HTML Checker")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [java, *JAVA_OPTIONS, "-jar", str(jar), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    try:  # the report is on standard error, {"messages": []} when every file is valid
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"The Nu HTML Checker did not report: {result.stderr[:2000]}", pytrace=False)
    assert (result.returncode == 0) == (not messages), result.returncode
    return [
        f"{Path(m.get('url', '')).name}: {m.get('lastLine', '?')}: {m.get('message')}"
        for m in messages
    ]


@pytest.mark.django_db
def test_the_checker_finds_an_error_when_there_is_one(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html lang=en><title>x</title><p><div></p></div>")
    assert check_html([str(page)])


@pytest.mark.django_db
def test_every_public_page_is_valid_html(client, tmp_path):
    call_command("load_demo_badges", stdout=StringIO())
    index = BadgeIndexPage.objects.get()
    feedback = BadgeFeedbackPage.objects.live().get()
    urls = [page.url for page in Page.objects.live().public().filter(depth__gt=1)]
    assert len(urls) > len(demo.BADGES) + 2
    urls += [
        f"{index.url}?issuer=alcts&sort=issued&page=2",
        f"{index.url}?q=zebra&skill=cataloging",
        f"{index.url}?pathway={demo.PATHWAY_SLUG}",
        f"{index.url}issuers/",
        f"{index.url}issuers/alcts/",
        f"{index.url}issuers/pla/",
        f"{index.url}pathways/",
        f"{index.url}pathways/{demo.PATHWAY_SLUG}/",
        f"{index.url}verify/",
        f"{index.url}verify/?badge=not+a+badge",
        f"{feedback.url}?badge={demo.BADGES[0].slug}",
    ]
    files = []
    for number, url in enumerate(urls):
        response = client.get(url)
        assert response.status_code in (200, 400), url
        files.append(tmp_path / f"{number:02}.html")
        files[-1].write_bytes(response.content)
    # A failed submission of the feedback form, and a page that does not exist.
    responses = [client.post(feedback.url, {}), client.get("/no-such-page/")]
    for number, response in enumerate(responses, start=len(files)):
        files.append(tmp_path / f"{number:02}.html")
        files[-1].write_bytes(response.content)
    errors = check_html([str(file) for file in files])
    names = {f"{number:02}.html": url for number, url in enumerate(urls)}
    assert errors == [], "\n".join(
        f"{names.get(error.split(':')[0], error.split(':')[0])}: {error}" for error in errors
    )
