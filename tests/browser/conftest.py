"""Browser tests: Playwright for Python drives Debian's Chromium against Django's live server.

Chromium comes from Debian (`make test` installs the chromium package when it is missing);
Playwright's own browser download is never used. Without Chromium these tests fail, never
skip: CI counts a skip as a failure, and a missing browser must not pass unnoticed.

No request leaves the machine. Credly's hosts are answered by the stand-ins in credly_standin/
through Playwright's request routing, so the page runs under its real Content Security Policy;
any other outside request is refused and recorded.

Playwright's synchronous API runs an asyncio event loop in the test's thread while it is
started, and while a loop runs, Django keeps database connections per async context instead of
per thread: test code would silently get a second connection, without the test's transaction
state or serialized rollback. So a test prepares its data first and opens the browser after
(``with open_browser() as browser:``); inside that block it talks only to the browser and the
live server, which serves from its own thread. DJANGO_ALLOW_ASYNC_UNSAFE is deliberately not
set: a database call slipped into the block fails loudly instead.
"""

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root, where Chromium's sandbox will not start
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
]
STANDIN = Path(__file__).parent / "credly_standin"
CREDLY_SCRIPT_HOST = "https://cdn.credly.com/"
CREDLY_HOST = "https://www.credly.com/"

# Collects CSP violations as the page reports them to its own scripts; injected by Playwright
# ahead of the page's scripts, which the page's policy does not govern.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def pytest_configure(config):
    # The live server listens on 127.0.0.1 (pytest-django's default name, localhost, may
    # resolve to ::1 first), unless --liveserver says otherwise.
    if not config.getoption("liveserver", default=None):
        config.option.liveserver = "127.0.0.1"


@dataclass
class Browser:
    """A Chromium tab on the live server, and what it reported while it ran."""

    page: object
    server_url: str
    standin_script: str
    console: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    credly_requests: list = field(default_factory=list)
    refused_requests: list = field(default_factory=list)

    def open(self, path):
        """Load a page of the live server and wait until it and its frames have loaded."""
        response = self.page.goto(self.server_url + path)
        self.page.wait_for_load_state("load")
        return response

    def csp_violations(self):
        """Violations from both sources: the console and the page's own violation events."""
        from_console = [
            message.text
            for message in self.console
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
        ]
        return from_console + self.page.evaluate("window.cspViolations || []")

    def route(self, route):
        url = route.request.url
        if url.startswith(self.server_url):
            route.continue_()
        elif url.startswith(CREDLY_SCRIPT_HOST):
            self.credly_requests.append(url)
            route.fulfill(status=200, content_type="text/javascript", body=self.standin_script)
        elif url.startswith(CREDLY_HOST):
            self.credly_requests.append(url)
            body = (STANDIN / "embedded_badge.html").read_text()
            route.fulfill(status=200, content_type="text/html", body=body)
        else:
            self.refused_requests.append(url)
            route.abort()


@pytest.fixture
def open_browser(live_server):
    """``with open_browser() as browser:`` starts Chromium with a fresh profile; see Browser.
    ``standin_script`` replaces the stand-in for Credly's embed.js."""

    @contextmanager
    def open_browser(standin_script=None):
        if not os.access(CHROMIUM, os.X_OK):
            pytest.fail(
                f"Chromium is not installed at {CHROMIUM}: run `make test`, which installs it, "
                "or `apt-get install chromium`.",
                pytrace=False,
            )
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                context = chromium.new_context()
                page = context.new_page()
                page.set_default_timeout(15_000)
                browser = Browser(
                    page=page,
                    server_url=live_server.url,
                    standin_script=standin_script or (STANDIN / "embed.js").read_text(),
                )
                page.on("console", lambda message: browser.console.append(message))
                page.on("pageerror", lambda error: browser.errors.append(str(error)))
                context.add_init_script(RECORD_VIOLATIONS)
                context.route("**/*", browser.route)
                yield browser
            finally:
                chromium.close()

    return open_browser
