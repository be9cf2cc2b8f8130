"""Pages over HTTP as visitors meet them, beside baselines measured in the same run, the time a
publish takes to show through Varnish, and the database queries a page costs as the catalogue
grows. docs/benchmarks.md says what each row means.

The stack is the production one: gunicorn (2 sync workers, production settings, PostgreSQL,
Redis) behind our own varnishd with deploy/varnish/default.vcl, and the task worker
(`manage.py db_worker`) that sends the purges. Rows, each driven by wrk in turn (ROUNDS rounds
of SECONDS each, after a warm-up; each row's median round):

- the badge index and a badge page through Varnish, stored there (warm);
- the very bytes Varnish served for each, as static files from our own nginx: what this
  machine can serve at all (baseline);
- the minimal WSGI app (benchmarks/hello_wsgi.py) on the same gunicorn settings (baseline);
- the index and the badge page straight from gunicorn with nothing in front: every request
  rendered (cold).

Every request sends what a browser does that matters to the cache: ``Accept: text/html`` and
``Accept-Encoding: gzip``. Then PUBLISHES title changes are published in this process (Django,
the same database), each timed from its commit until Varnish serves the new title on both the
badge page and the index.
"""

import http.client
import math
import statistics
import sys
import time
from contextlib import ExitStack, contextmanager
from html import escape
from pathlib import Path

from bs4 import BeautifulSoup
from django.db import connection, connections, transaction
from django.test import Client, override_settings

from . import content, frontends, harness

SIZES = (10, 100, 1000)
SECONDS = 5
ROUNDS = 3
WARM_UP = 2
CONNECTIONS = 16
HEADERS = {"Accept": "text/html", "Accept-Encoding": "gzip"}
PUBLISHES = 20
POLL_PAUSE = 0.01  # between two polls of the same address
VISIBLE_DEADLINE = 15
WORKER_INTERVAL = 0.1  # db_worker --interval: how long the idle worker sleeps

NGINX_INDEX = "nginx: static copy of the index"
NGINX_BADGE = "nginx: static copy of the badge page"
HELLO = "minimal WSGI app (gunicorn)"
WARM_INDEX = "index through Varnish"
WARM_BADGE = "badge page through Varnish"
COLD_INDEX = "index, cold (gunicorn, every request rendered)"
COLD_BADGE = "badge page, cold (gunicorn, every request rendered)"
BARE_INDEX = "bare Varnish (built-in VCL) over nginx: the index's copy"
BARE_BADGE = "bare Varnish (built-in VCL) over nginx: the badge page's copy"
ORDER = [NGINX_INDEX, NGINX_BADGE, HELLO, BARE_INDEX, BARE_BADGE, WARM_INDEX, WARM_BADGE]
ORDER += [COLD_INDEX, COLD_BADGE]
STATIC_COPY = {WARM_INDEX: NGINX_INDEX, WARM_BADGE: NGINX_BADGE}
STATIC_COPY.update({BARE_INDEX: NGINX_INDEX, BARE_BADGE: NGINX_BADGE})
STATIC_COPY.update({COLD_INDEX: NGINX_INDEX, COLD_BADGE: NGINX_BADGE})
GOALS = [
    # (row, baseline row, at least, errors must be 0)
    (WARM_INDEX, NGINX_INDEX, 0.8, True),
    (WARM_BADGE, NGINX_BADGE, 0.8, True),
    (COLD_INDEX, HELLO, 0.03, False),
    (COLD_BADGE, HELLO, 0.03, False),
]
PUBLISH_GOAL = 1.0
STARTED = time.monotonic()


