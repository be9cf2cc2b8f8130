"""`make load`: wrk on the badge index and a badge page at once, for 30 s, twice over:

1. through Varnish (deploy/varnish/default.vcl, our own varnishd) in front of gunicorn, as
   production runs: what visitors meet;
2. cold: straight to gunicorn with nothing in front, so every request renders the whole page
   (the demanding case for the workers' memory).

gunicorn runs with 2 sync workers, production settings, PostgreSQL and Redis, on loopback; wrk
sends what a browser does that matters to the cache (``Accept: text/html``,
``Accept-Encoding: gzip``). Goals, each checked and printed for each run: no error (no socket
error, no response other than 2xx/3xx), and each watched process's resident memory (VmRSS from
/proc/<pid>/status, sampled every half second) grows by less than 10% between the first 10 s
and the last 10 s of the run, with no worker restarted. Watched: both gunicorn workers, and in
the Varnish run Varnish's cache process too. Each run starts after a short warm-up (lazy
imports, first renditions, Varnish storing the pages), which is not measured.

Exit status 0 when every goal is met, 1 when one is not, 2 when the run could not be set up.
"""

import os
import shutil
import subprocess  # noqa: S404 - runs wrk with fixed arguments
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from statistics import mean

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import frontends, harness  # noqa: E402

SECONDS = 30
WINDOW = 10
WARM_UP = 3
SAMPLE_EVERY = 0.5
MAX_GROWTH = 0.10
BADGES = 100
REDIS_DB = 15
CONNECTIONS = 4  # per URL
HEADERS = {"Accept": "text/html", "Accept-Encoding": "gzip"}


def prepare(workdir, database_url, redis_url):
    env = harness.production_env(workdir, database_url, redis_url=redis_url)
    harness.use_env_here(env)
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks import content

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    content.load_demo()
    content.grow_to(BADGES)
    urls = [content.index_page().url, content.first_badge_url()]
    print(f"  prepared in {time.monotonic() - started:.0f} s: {BADGES} badges; {', '.join(urls)}")
    from django.db import connections

    connections.close_all()
    return env, urls


def sample_memory(pids, stop, samples):
    started = time.monotonic()
    while not stop.wait(SAMPLE_EVERY):
        now = time.monotonic() - started
        for pid in pids:
            try:
                samples.setdefault(pid, []).append((now, harness.rss_kib(pid)))
            except (FileNotFoundError, ProcessLookupError):
                samples.setdefault(pid, []).append((now, None))


