"""`make multi-instance`: two app servers sharing one PostgreSQL database, one Redis and one
media folder, as two machines behind a load balancer would.

Two gunicorn processes (2 workers each, production settings) on different ports share a fresh
PostgreSQL database, one Redis database (cache and whole-page cache) and one media folder.
The run checks, and prints what it measured:

1. A badge published through one server (the admin's publish action, over HTTP, as an editor)
   appears at once on the other, whose cached copy of the index is retired by the publish;
   both serve its image from the one media folder.
2. While both serve traffic, `sync_credly_badges` (against the stand-in Credly of
   tests/credly_standin.py, with latency on every request) changes every issued count: every
   count any response shows equals either its value before the sync or its value after, no
   response is a server error, and the first responses after the sync show the new figures.

Exit status 0 when every check holds, 1 when one fails, 2 when the run could not be set up.
"""

import datetime
import os
import re
import secrets
import shutil
import subprocess  # noqa: S404 - runs the sync command with fixed arguments
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import requests  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402

from benchmarks import harness  # noqa: E402

GENERATED_BADGES = 30
STANDIN_TEMPLATES = 1000  # 20 pages of 50: the sync takes a few seconds of Credly latency
CREDLY_LATENCY = 0.15
COUNT_BUMP = 1000
REDIS_DB = 14
DRAFT_TITLE = "Cross-Instance Badge"
ISSUED = re.compile(r"Issued ([\d,]+) times?")
TOTAL = re.compile(r"issued ([\d,]+) times? in all")


class Check:
    def __init__(self):
        self.failures = []

    def __call__(self, ok, message):
        print(("  ok    " if ok else "  FAIL  ") + message)
        if not ok:
            self.failures.append(message)
        return ok


def number(text):
    return int(text.replace(",", ""))


def shown_counts(html):
    """{badge title: issued count} for each card or badge page, and the index's total."""
    soup = BeautifulSoup(html, "html.parser")
    counts = {}
    for card in soup.select(".badge-card"):
        match = ISSUED.search(card.get_text(" "))
        if match:
            counts[card.select_one(".badge-card__title").get_text(strip=True)] = number(
                match.group(1)
            )
    facts = soup.select_one(".badge__facts")
    if facts is not None:
        match = ISSUED.search(facts.get_text(" "))
        if match:
            counts[soup.select_one("h1").get_text(strip=True)] = number(match.group(1))
    total = TOTAL.search(soup.get_text(" "))
    return counts, (number(total.group(1)) if total else None)


class AdminSession:
    """Signed in to one server's admin. The production settings mark cookies Secure (TLS ends
    at a proxy in production), which an HTTP client keeps to itself over plain HTTP: this one
    sends them to 127.0.0.1 all the same."""

    def __init__(self, server, username, password):
        self.server, self.cookies = server, {}
        page = self.request("get", "/admin/login/")
        response = self.request(
            "post",
            "/admin/login/",
            data={
                "csrfmiddlewaretoken": csrf_token(page),
                "username": username,
                "password": password,
            },
        )
        if "sessionid" not in self.cookies or response.status_code != 302:
            raise harness.HarnessError(f"Could not sign in to {server.url}: {response.status_code}")

    def request(self, method, path, **kwargs):
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = requests.request(
            method,
            self.server.url + path,
            headers={"Cookie": cookie},
            allow_redirects=False,
            timeout=30,
            **kwargs,
        )
        self.cookies.update({cookie.name: cookie.value for cookie in response.cookies})
        return response


def csrf_token(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)


def publish_through(admin, page_id):
    """The admin's publish action for one page (Pages › select › Publish)."""
    path = f"/admin/bulk/wagtailcore/page/publish/?id={page_id}&next=/admin/"
    form = admin.request("get", path)
    return admin.request("post", path, data={"csrfmiddlewaretoken": csrf_token(form)})


