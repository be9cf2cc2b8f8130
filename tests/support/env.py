"""Where the suite runs: the database it was given, and production settings in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "alasite.settings.production",
    "SECRET_KEY": "a-production-like-key-Zq8v3NcW1rT5yU7iO9pA2sD4fG6hJ8kL0xC3vB5nM7",
    "ALLOWED_HOSTS": "badges.example.org",
    "WAGTAILADMIN_BASE_URL": "https://badges.example.org",
}


def manage(*args, env=None):
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
