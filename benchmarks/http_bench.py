"""Pages over HTTP, against two baselines measured in the same run, and the number of
database queries a page costs as the catalogue grows.

Baselines, served by gunicorn with exactly the site's settings (2 sync workers, loopback):
(a) a static copy of the same badge index HTML, served by the site itself through WhiteNoise;
(b) a minimal WSGI "hello" app (benchmarks/hello_wsgi.py).
Measured: the badge index (24 cards) and a badge page in three states of the caches:
- warm: the whole-page cache (Redis) holds the page, filled before the run;
- cold: the page cache off, so every request renders the page, from the fragments and the
  route stored by earlier renders (fragment_cache.py, route_cache.py): what a visitor the
  page cache cannot answer gets, and every request after the first following a publish;
- nothing cached: the page and fragment caches both off, every request renders everything
  (the first request after a publish; reported, not a goal).
wrk drives each for a few seconds after a short warm-up; every figure is a ratio to (a) and (b).

Goals on this machine, warm cache: the index and the badge page at least half the throughput
of (b); cold: at least a tenth. Each is reported as met or not.
"""

import os
import time
from pathlib import Path
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client, override_settings

from . import content, harness

SIZES = (10, 100, 1000)
SECONDS = 4
ROUNDS = 3
WARM_UP = 2
CONNECTIONS = 8
STATIC_COPY = "bench/badge-index.html"
STATIC = "(a) static copy of the index (WhiteNoise)"
HELLO = "(b) minimal WSGI app"


def count_queries(url):
    """Queries of one request, once another has filled per-process caches (site root paths,
    renditions, stored fragments where on), and the median time of five renders in this
    process."""
    client = Client()
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


def query_counts():
    """Per catalogue size, for the index and a badge page: (queries, render time) rendered in
    full, then with the fragments and the route stored."""
    from badges_cms import route_cache

    content.load_demo()
    rows = []
    for size in SIZES:
        content.grow_to(size)
        index, badge = content.index_page().url, content.first_badge_url()
        row = [size]
        for url in (index, badge):
            for fragments in (False, True):
                # The generated pages are saved without a publish: nothing stored may outlive
                # the size it was rendered at.
                cache.clear()
                route_cache.forget()
                with override_settings(BADGES_CMS_FRAGMENT_CACHE=fragments):
                    row.append(count_queries(url))
        rows.append(row)
    return rows