def run_wrk_together(urls, seconds):
    """wrk on each URL at once, for the same number of seconds; their results in order."""
    processes = [
        subprocess.Popen(  # noqa: S603
            harness.wrk_command(url, seconds, connections=CONNECTIONS, threads=1, headers=HEADERS),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for url in urls
    ]
    results = []
    for url, process in zip(urls, processes, strict=True):
        output, _ = process.communicate(timeout=seconds + 60)
        if process.returncode != 0:
            raise harness.HarnessError(f"wrk failed on {url}:\n{output}")
        results.append(harness.parse_wrk(output, url, seconds))
    return results


def one_run(label, env, urls, workdir, failures, through_varnish):
    print(f"\n{label}", flush=True)
    name = "varnish" if through_varnish else "cold"
    with ExitStack() as running:
        server = running.enter_context(
            harness.Gunicorn(
                env, workers=2, ready_path=urls[0], log_path=workdir / f"gunicorn-{name}.log"
            )
        )
        base, watched, varnish = server.url, {}, None
        if through_varnish:
            varnish = running.enter_context(
                frontends.Varnish(workdir / "varnish", [("127.0.0.1", server.port)])
            )
            base = varnish.url
        full_urls = [base + url for url in urls]
        run_wrk_together(full_urls, WARM_UP)
        pids = server.worker_pids()
        watched = {pid: f"gunicorn worker {pid}" for pid in pids}
        if varnish is not None:
            watched.update({pid: f"varnishd cache process {pid}" for pid in varnish.cache_pids()})
            before = varnish.counters("MAIN.cache_hit", "MAIN.cache_miss", "MAIN.backend_req")
        stop, samples = threading.Event(), {}
        sampler = threading.Thread(target=sample_memory, args=(list(watched), stop, samples))
        sampler.start()
        try:
            results = run_wrk_together(full_urls, SECONDS)
        finally:
            stop.set()
            sampler.join()
        pids_after = server.worker_pids()
        if varnish is not None:
            after = varnish.counters("MAIN.cache_hit", "MAIN.cache_miss", "MAIN.backend_req")

    def check(ok, message):
        print(("  ok    " if ok else "  FAIL  ") + message, flush=True)
        if not ok:
            failures.append(f"{label}: {message}")

    for result, path in zip(results, urls, strict=True):
        print(
            f"  {path}: {result.requests} requests, {result.rps:,.0f}/s, p50 "
            f"{result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"
        )
        check(
            result.errors == 0,
            f"no errors on {path} (non-2xx/3xx: {result.non_2xx}, socket: "
            f"{result.socket_errors or 'none'})",
        )
    if varnish is not None:
        delta = {key: after[key] - before.get(key, 0) for key in after}
        print(
            f"  Varnish: {delta.get('MAIN.cache_hit', 0):,} hits, "
            f"{delta.get('MAIN.cache_miss', 0):,} misses, "
            f"{delta.get('MAIN.backend_req', 0):,} requests to gunicorn"
        )
    check(pids == pids_after, f"the same two workers served the whole run ({pids})")
    for pid, what in watched.items():
        readings = [(t, kib) for t, kib in samples.get(pid, []) if kib is not None]
        first = [kib for t, kib in readings if t < WINDOW]
        last = [kib for t, kib in readings if t >= SECONDS - WINDOW]
        if not first or not last:
            check(False, f"{what}: too few memory samples ({len(readings)})")
            continue
        growth = (mean(last) - mean(first)) / mean(first)
        check(
            growth < MAX_GROWTH,
            f"{what}: VmRSS {mean(first) / 1024:.1f} MiB in the first {WINDOW} s, "
            f"{mean(last) / 1024:.1f} MiB in the last {WINDOW} s ({growth:+.1%}; peak "
            f"{max(kib for _, kib in readings) / 1024:.1f} MiB; {len(readings)} samples)",
        )


def main():
    workdir = frontends.readable_folder(tempfile.mkdtemp(prefix="badges-load-"))
    database = f"badges_load_{os.getpid()}"
    redis_url = f"redis://{harness.REDIS_HOST}:{harness.REDIS_PORT}/{REDIS_DB}"
    failures = []
    print(f"Load run: {harness.machine_summary()}")
    print(
        f"  wrk on the index and a badge page at once, {CONNECTIONS} connections each, "
        f"{SECONDS} s, gunicorn with 2 sync workers"
    )
    try:
        harness.ensure_wrk()
        harness.tool("varnishd")
        harness.ensure_postgres()
        harness.ensure_redis()
        with harness.fresh_postgres_database(database) as database_url:
            env, urls = prepare(workdir, database_url, redis_url)
            one_run(
                "Through Varnish, as visitors meet the site",
                env,
                urls,
                workdir,
                failures,
                through_varnish=True,
            )
            one_run(
                "Cold: straight to gunicorn, every request rendered in full",
                env,
                urls,
                workdir,
                failures,
                through_varnish=False,
            )
    except harness.HarnessError as error:
        print(f"\nThe run could not be completed: {error}")
        return 2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        harness.delete_redis_keys(redis_url, os.environ.get("CACHE_KEY_PREFIX", "bench-"))
    print()
    if failures:
        print(f"Load: {len(failures)} goal(s) NOT met")
        return 1
    print("Load: every goal met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
