"""`make multi-instance`: two app servers behind one Varnish, as two machines behind a shared
HTTP cache would run.

Two gunicorn servers (2 workers each, production settings) on different ports behind our own
varnishd (deploy/varnish/default.vcl, a round-robin director over both, each probed), sharing
a fresh PostgreSQL database on 127.0.0.1:5432, one Redis database (11) and one media folder,
with one task worker (`manage.py db_worker --interval 0.1`) sending the purges. The run checks,
and prints what it measured:

1. Varnish takes the servers in turn: both answer the requests it passes on.
2. A staff user signs in to each server's admin directly (not through Varnish), edits a badge's
   title in Wagtail's page editor and publishes it (the editor's own form, posted as a browser
   would); Varnish shows the new title on the badge page and on the index within a moment,
   where it had served the old one from store just before. Both servers show the same image
   renditions, stored once in the shared media folder.
3. While wrk and a few readers ask Varnish for the index and badge pages, the real
   `sync_credly_badges` runs against the stand-in Credly of badges_cms/credly/standin.py, every one
   of whose templates has a changed issued count: every count any response shows (cards, badge
   pages and the index's total) is its value either before or after the sync, no response is a
   server error, and the first responses after the sync show the new figures.

Exit status 0 when every check holds, 1 when one fails, 2 when the run could not be set up.
"""

import os
import re
import secrets
import shutil
import signal
import subprocess  # noqa: S404 - runs the sync command and wrk with fixed arguments
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import requests  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402

from benchmarks import frontends, harness  # noqa: E402

GENERATED_BADGES = 30
STANDIN_TEMPLATES = 1000  # 20 pages of 50: the sync takes a few seconds of Credly latency
CREDLY_LATENCY = 0.15
COUNT_BUMP = 1000
REDIS_DB = 11
WORKER_INTERVAL = 0.1
VISIBLE_WITHIN = 5  # seconds: "at once", allowing for the worker and a fresh render
SETTLE_TIMEOUT = 300
HTML = {"Accept": "text/html"}
ISSUED = re.compile(r"Issued ([\d,]+) times?")
TOTAL = re.compile(r"issued ([\d,]+) times? in all")


class Check:
    def __init__(self):
        self.failures = []

    def __call__(self, ok, message):
        print(("  ok    " if ok else "  FAIL  ") + message, flush=True)
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


# The admin, as a browser drives it


class AdminSession:
    """Signed in to one server's admin, straight to that server. The production settings mark
    cookies Secure (TLS ends at a proxy in production), which an HTTP client keeps to itself
    over plain HTTP: this one sends them to 127.0.0.1 all the same."""

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
            timeout=60,
            **kwargs,
        )
        self.cookies.update({cookie.name: cookie.value for cookie in response.cookies})
        return response


def csrf_token(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)


def form_fields(html, form_id):
    """What a browser would submit from the form: [(name, value), ...] of its named controls
    (inside it, or outside with form="<id>"), checked boxes only, selected options only."""
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", id=form_id)
    if form is None:
        raise harness.HarnessError(f"No form #{form_id} in the page.")
    controls = form.find_all(["input", "textarea", "select"])
    controls += soup.find_all(["input", "textarea", "select"], attrs={"form": form_id})
    fields = []
    for control in controls:
        name = control.get("name")
        if not name or control.has_attr("disabled"):
            continue
        if control.name == "textarea":
            # A browser drops the one newline that follows <textarea>.
            fields.append((name, control.get_text().removeprefix("\n")))
        elif control.name == "select":
            fields += [
                (name, option.get("value", option.get_text()))
                for option in control.find_all("option")
                if option.has_attr("selected")
            ]
        else:
            kind = control.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"}:
                if control.has_attr("checked"):
                    fields.append((name, control.get("value", "on")))
                continue
            fields.append((name, control.get("value", "")))
    return fields


def edit_and_publish(admin, page_id, title):
    """Wagtail's page editor: open it, change the title, press Publish. The badges edited here
    have an empty body, whose StreamField the editor's script would submit as no blocks."""
    path = f"/admin/pages/{page_id}/edit/"
    editor = admin.request("get", path)
    if editor.status_code != 200:
        raise harness.HarnessError(f"The editor of page {page_id} answered {editor.status_code}")
    fields = [(name, value) for name, value in form_fields(editor.text, "page-edit-form")]
    names = {name for name, _ in fields}
    fields = [(name, title if name == "title" else value) for name, value in fields]
    if "body-count" not in names:
        fields.append(("body-count", "0"))
    fields.append(("action-publish", "action-publish"))
    response = admin.request("post", path, data=fields)
    if response.status_code != 302:
        errors = BeautifulSoup(response.text, "html.parser").select(
            ".error-message, .help-critical"
        )
        raise harness.HarnessError(
            f"Publishing page {page_id} answered {response.status_code}: "
            + "; ".join(error.get_text(" ", strip=True) for error in errors)[:500]
        )
    return response


