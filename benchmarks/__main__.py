"""`make bench`: run the benchmarks and write benchmarks/RESULTS.md (docs/benchmarks.md).

Each figure is reported beside baselines measured in the same run on the same machine, so the
ratios mean something anywhere; the goals are ratios to those baselines. The run uses a fresh
PostgreSQL database on 127.0.0.1:5432 (dropped afterwards), Redis on 127.0.0.1:6379 (database
12, its keys deleted afterwards), and this process runs Django on the servers' production
settings. Exit status 0 when every goal is met, 1 when one is not, 2 when a tool is missing or a
service or server would not start.
"""

import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import frontends, harness

REDIS_DB = 12
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def setup_django(workdir, database_url, redis_url, varnish_port):
    """This process on the servers' settings, purging through the Varnish the run starts."""
    env = harness.production_env(
        workdir,
        database_url,
        redis_url=redis_url,
        FRONTEND_CACHE_URL=f"http://127.0.0.1:{varnish_port}",
    )
    harness.use_env_here(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    return env


def measure(workdir, database_url, redis_url):
    from benchmarks import http_bench

    varnish_port = harness.free_port()
    env = setup_django(workdir, database_url, redis_url, varnish_port)
    from django.test import override_settings

    from benchmarks import sync_bench

    # Nothing is stored in a cache yet, and no Varnish runs: the sync purges nothing.
    http_bench.progress("the Credly sync")
    with override_settings(WAGTAILFRONTENDCACHE={}):
        sync, sync_failures = sync_bench.run()
    pages, failures = http_bench.run(workdir, env, varnish_port)
    from django.db import connections

    connections.close_all()
    return [sync, pages], sync_failures + failures


def main():
    started = time.monotonic()
    machine = harness.machine_summary()
    workdir = frontends.readable_folder(tempfile.mkdtemp(prefix="badges-bench-"))
    database = f"badges_bench_{os.getpid()}"
    redis_url = ""
    try:
        harness.ensure_wrk()
        harness.tool("nginx")
        harness.tool("varnishd")
        harness.ensure_postgres()
        try:
            harness.ensure_redis()
            redis_url = f"redis://{harness.REDIS_HOST}:{harness.REDIS_PORT}/{REDIS_DB}"
        except harness.HarnessError as error:
            print(f"No Redis ({error}); each process keeps its own cache.")
        with harness.fresh_postgres_database(database) as database_url:
            sections, failures = measure(workdir, database_url, redis_url)
    except harness.HarnessError as error:
        print(f"The benchmarks could not be run: {error}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if redis_url:
            harness.delete_redis_keys(redis_url, os.environ.get("CACHE_KEY_PREFIX", "bench-"))
    redis = f"Redis database {REDIS_DB}" if redis_url else "no Redis"
    header = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'}: "
        f"{machine}; Python {platform.python_version()}, {platform.platform()}.",
        f"PostgreSQL (a fresh database), {redis}. "
        f"The whole run took {time.monotonic() - started:.0f} s; the load average was "
        f"{os.getloadavg()[0]:.2f} when it ended. Other work on the machine "
        "shares its CPUs, so compare the ratios, each measured against baselines of the same "
        "run. What each row measures: docs/benchmarks.md.",
        "",
    ]
    text = "\n".join(header + sections) + "\n"
    RESULTS.write_text(text)
    sys.stdout.write(text)
    if failures:
        print(f"Goals not met: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