def measure_rounds(targets):
    """wrk on each target in turn, ROUNDS times over, so that whatever else the machine is
    doing weighs on every target alike; each target's figures are from its median round."""
    for url in targets.values():
        harness.wrk(url, WARM_UP, connections=CONNECTIONS)
    rounds = {name: [] for name in targets}
    for _ in range(ROUNDS):
        for name, url in targets.items():
            rounds[name].append(harness.wrk(url, SECONDS, connections=CONNECTIONS))
    return {
        name: sorted(runs, key=lambda r: r.rps)[len(runs) // 2] for name, runs in rounds.items()
    }


def http_figures(workdir):
    harness.ensure_wrk()
    redis_url = ""
    try:
        harness.ensure_redis()
        redis_url = f"redis://{harness.REDIS_HOST}:{harness.REDIS_PORT}/12"
    except harness.HarnessError as error:
        print(f"No Redis ({error}); the warm cache is each worker's own memory.")
    env = harness.production_env(
        workdir, os.environ["DATABASE_URL"], redis_url=redis_url, MEDIA_ROOT=settings.MEDIA_ROOT
    )
    harness.manage(env, "collectstatic", "--noinput", "-v0")
    index_url, badge_url = content.index_page().url, content.first_badge_url()
    connections.close_all()  # the servers have the database to themselves

    uncached = harness.Gunicorn(
        {**env, "PAGE_CACHE": "false", "FRAGMENT_CACHE": "false"}, ready_path=index_url
    )
    cold = harness.Gunicorn(
        {**env, "PAGE_CACHE": "false", "FRAGMENT_CACHE": "true"}, ready_path=index_url
    )
    warm = harness.Gunicorn({**env, "FRAGMENT_CACHE": "true"}, ready_path=index_url)
    hello = harness.Gunicorn(env, app="benchmarks.hello_wsgi:application")
    servers = (uncached, cold, warm, hello)
    try:
        uncached.start()
        html = requests.get(uncached.url + index_url, timeout=30)
        copy = Path(env["STATIC_ROOT"]) / STATIC_COPY
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(html.content)
        # Started after the copy was written: WhiteNoise indexes static files at start-up.
        cold.start()
        warm.start()
        hello.start()
        for url in (index_url, badge_url):
            # The same page but for the server's own address in absolute and share links.
            pages = [
                requests.get(server.url + url, timeout=30)
                .text.replace(server.url, "")
                .replace(quote(server.url, safe=""), "")
                for server in (cold, cold, uncached)
            ]
            if pages[1] != pages[2]:
                raise harness.HarnessError(f"{url} differs when rendered from fragments")
        for url in (index_url, badge_url):
            requests.get(warm.url + url, timeout=30)
            state = requests.get(warm.url + url, timeout=30).headers.get("X-Page-Cache")
            if state != "hit":
                raise harness.HarnessError(f"{url} is not served from the cache ({state})")
        results = measure_rounds(
            {
                STATIC: f"{warm.url}/static/{STATIC_COPY}",
                HELLO: hello.url + "/",
                "index, warm cache": warm.url + index_url,
                "badge page, warm cache": warm.url + badge_url,
                "index, cold cache": cold.url + index_url,
                "badge page, cold cache": cold.url + badge_url,
                "index, nothing cached": uncached.url + index_url,
                "badge page, nothing cached": uncached.url + badge_url,
            }
        )
    finally:
        for server in servers:
            server.stop()
        if redis_url:
            harness.delete_redis_keys(redis_url, env["CACHE_KEY_PREFIX"])
    cards = html.text.count('class="badge-card"')
    return results, cards, len(html.content), index_url, badge_url, bool(redis_url)


def run(workdir):
    workdir = Path(workdir)
    counts = query_counts()
    results, cards, html_bytes, index_url, badge_url, redis = http_figures(workdir)
    static, hello = results[STATIC], results[HELLO]
    order = [
        STATIC,
        HELLO,
        "index, warm cache",
        "badge page, warm cache",
        "index, cold cache",
        "badge page, cold cache",
        "index, nothing cached",
        "badge page, nothing cached",
    ]
    lines = [
        f"## Pages over HTTP: {cards} cards on the index, {SIZES[-1]:,} badges in the catalogue",
        "",
        f"gunicorn, 2 sync workers, production settings, on 127.0.0.1; wrk (2 threads, "
        f"{CONNECTIONS} connections) on each target for {SECONDS} s, {ROUNDS} rounds taken in "
        f"turn after {WARM_UP} s of warm-up each; the figures are each target's median round. "
        f"Index `{index_url}` "
        f"({html_bytes / 1024:.0f} KiB of HTML), badge page `{badge_url}`. Warm cache: the "
        f"whole-page cache in {'Redis' if redis else 'each worker’s memory (no Redis)'}, filled "
        "first. Cold: the page cache off, so every request renders the page, from the "
        "fragments and the route stored by the first render (what visitors the page cache "
        "does not answer get). Nothing cached: page and fragment caches off, every request "
        "renders everything (the very first request after a publish). Each cold page was "
        "checked to be byte for byte the page rendered with nothing cached.",
        "",
        "| target | requests/s | p50 | p99 | vs (a) static | vs (b) hello | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in order:
        result = results[name]
        lines.append(
            f"| {name} | {result.rps:,.0f} | {result.p50_ms:.1f} ms | {result.p99_ms:.1f} ms | "
            f"{result.rps / static.rps:.3f}× | {result.rps / hello.rps:.3f}× | {result.errors} |"
        )
    goals = [
        ("index, warm cache", 0.5),
        ("badge page, warm cache", 0.5),
        ("index, cold cache", 0.1),
        ("badge page, cold cache", 0.1),
    ]
    lines += ["", "Goals (throughput against (b), the minimal WSGI app):", ""]
    for name, goal in goals:
        ratio = results[name].rps / hello.rps
        verdict = "**met**" if ratio >= goal else "**not met**"
        lines.append(f"- {name}: at least {goal:g}× (b) — {ratio:.3f}×, {verdict}")
    lines += [
        "",
        "## Database queries and render time per page",
        "",
        "Queries of one request after another has filled per-process caches, and the median "
        "of five renders in one process (Django's test client, test settings with an "
        "in-memory cache, no page cache, no HTTP): rendered in full, and with the fragments "
        "and the route stored.",
        "",
        "| badges | index: queries (full / stored) | index: render | "
        "badge page: queries (full / stored) | badge page: render |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]

    def pair(figures, ms=False):
        full, stored = figures
        if ms:
            return f"{full * 1000:.1f} ms / {stored * 1000:.1f} ms"
        return f"{full} / {stored}"

    for size, index_full, index_stored, badge_full, badge_stored in counts:
        index_figures, badge_figures = (index_full, index_stored), (badge_full, badge_stored)
        lines.append(
            f"| {size:,} | {pair([q for q, _ in index_figures])} | "
            f"{pair([t for _, t in index_figures], ms=True)} | "
            f"{pair([q for q, _ in badge_figures])} | "
            f"{pair([t for _, t in badge_figures], ms=True)} |"
        )
    lines.append("")
    return "\n".join(lines)