def prepare(workdir, database_url, redis_url):
    """Migrate the fresh database, collect static files and build the catalogue; returns what
    the checks need. Runs Django in this process, on the servers' settings."""
    env = harness.production_env(workdir, database_url, redis_url=redis_url)
    harness.use_env_here(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from badges_cms.models import BadgePage
    from benchmarks import content

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    content.load_demo()
    content.grow_to(BadgePage.objects.count() + GENERATED_BADGES)
    index = content.index_page()
    model = BadgePage.objects.get(title=content.generated_title(1))
    draft = BadgePage(
        title=DRAFT_TITLE,
        slug="cross-instance-badge",
        summary="Published through one server, shown at once by the other.",
        criteria="<p>Appear on both servers.</p>",
        issuer=model.issuer,
        badge_image=model.badge_image,
        badge_image_alt="The cross-instance badge",
        launched=datetime.date.today(),  # the newest: first on the index
        live=False,
    )
    index.add_child(instance=draft)
    draft.save_revision()
    password = secrets.token_urlsafe(16)
    get_user_model().objects.create_superuser("operator", "operator@example.org", password)
    print(f"  prepared in {time.monotonic() - started:.0f} s: {BadgePage.objects.count()} badges")
    return {
        "env": env,
        "index_url": index.url,
        "badge_urls": [
            page.url
            for page in BadgePage.objects.live().filter(title__startswith=content.GENERATED)[:3]
        ],
        "draft_id": draft.pk,
        "draft_url": index.url + draft.slug + "/",
        "password": password,
    }


def expected_counts():
    """{badge title: synced count} as the database holds them now."""
    from badges_cms.models import BadgePage, CredlyBadgeTemplate

    figures = dict(CredlyBadgeTemplate.objects.values_list("id", "badges_count"))
    return {
        title: figures[template]
        for title, template in BadgePage.objects.live()
        .exclude(credly_template_id=None)
        .values_list("title", "credly_template_id")
        if template in figures
    }


def check_publish(check, a, b, site):
    print("\n1. Publish through one server, read through the other")
    session = requests.Session()
    index_b = f"{b.url}{site['index_url']}"
    session.get(index_b, timeout=10)
    warm = session.get(index_b, timeout=10)
    check(
        warm.headers.get("X-Page-Cache") == "hit" and DRAFT_TITLE not in warm.text,
        f"server B serves its cached index without the draft ({warm.headers.get('X-Page-Cache')})",
    )
    admin = AdminSession(a, "operator", site["password"])
    started = time.monotonic()
    response = publish_through(admin, site["draft_id"])
    published = time.monotonic()
    check(
        response.status_code == 302 and response.headers["Location"] == "/admin/",
        f"published through server A's admin ({response.status_code}, "
        f"{(published - started) * 1000:.0f} ms)",
    )
    after = session.get(index_b, timeout=10)
    check(
        after.status_code == 200 and DRAFT_TITLE in after.text,
        "server B lists it on the first request after the publish, answered "
        f"{(time.monotonic() - published) * 1000:.0f} ms after A's answer "
        f"(X-Page-Cache: {after.headers.get('X-Page-Cache')})",
    )
    page_a = session.get(a.url + site["draft_url"], timeout=10)
    page_b = session.get(b.url + site["draft_url"], timeout=10)
    check(
        page_a.status_code == page_b.status_code == 200 and DRAFT_TITLE in page_b.text,
        f"its page answers on both servers ({page_a.status_code}, {page_b.status_code})",
    )
    images = [
        sorted(
            img["src"] for img in BeautifulSoup(page.text, "html.parser").select("img.badge__image")
        )
        for page in (page_a, page_b)
    ]
    media_root = Path(site["env"]["MEDIA_ROOT"])
    files = [media_root / src.removeprefix("/media/") for src in images[1]]
    check(
        images[0] == images[1] and files and all(path.is_file() for path in files),
        f"both servers show the same image rendition, stored in the shared media folder: "
        f"{', '.join(str(path.relative_to(media_root)) for path in files) or 'none'}",
    )


def traffic(servers, urls, stop, results):
    session = requests.Session()
    while not stop.is_set():
        for server in servers:
            for url in urls:
                started = time.monotonic()
                try:
                    response = session.get(server.url + url, timeout=30)
                except requests.RequestException as error:
                    results.append((server.port, url, started, None, str(error), {}, None))
                    continue
                counts, total = shown_counts(response.text)
                results.append(
                    (
                        server.port,
                        url,
                        started,
                        response.status_code,
                        response.headers.get("X-Page-Cache", ""),
                        counts,
                        total,
                    )
                )


def check_sync(check, a, b, site):
    from tests.credly_standin import CredlyStandIn, make_template

    print("\n2. A Credly sync while both servers serve traffic")
    with CredlyStandIn() as credly:
        credly.templates = [make_template(i) for i in range(1, STANDIN_TEMPLATES + 1)]
        credly.latency = CREDLY_LATENCY
        sync_env = {
            **site["env"],
            "CREDLY_API_TOKEN": credly.token,
            "CREDLY_ORGANIZATION_ID": credly.organization_id,
            "CREDLY_API_BASE_URL": credly.base_url,
        }

        def sync():
            return subprocess.run(  # noqa: S603
                [harness.PYTHON, "manage.py", "sync_credly_badges"],
                cwd=REPO,
                env=sync_env,
                capture_output=True,
                text=True,
                timeout=300,
            )

        first = sync()
        if first.returncode != 0:
            raise harness.HarnessError(f"The first sync failed: {first.stdout}{first.stderr}")
        before = expected_counts()
        urls = [site["index_url"], *site["badge_urls"]]
        session = requests.Session()
        total_before = shown_counts(session.get(a.url + site["index_url"], timeout=10).text)[1]

        with credly.lock:
            for template in credly.templates:
                template["badges_count"] += COUNT_BUMP
        stop, results = threading.Event(), []
        threads = [
            threading.Thread(target=traffic, args=([server], urls, stop, results))
            for server in (a, b, a, b)
        ]
        for thread in threads:
            thread.start()
        try:
            harness.wait_until(lambda: len(results) >= 8, 60, what="traffic to start")
            sync_started = time.monotonic()
            second = sync()
            sync_ended = time.monotonic()
            # What the first requests after the sync show, then a little more traffic.
            first_after = {
                server.port: shown_counts(
                    session.get(server.url + site["index_url"], timeout=10).text
                )[0]
                for server in (a, b)
            }
            seen = len(results)
            harness.wait_until(lambda: len(results) >= seen + 8, 60, what="more traffic")
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        after = expected_counts()
        total_after = shown_counts(session.get(b.url + site["index_url"], timeout=10).text)[1]

    print(
        f"  sync: exit {second.returncode}, {sync_ended - sync_started:.1f} s; "
        + (second.stdout.strip().splitlines() or ["(no output)"])[-1]
    )
    check(second.returncode == 0, "the sync succeeded")
    changed = sum(1 for title in before if before[title] != after.get(title))
    check(changed >= GENERATED_BADGES, f"the sync changed {changed} badges' issued counts")

    statuses = Counter(result[3] for result in results)
    during = [r for r in results if sync_started <= r[2] <= sync_ended]
    print(
        f"  {len(results)} responses ({len(during)} while the sync ran): statuses "
        f"{dict(statuses)}; X-Page-Cache {dict(Counter(r[4] for r in results))}; per server "
        f"{dict(Counter(r[0] for r in results))}"
    )
    check(
        all(status is not None and status < 500 for status in statuses),
        "no server error and no failed request",
    )
    check(statuses.get(200, 0) == len(results), "every response was a 200")

    wrong, saw_before, saw_after, mixed = [], 0, 0, 0
    for port, url, _, _, _, counts, total in results:
        kinds = set()
        for title, count in counts.items():
            if count == before.get(title):
                kinds.add("before")
            elif count == after.get(title):
                kinds.add("after")
            else:
                wrong.append(f"{port}{url}: {title} showed {count}")
        if total is not None and total not in (total_before, total_after):
            wrong.append(f"{port}{url}: total {total} (before {total_before}, after {total_after})")
        saw_before += kinds == {"before"}
        saw_after += kinds == {"after"}
        mixed += len(kinds) > 1
    shown = sum(len(result[5]) for result in results)
    check(
        not wrong,
        f"all {shown} counts shown equal the before- or the after-sync value"
        + (f"; wrong: {wrong[:5]}" if wrong else ""),
    )
    print(
        f"  responses showing only before-sync counts: {saw_before}, only after-sync: "
        f"{saw_after}, a mix of both: {mixed}"
    )
    check(
        saw_before > 0 and saw_after > 0,
        "the traffic overlapped the change (responses on both sides of it)",
    )
    for port, counts in first_after.items():
        stale = [title for title, count in counts.items() if count != after.get(title)]
        check(
            counts and not stale,
            f"the first index after the sync on :{port} shows the new counts ({len(counts)} cards)",
        )


def main():
    check = Check()
    workdir = Path(tempfile.mkdtemp(prefix="badges-multi-"))
    database = f"badges_multi_{os.getpid()}"
    redis_url = f"redis://{harness.REDIS_HOST}:{harness.REDIS_PORT}/{REDIS_DB}"
    servers = []
    print(f"Multi-instance run: {harness.machine_summary()}")
    try:
        harness.ensure_postgres()
        harness.ensure_redis()
        with harness.fresh_postgres_database(database) as database_url:
            print(f"  PostgreSQL database {database}, Redis {redis_url}, media {workdir / 'media'}")
            site = prepare(workdir, database_url, redis_url)
            for name in ("a", "b"):
                server = harness.Gunicorn(
                    site["env"],
                    ready_path=site["index_url"],
                    log_path=workdir / f"gunicorn-{name}.log",
                )
                servers.append(server.start())
            a, b = servers
            print(f"  server A on :{a.port}, server B on :{b.port} (2 workers each)")
            check_publish(check, a, b, site)
            check_sync(check, a, b, site)
            for server in servers:
                server.stop()
            from django.db import connections

            connections.close_all()
    except harness.HarnessError as error:
        print(f"\nThe run could not be completed: {error}")
        for server in servers:
            print(server.log_tail())
        return 2
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        harness.delete_redis_keys(redis_url, os.environ.get("CACHE_KEY_PREFIX", "bench-"))
    print()
    if check.failures:
        print(f"Multi-instance: {len(check.failures)} check(s) FAILED")
        return 1
    print("Multi-instance: every check held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