def progress(message):
    print(f"[{time.monotonic() - STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


@contextmanager
def purges_off():
    """Building the catalogue purges nothing (no Varnish runs yet, and nothing is stored)."""
    with override_settings(WAGTAILFRONTENDCACHE={}):
        yield


def point_site_at(port):
    """The default Site becomes 127.0.0.1:<Varnish's port>: the address visitors use, so the
    purges (sent with the page's host) name the copies they fetched."""
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "127.0.0.1", port
    site.save()
    return f"127.0.0.1:{port}"


def drop_pending_tasks():
    """Forget whatever index updates building the generated badges left queued (Wagtail
    queues six per page saved the ordinary way: more than the worker would get through in the
    whole run). None of them bears on a page measured here."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().delete()[0]


def count_queries(url, host):
    """Queries of one request once another has filled per-process caches (site root paths,
    renditions), and the median time of five renders, in this process."""
    client = Client(HTTP_HOST=host)
    client.get(url)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # Counted as they run: Django empties its query log when a request starts.
    with connection.execute_wrapper(count):
        response = client.get(url)
    if response.status_code != 200:
        raise harness.HarnessError(f"{url} answered {response.status_code}")
    times = []
    for _ in range(5):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return len(queries), sorted(times)[2]


def build_catalogue(env, varnish_port):
    """The demo site, then generated badges up to each of SIZES, counting queries at each.
    The demo's own index updates are done by a task worker run to completion."""
    rows = []
    with purges_off():
        progress("the demo site")
        content.load_demo()
        host = point_site_at(varnish_port)
        connections.close_all()
        harness.manage(env, "db_worker", "--batch", "--no-startup-delay", "--verbosity", "0")
        for size in SIZES:
            progress(f"{size:,} badges")
            content.grow_to(size)
            index, badge = content.index_page().url, content.first_badge_url()
            rows.append((size, count_queries(index, host), count_queries(badge, host)))
    dropped = drop_pending_tasks()
    return rows, dropped


def wrk_settled(url, seconds):
    """wrk, then one request more: gunicorn's sync workers still render what wrk left queued
    when it stopped, and the next target's run must not wait behind that."""
    result = harness.wrk(url, seconds, connections=CONNECTIONS, headers=HEADERS)
    harness.fetch(url, HEADERS, timeout=60)
    return result


def measure_rounds(targets):
    """wrk on each target in turn, ROUNDS times over, so that whatever else the machine is
    doing weighs on every target alike; each target's figures are from its median round."""
    for url in targets.values():
        wrk_settled(url, WARM_UP)
    rounds = {name: [] for name in targets}
    for number in range(ROUNDS):
        progress(f"wrk, round {number + 1} of {ROUNDS}")
        for name, url in targets.items():
            rounds[name].append(wrk_settled(url, SECONDS))
    return {
        name: sorted(runs, key=lambda r: r.rps)[len(runs) // 2] for name, runs in rounds.items()
    }


def stored_copy(varnish, path):
    """The page as Varnish serves it from store: asked until it answers a hit."""
    for _ in range(5):
        answer = harness.fetch(varnish.url + path, HEADERS)
        if answer.status != 200:
            raise harness.HarnessError(f"{path} answered {answer.status} through Varnish")
        if answer.headers.get("x-cache") == "HIT":
            return answer
    raise harness.HarnessError(f"Varnish does not store {path} ({answer.headers})")


def static_files(varnish, paths):
    """{file name: (bytes, headers)} for nginx: exactly what Varnish served for each path."""
    files = {}
    for name, path in paths.items():
        answer = stored_copy(varnish, path)
        headers = {"Content-Type": answer.headers["content-type"]}
        if "content-encoding" in answer.headers:
            headers["Content-Encoding"] = answer.headers["content-encoding"]
        files[name] = (answer.body, headers)
    return files


def newest_card(html):
    """The address of the first badge card on the index."""
    link = BeautifulSoup(html, "html.parser").select_one(".badge-card__title a")
    if link is None:
        raise harness.HarnessError("The index shows no badge card.")
    return link["href"]


def publish_title(page_id, title):
    """Publish a new title; returns the monotonic time of the commit."""
    from badges_cms.models import BadgePage

    page = BadgePage.objects.get(pk=page_id)
    page.title = title
    revision = page.save_revision()
    committed = []
    with transaction.atomic():
        # Registered before the publish's own (the purge), so it runs first after the commit.
        transaction.on_commit(lambda: committed.append(time.monotonic()))
        revision.publish()
    return committed[0]


def wait_until_shown(varnish, paths, text, since):
    """Polls each path through Varnish until every one shows ``text``; seconds since
    ``since``, or None after VISIBLE_DEADLINE."""
    pending = list(paths)
    opened = {
        path: http.client.HTTPConnection("127.0.0.1", varnish.port, timeout=30) for path in paths
    }
    try:
        while pending:
            for path in list(pending):
                answer = harness.fetch(
                    varnish.url + path, {"Accept": "text/html"}, connection=opened[path]
                )
                if answer.status >= 500:
                    raise harness.HarnessError(f"{path} answered {answer.status}")
                if text in answer.body.decode("utf-8", "replace"):
                    pending.remove(path)
            if not pending:
                return time.monotonic() - since
            if time.monotonic() - since > VISIBLE_DEADLINE:
                return None
            time.sleep(POLL_PAUSE)
    finally:
        for each in opened.values():
            each.close()
    return time.monotonic() - since


def publish_to_visible(varnish, worker, index_url):
    """PUBLISHES title changes of the index's first badge, after one that is not counted
    (it wakes every process up); seconds from each commit to both pages showing it."""
    from badges_cms.models import BadgePage

    badge_url = newest_card(harness.fetch(varnish.url + index_url, {"Accept": "text/html"}).body)
    slug = badge_url.rstrip("/").rsplit("/", 1)[1]
    page = BadgePage.objects.get(slug=slug)
    paths = [badge_url, index_url]
    for path in paths:
        stored_copy(varnish, path)
    timings = []
    for number in range(PUBLISHES + 1):
        title = f"{page.title.split(' edit ')[0]} edit {number:02}"
        since = publish_title(page.pk, title)
        seconds = wait_until_shown(varnish, paths, escape(title), since)
        worker.check_running()
        if number:
            timings.append(seconds)
    connections.close_all()
    return timings, badge_url


def http_figures(workdir, env, varnish_port, index_url, badge_url):
    connections.close_all()  # the servers have the database to themselves
    progress("starting gunicorn, Varnish, the task worker and nginx")
    with ExitStack() as running:
        app = running.enter_context(
            harness.Gunicorn(env, ready_path=index_url, log_path=workdir / "gunicorn.log")
        )
        varnish = running.enter_context(
            frontends.Varnish(workdir / "varnish", [("127.0.0.1", app.port)], port=varnish_port)
        )
        worker = running.enter_context(
            harness.TaskWorker(env, WORKER_INTERVAL, log_path=workdir / "db_worker.log")
        )
        hello = running.enter_context(
            harness.Gunicorn(env, app="benchmarks.hello_wsgi:application")
        )
        files = static_files(varnish, {"index.html": index_url, "badge.html": badge_url})
        nginx = running.enter_context(frontends.Nginx(workdir / "nginx", files))
        for name, (body, _) in files.items():
            if harness.fetch(f"{nginx.url}/{name}", HEADERS).body != body:
                raise harness.HarnessError(f"nginx does not serve the bytes of {name}")
        bare = running.enter_context(
            frontends.Varnish(
                workdir / "varnish-bare", [], vcl=frontends.bare_vcl("127.0.0.1", nginx.port)
            )
        )
        for name in files:
            stored_copy(bare, f"/{name}")
        names = ("MAIN.backend_req", "MAIN.cache_hit", "MAIN.cache_miss")
        before = varnish.counters(*names)
        results = measure_rounds(
            {
                NGINX_INDEX: f"{nginx.url}/index.html",
                WARM_INDEX: varnish.url + index_url,
                NGINX_BADGE: f"{nginx.url}/badge.html",
                WARM_BADGE: varnish.url + badge_url,
                BARE_INDEX: f"{bare.url}/index.html",
                BARE_BADGE: f"{bare.url}/badge.html",
                HELLO: hello.url + "/",
                COLD_INDEX: app.url + index_url,
                COLD_BADGE: app.url + badge_url,
            }
        )
        after = varnish.counters(*names)
        worker.check_running()
        progress(f"{PUBLISHES} publishes")
        timings, published_url = publish_to_visible(varnish, worker, index_url)
    counters = {name: after[name] - before.get(name, 0) for name in after}
    sizes = {name: len(body) for name, (body, _) in files.items()}
    encoding = files["index.html"][1].get("Content-Encoding", "identity")
    return results, counters, timings, published_url, sizes, encoding


def percentile(values, share):
    """Nearest rank: of 20 values, p50 is the 10th and p99 the 20th (the slowest)."""
    ranked = sorted(values)
    return ranked[max(math.ceil(share * len(ranked)), 1) - 1]


def run(workdir, env, varnish_port):
    """The HTTP sections of RESULTS.md, and the goals that were not met."""
    from badges_cms.models import BadgePage

    workdir = Path(workdir)
    counts, dropped = build_catalogue(env, varnish_port)
    index_url, badge_url = content.index_page().url, content.first_badge_url()
    badges = BadgePage.objects.live().count()
    results, counters, timings, published_url, sizes, encoding = http_figures(
        workdir, env, varnish_port, index_url, badge_url
    )
    failures = []
    lines = [
        f"## Pages over HTTP: {badges:,} badges in the catalogue",
        "",
        f"gunicorn, 2 sync workers, production settings, PostgreSQL and Redis, on 127.0.0.1; "
        f"Varnish {frontends.version('varnishd', '-V')} "
        f"({frontends.VCL_DIR.relative_to(harness.REPO)}/default.vcl) in front of it; "
        f"nginx {frontends.version('nginx', '-v')} serving the bytes Varnish served, as files. "
        "wrk (2 threads, "
        f"{CONNECTIONS} connections, sending `Accept: text/html` and `Accept-Encoding: gzip`) "
        f"on each target for {SECONDS} s, {ROUNDS} rounds taken in turn after {WARM_UP} s of "
        "warm-up each; the figures are each target's median round. "
        f"Index `{index_url}`, badge page `{badge_url}`; Varnish served them "
        f"{encoding}-encoded, {sizes['index.html'] / 1024:.1f} KiB and "
        f"{sizes['badge.html'] / 1024:.1f} KiB. Bare Varnish: another varnishd with only its "
        "built-in VCL, storing nginx's copies: what Varnish itself serves on this machine, "
        "without the project's rules. Cold: straight to gunicorn, nothing in front, every "
        "request rendered.",
        "",
        "| target | requests/s | p50 | p99 | vs its static copy (nginx) | vs minimal WSGI app "
        "| errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    hello = results[HELLO]
    for name in ORDER:
        result = results[name]
        copy = results.get(STATIC_COPY.get(name, name)) if name != HELLO else None
        versus_copy = f"{result.rps / copy.rps:.3f}×" if copy else "–"
        lines.append(
            f"| {name} | {result.rps:,.0f} | {result.p50_ms:.1f} ms | {result.p99_ms:.1f} ms | "
            f"{versus_copy} | {result.rps / hello.rps:.3f}× | {result.errors} |"
        )
    lines += [
        "",
        f"While wrk drove Varnish, it answered {counters.get('MAIN.cache_hit', 0):,} hits and "
        f"{counters.get('MAIN.cache_miss', 0):,} misses, and asked gunicorn "
        f"{counters.get('MAIN.backend_req', 0):,} times.",
        "",
    ]
    shown = [t for t in timings if t is not None]
    lost = len(timings) - len(shown)
    median = statistics.median(t if t is not None else float("inf") for t in timings)
    lines += [
        "## From a publish to the change showing through Varnish",
        "",
        f"{PUBLISHES} title changes of `{published_url}` (the index's first card), each published "
        "in the benchmark's own process (Django, the same database) after the one before "
        "showed; each timed from its commit until Varnish serves the new title on that badge "
        f"page and on the index, polling each every {POLL_PAUSE * 1000:.0f} ms. In between: the "
        f"task worker (`db_worker --interval {WORKER_INTERVAL}`, which sleeps that long when "
        "idle) picks up the publish's tasks (search and reference index updates, then the "
        "purge), PURGEs both addresses, and the next request renders afresh.",
        "",
        "| publishes | median | p99 (the slowest) | fastest | not shown within "
        f"{VISIBLE_DEADLINE} s |",
        "| ---: | ---: | ---: | ---: | ---: |",
        f"| {len(timings)} | {fmt_seconds(median)} | "
        f"{fmt_seconds(percentile(shown, 0.99)) if shown else '–'} | "
        f"{fmt_seconds(min(shown)) if shown else '–'} | {lost} |",
        "",
        "## Goals",
        "",
    ]
    for name, baseline, goal, no_errors in GOALS:
        result = results[name]
        ratio = result.rps / results[baseline].rps
        ok = ratio >= goal and (not no_errors or result.errors == 0)
        errors = f", {result.errors} errors" if no_errors else ""
        lines.append(
            f"- {name}: at least {goal:g}× {baseline}{' and no errors' if no_errors else ''} — "
            f"{ratio:.3f}×{errors}: **{'PASS' if ok else 'FAIL'}**"
        )
        if not ok:
            failures.append(name)
    ok = median <= PUBLISH_GOAL
    lines.append(
        f"- publish to visible through Varnish: median within {PUBLISH_GOAL:g} s — "
        f"{fmt_seconds(median)}: **{'PASS' if ok else 'FAIL'}**"
    )
    if not ok:
        failures.append("publish to visible")
    lines += [
        "",
        "## Database queries and render time per page",
        "",
        "Queries of one request after another has filled per-process caches (site root paths, "
        "renditions), and the median of five renders, in the benchmark's process (Django's "
        "test client, production settings, no HTTP)."
        + (
            f" Building the catalogue queued {dropped:,} search and reference index updates of "
            "the generated badges; they were dropped rather than left to the task worker, which "
            "would still be busy with them when the publishes are timed."
            if dropped
            else ""
        ),
        "",
        "| badges | index: queries | index: render | badge page: queries | badge page: render |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, (index_queries, index_time), (badge_queries, badge_time) in counts:
        lines.append(
            f"| {size:,} | {index_queries} | {index_time * 1000:.1f} ms | {badge_queries} | "
            f"{badge_time * 1000:.1f} ms |"
        )
    lines.append("")
    return "\n".join(lines), failures


def fmt_seconds(seconds):
    if seconds == float("inf"):
        return "not shown"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"