# Preparing the site


def prepare(workdir, database_url, redis_url, varnish_port):
    """Migrate the fresh database, collect static files and build the catalogue (purging
    nothing: no Varnish runs yet); the default Site is 127.0.0.1 on Varnish's port, as visitors
    reach it. Runs Django in this process, on the servers' settings."""
    env = harness.production_env(
        workdir,
        database_url,
        redis_url=redis_url,
        FRONTEND_CACHE_URL=f"http://127.0.0.1:{varnish_port}",
    )
    harness.use_env_here(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import override_settings
    from wagtail.models import Site

    from badges_cms.models import BadgePage
    from benchmarks import content

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    with override_settings(WAGTAILFRONTENDCACHE={}):
        content.load_demo()
        content.grow_to(BadgePage.objects.count() + GENERATED_BADGES)
        site = Site.objects.get(is_default_site=True)
        site.hostname, site.port = "127.0.0.1", varnish_port
        site.save()
    password = secrets.token_urlsafe(16)
    get_user_model().objects.create_superuser("operator", "operator@example.org", password)
    print(f"  prepared in {time.monotonic() - started:.0f} s: {BadgePage.objects.count()} badges")
    return {
        "env": env,
        "index_url": content.index_page().url,
        "badge_urls": [
            page.url
            for page in BadgePage.objects.live().filter(title__startswith=content.GENERATED)[:3]
        ],
        "password": password,
    }


def pending_tasks():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count() + DBTaskResult.objects.running().count()


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


def through(varnish, path, headers=HTML):
    return harness.fetch(varnish.url + path, headers)


def stored(varnish, path):
    """Asks Varnish for the page until it answers from store; that answer."""
    for _ in range(5):
        answer = through(varnish, path)
        if answer.status == 200 and answer.headers.get("x-cache") == "HIT":
            return answer
    raise harness.HarnessError(f"Varnish does not store {path}: {answer.status}, {answer.headers}")


def wait_until_shown(varnish, paths, text, deadline):
    """Seconds until every path shows ``text`` through Varnish, or None after ``deadline``."""
    started = time.monotonic()
    pending = list(paths)
    while pending and time.monotonic() - started < deadline:
        pending = [p for p in pending if text not in through(varnish, p).body.decode()]
        if pending:
            time.sleep(0.02)
    return None if pending else time.monotonic() - started


# The checks


def check_round_robin(check, varnish, servers):
    print("\n1. Varnish takes the two servers in turn")
    before = varnish.counters("VBE.*.req")
    for _ in range(10):
        # Passed to a backend every time (the admins are never stored).
        harness.fetch(varnish.url + "/admin/login/", HTML)
    after = varnish.counters("VBE.*.req")
    asked = {
        name.split(".")[-2]: after[name] - before.get(name, 0)
        for name in after
        if name.endswith(".req")
    }
    check(
        len(asked) == len(servers) and all(count >= 4 for count in asked.values()),
        f"10 requests passed on: {', '.join(f'{n} {c}' for n, c in sorted(asked.items()))}",
    )


def check_publish(check, varnish, servers, site):
    from badges_cms.models import BadgePage
    from benchmarks import content

    print("\n2. A title edited and published in each server's admin, read through Varnish")
    index_url = site["index_url"]
    soup = BeautifulSoup(stored(varnish, index_url).body, "html.parser")
    cards = [link["href"] for link in soup.select(".badge-card__title a")][: len(servers)]
    for server, badge_url in zip(servers, cards, strict=True):
        slug = badge_url.rstrip("/").rsplit("/", 1)[1]
        page = BadgePage.objects.get(slug=slug)
        if not page.title.startswith(content.GENERATED) or len(page.body):
            raise harness.HarnessError(f"{badge_url} is not a generated badge with no body")
        name = f":{server.port}"
        old = [stored(varnish, path) for path in (badge_url, index_url)]
        check(
            all(page.title in answer.body.decode() for answer in old),
            f"Varnish serves {badge_url} and the index from store with the title {page.title!r}",
        )
        admin = AdminSession(server, "operator", site["password"])
        title = f"{page.title} (edited on {name})"
        started = time.monotonic()
        response = edit_and_publish(admin, page.pk, title)
        answered = time.monotonic()
        check(
            response.status_code == 302,
            f"signed in to {name}'s admin and published the edit there "
            f"({response.status_code} in {(answered - started) * 1000:.0f} ms)",
        )
        seconds = wait_until_shown(varnish, [badge_url, index_url], title, VISIBLE_WITHIN)
        check(
            seconds is not None,
            "Varnish shows the new title on the badge page and the index "
            + (
                f"{seconds * 1000:.0f} ms after the editor's answer"
                if seconds is not None
                else f"— not within {VISIBLE_WITHIN} s"
            ),
        )
    pages = [requests.get(server.url + cards[0], timeout=30) for server in servers]
    images = [
        sorted(
            img["src"] for img in BeautifulSoup(p.text, "html.parser").select("img.badge__image")
        )
        for p in pages
    ]
    media_root = Path(site["env"]["MEDIA_ROOT"])
    files = [media_root / src.removeprefix("/media/") for src in images[0]]
    check(
        images[0] == images[1] and files and all(path.is_file() for path in files),
        "both servers show the same image rendition, stored in the shared media folder: "
        f"{', '.join(str(path.relative_to(media_root)) for path in files) or 'none'}",
    )


def readers(varnish, urls, stop, results):
    """Reads the pages through Varnish in turn until told to stop."""
    while not stop.is_set():
        for url in urls:
            started = time.monotonic()
            try:
                answer = through(varnish, url)
            except OSError as error:
                results.append((url, started, None, str(error), {}, None))
                continue
            counts, total = shown_counts(answer.body.decode("utf-8", "replace"))
            results.append(
                (url, started, answer.status, answer.headers.get("x-cache", ""), counts, total)
            )


def start_wrk(url, seconds=120):
    """wrk on ``url`` until interrupted (it then prints its figures as at the end of a run)."""
    return subprocess.Popen(  # noqa: S603
        harness.wrk_command(url, seconds, connections=4, threads=1, headers=HTML),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_wrk(process, url, started):
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    return harness.parse_wrk(output, url, time.monotonic() - started)


def check_sync(check, varnish, site):
    from badges_cms.credly.standin import CredlyStandIn, make_template

    print("\n3. A Credly sync while wrk and readers ask Varnish for the pages")
    urls = [site["index_url"], *site["badge_urls"]]
    # A token of its own: production settings refuse the stand-in's public default token.
    with CredlyStandIn(token=secrets.token_hex(20)) as credly:
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
        total_before = shown_counts(through(varnish, site["index_url"]).body.decode())[1]
        with credly.lock:
            for template in credly.templates:
                template["badges_count"] += COUNT_BUMP

        stop, results = threading.Event(), []
        threads = [
            threading.Thread(target=readers, args=(varnish, urls[i:] + urls[:i], stop, results))
            for i in range(4)
        ]
        wrk_started = time.monotonic()
        loads = {url: start_wrk(varnish.url + url) for url in urls[:2]}
        for thread in threads:
            thread.start()
        try:
            harness.wait_until(lambda: len(results) >= 20, 60, what="the readers to start")
            sync_started = time.monotonic()
            second = sync()
            sync_ended = time.monotonic()
            first_after = shown_counts(through(varnish, site["index_url"]).body.decode())[0]
            seen = len(results)
            harness.wait_until(lambda: len(results) >= seen + 20, 60, what="more reading")
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            wrk_results = [
                stop_wrk(process, varnish.url + url, wrk_started) for url, process in loads.items()
            ]
        after = expected_counts()
        total_after = shown_counts(through(varnish, site["index_url"]).body.decode())[1]

    print(
        f"  sync: exit {second.returncode}, {sync_ended - sync_started:.1f} s; "
        + (second.stdout.strip().splitlines() or ["(no output)"])[-1]
    )
    check(second.returncode == 0, "the sync succeeded")
    changed = sum(1 for title in before if before[title] != after.get(title))
    check(changed >= GENERATED_BADGES, f"the sync changed {changed} badges' issued counts")

    for result in wrk_results:
        path = result.url.split(str(varnish.port), 1)[1]
        print(
            f"  wrk on {path}: {result.requests} requests, {result.rps:,.0f}/s, p99 "
            f"{result.p99_ms:.1f} ms"
        )
        check(
            result.errors == 0,
            f"wrk on {path}: no error (non-2xx/3xx: {result.non_2xx}, socket: "
            f"{result.socket_errors or 'none'})",
        )
    statuses = Counter(result[2] for result in results)
    during = [r for r in results if sync_started <= r[1] <= sync_ended]
    print(
        f"  readers: {len(results)} responses ({len(during)} while the sync ran): statuses "
        f"{dict(statuses)}; X-Cache {dict(Counter(r[3] for r in results))}"
    )
    check(
        all(status is not None and status < 500 for status in statuses),
        "readers: no server error and no failed request",
    )
    check(statuses.get(200, 0) == len(results), "readers: every response was a 200")

    wrong, saw_before, saw_after, mixed = [], 0, 0, 0
    for url, _, _, _, counts, total in results:
        kinds = set()
        for title, count in counts.items():
            if count == before.get(title):
                kinds.add("before")
            elif count == after.get(title):
                kinds.add("after")
            else:
                wrong.append(f"{url}: {title} showed {count}")
        if total is not None:
            if total == total_before:
                kinds.add("before")
            elif total == total_after:
                kinds.add("after")
            else:
                wrong.append(f"{url}: total {total} (before {total_before}, after {total_after})")
        saw_before += kinds == {"before"}
        saw_after += kinds == {"after"}
        mixed += len(kinds) > 1
    shown = sum(len(result[4]) + (result[5] is not None) for result in results)
    check(
        not wrong,
        f"all {shown} figures shown equal the before- or the after-sync value"
        + (f"; wrong: {wrong[:5]}" if wrong else ""),
    )
    print(
        f"  responses showing only before-sync figures: {saw_before}, only after-sync: "
        f"{saw_after}, a mix of both: {mixed}"
    )
    check(
        saw_before > 0 and saw_after > 0,
        "the traffic overlapped the change (responses on both sides of it)",
    )
    stale = [title for title, count in first_after.items() if count != after.get(title)]
    check(
        first_after and not stale,
        f"the first index through Varnish after the sync shows the new counts "
        f"({len(first_after)} cards{', stale: ' + ', '.join(stale[:3]) if stale else ''})",
    )


def main():
    check = Check()
    workdir = frontends.readable_folder(tempfile.mkdtemp(prefix="badges-multi-"))
    database = f"badges_multi_{os.getpid()}"
    redis_url = f"redis://{harness.REDIS_HOST}:{harness.REDIS_PORT}/{REDIS_DB}"
    print(f"Multi-instance run: {harness.machine_summary()}")
    try:
        harness.ensure_wrk()
        harness.tool("varnishd")
        harness.ensure_postgres()
        harness.ensure_redis()
        varnish_port = harness.free_port()
        with harness.fresh_postgres_database(database) as database_url, ExitStack() as running:
            print(f"  PostgreSQL database {database}, Redis {redis_url}, media {workdir / 'media'}")
            site = prepare(workdir, database_url, redis_url, varnish_port)
            from django.db import connections

            connections.close_all()
            servers = [
                running.enter_context(
                    harness.Gunicorn(
                        site["env"],
                        ready_path=site["index_url"],
                        log_path=workdir / f"gunicorn-{name}.log",
                    )
                )
                for name in ("a", "b")
            ]
            worker = running.enter_context(
                harness.TaskWorker(site["env"], WORKER_INTERVAL, log_path=workdir / "worker.log")
            )
            varnish = running.enter_context(
                frontends.Varnish(
                    workdir / "varnish",
                    [("127.0.0.1", server.port) for server in servers],
                    port=varnish_port,
                )
            )
            print(
                f"  Varnish on :{varnish.port}, round robin over gunicorn on "
                f"{' and '.join(f':{server.port}' for server in servers)} (2 workers each); "
                f"task worker every {WORKER_INTERVAL} s when idle"
            )
            started = time.monotonic()
            harness.wait_until(
                lambda: pending_tasks() == 0,
                SETTLE_TIMEOUT,
                interval=0.5,
                what="the task worker to finish the catalogue's index updates",
            )
            caught_up = time.monotonic() - started
            print(f"  the task worker caught up with the catalogue's updates in {caught_up:.0f} s")
            check_round_robin(check, varnish, servers)
            check_publish(check, varnish, servers, site)
            check_sync(check, varnish, site)
            worker.check_running()
            connections.close_all()
    except harness.HarnessError as error:
        print(f"\nThe run could not be completed: {error}")
        for log in sorted(workdir.glob("*.log")) + sorted(workdir.glob("varnish/*.log")):
            tail = log.read_text(errors="replace").splitlines()[-15:]
            print(f"--- {log.name}\n" + "\n".join(tail))
        return 2
    finally:
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
