"""`make bench`: run the benchmarks and write benchmarks/RESULTS.md.

Benchmarks measure; they do not pass or fail. Each figure is reported beside a baseline
measured in the same run on the same machine, so the ratios mean something anywhere.
"""

import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import harness

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def setup_django(workdir):
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alasite.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main():
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="badges-bench-"))
    machine = harness.machine_summary()
    try:
        setup_django(workdir)
        from benchmarks import http_bench, sync_bench

        sections = [sync_bench.run(), http_bench.run(workdir)]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    header = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'}: "
        f"{machine}; Python {platform.python_version()}, {platform.platform()}.",
        f"Database: {os.environ['DATABASE_URL'].split('://')[0]}. The whole run took "
        f"{time.monotonic() - started:.0f} s. Other work on the machine shares its CPUs, so "
        "compare the ratios, each measured against baselines of the same run.",
        "",
    ]
    text = "\n".join(header + sections) + "\n"
    RESULTS.write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
