"""`make run` serves on HOST:PORT, and everything it prints or mails names that address: the
admin sign-in line, moderation emails and the API (WAGTAILADMIN_BASE_URL), and the demo's
Site, which the sitemap's links use."""

import os
import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent.parent


def make_dry_run(*args, **env):
    """The commands `make` would run (make -n), with the given variables."""
    make = shutil.which("make")
    assert make, "make is needed (make test runs under it)"
    environment = {k: v for k, v in os.environ.items() if k != "WAGTAILADMIN_BASE_URL"}
    result = subprocess.run(  # noqa: S603 - our own Makefile, fixed arguments
        [make, "-n", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_make_run_passes_host_and_port_to_every_command():
    commands = make_dry_run("run", "HOST=0.0.0.0", "PORT=9123")
    with_address = "WAGTAILADMIN_BASE_URL=http://0.0.0.0:9123 "
    assert re.search(
        f"^{with_address}\\S+ manage.py load_demo_badges --address 0.0.0.0:9123$",
        commands,
        re.MULTILINE,
    )
    assert re.search(f"^{with_address}\\S+ manage.py create_local_admin$", commands, re.MULTILINE)
    # The server and its task worker (moderation emails go out from both) run with it too.
    assert "export WAGTAILADMIN_BASE_URL=http://0.0.0.0:9123;" in commands
    assert "runserver 0.0.0.0:9123" in commands


def test_make_run_defaults_to_127_0_0_1_port_8000():
    commands = make_dry_run("demo")
    assert "load_demo_badges --address 127.0.0.1:8000" in commands
    assert "WAGTAILADMIN_BASE_URL=http://127.0.0.1:8000 " in commands


def test_a_given_base_url_wins_over_host_and_port():
    """Behind a proxy or a tunnel the public address is not the one runserver listens on."""
    commands = make_dry_run("demo", WAGTAILADMIN_BASE_URL="https://badges.example.test")
    assert "WAGTAILADMIN_BASE_URL=https://badges.example.test " in commands


@pytest.mark.django_db
def test_the_sign_in_line_names_the_served_address(settings):
    settings.WAGTAILADMIN_BASE_URL = "http://0.0.0.0:9123"  # as make run HOST=0.0.0.0 PORT=9123
    out = StringIO()
    call_command("create_local_admin", stdout=out)
    assert "Sign in at http://0.0.0.0:9123/admin/" in out.getvalue()


def test_the_development_settings_take_the_address_from_the_environment():
    result = subprocess.run(  # noqa: S603 - our own settings, fixed arguments
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.WAGTAILADMIN_BASE_URL, settings.WAGTAILAPI_BASE_URL)",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "alasite.settings.dev",
            "WAGTAILADMIN_BASE_URL": "http://0.0.0.0:9123",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["http://0.0.0.0:9123", "http://0.0.0.0:9123"]
