"""`make load`: wrk against gunicorn (2 workers, production settings, PostgreSQL, Redis) on
loopback for 30 s, on the badge index and a badge page at once.

Goals, each checked and printed: no error (no socket error, no response other than 2xx/3xx),
and each worker's resident memory (VmRSS from /proc/<pid>/status, sampled every half second)
grows by less than 10% between the first 10 s and the last 10 s of the run, with no worker
restarted. The run is made three times: with nothing cached, so every request renders the
whole page (the demanding case for memory); with the whole-page cache off, so every request
renders from stored fragments and remembered routes (whose per-process memory must stay
bounded); and with both on, as production runs. Each run starts after a short warm-up (lazy
imports, first renditions), which is not measured.

Exit status 0 when every goal is met, 1 when one is not, 2 when the run could not be set up.
"""

import os
import shutil
import subprocess  # noqa: S404 - runs wrk with fixed arguments
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import mean

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import harness  # noqa: E402

SECONDS = 30
WINDOW = 10
WARM_UP = 3
SAMPLE_EVERY = 0.5
MAX_GROWTH = 0.10
BADGES = 100
REDIS_DB = 15


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


def run_wrk_together(urls, seconds, connections=4):
    """wrk on each URL at once, for the same number of seconds; their results in order."""
    processes = [
        subprocess.Popen(  # noqa: S603
            harness.wrk_command(url, seconds, connections=connections, threads=1),
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


def one_run(label, env, urls, workdir, failures):
    print(f"\n{label}")
    server = harness.Gunicorn(
        env,
        workers=2,
        ready_path=urls[0],
        log_path=workdir / f"gunicorn-{env['PAGE_CACHE']}-{env.get('FRAGMENT_CACHE')}.log",
    )
    with server:
        full_urls = [server.url + url for url in urls]
        run_wrk_together(full_urls, WARM_UP)
        pids = server.worker_pids()
        stop, samples = threading.Event(), {}
        sampler = threading.Thread(target=sample_memory, args=(pids, stop, samples))
        sampler.start()
        try:
            results = run_wrk_together(full_urls, SECONDS)
        finally:
            stop.set()
            sampler.join()
        pids_after = server.worker_pids()

    def check(ok, message):
        print(("  ok    " if ok else "  FAIL  ") + message)
        if not ok:
            failures.append(f"{label}: {message}")

    for result in results:
        path = result.url.split(str(server.port), 1)[1]
        print(
            f"  {path}: {result.requests} requests, {result.rps:.0f}/s, p50 {result.p50_ms:.1f} ms,"
            f" p99 {result.p99_ms:.1f} ms"
        )
        check(
            result.errors == 0,
            f"no errors on {path} (non-2xx/3xx: {result.non_2xx}, socket: "
            f"{result.socket_errors or 'none'})",
        )
    check(pids == pids_after, f"the same two workers served the whole run ({pids})")
    for pid in pids:
        readings = [(t, kib) for t, kib in samples.get(pid, []) if kib is not None]
        first = [kib for t, kib in readings if t < WINDOW]
        last = [kib for t, kib in readings if t >= SECONDS - WINDOW]
        if not first or not last:
            check(False, f"worker {pid}: too few memory samples ({len(readings)})")
            continue
        growth = (mean(last) - mean(first)) / mean(first)
        check(
            growth < MAX_GROWTH,
            f"worker {pid}: VmRSS {mean(first) / 1024:.1f} MiB in the first {WINDOW} s, "
            f"{mean(last) / 1024:.1f} MiB in the last {WINDOW} s ({growth:+.1%}; peak "
            f"{max(kib for _, kib in readings) / 1024:.1f} MiB; {len(readings)} samples)",
        )


def main():
    workdir = Path(tempfile.mkdtemp(prefix="badges-load-"))
    database = f"badges_load_{os.getpid()}"
    redis_url = f"redis://{harness.REDIS_HOST}:{harness.REDIS_PORT}/{REDIS_DB}"
    failures = []
    print(f"Load run: {harness.machine_summary()}")
    print(
        f"  wrk on the index and a badge page at once, 4 connections each, {SECONDS} s, "
        "gunicorn with 2 sync workers"
    )
    try:
        harness.ensure_wrk()
        harness.ensure_postgres()
        harness.ensure_redis()
        with harness.fresh_postgres_database(database) as database_url:
            env, urls = prepare(workdir, database_url, redis_url)
            one_run(
                "Nothing cached: every request rendered in full",
                {**env, "PAGE_CACHE": "false", "FRAGMENT_CACHE": "false"},
                urls,
                workdir,
                failures,
            )
            one_run(
                "Page cache off: every request rendered from stored fragments and routes",
                {**env, "PAGE_CACHE": "false", "FRAGMENT_CACHE": "true"},
                urls,
                workdir,
                failures,
            )
            one_run("Page cache on (Redis), as in production", env, urls, workdir, failures)
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
