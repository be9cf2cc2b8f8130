"""Varnish in front of pytest-django's live server, with the project's own VCL
(deploy/varnish/default.vcl): tests of what is cached, served and purged go through the real
thing. A pytest plugin: tests/conftest.py loads it with ``pytest_plugins``.

Fixtures:

- ``varnish``: a ``Varnish`` (below) in front of ``live_server``, emptied for the test, with the
  default Site at ``127.0.0.1`` and Varnish's port, so that the URLs Wagtail purges
  (``http://127.0.0.1:<port>/...``, sent as ``PURGE <path>`` with ``Host: 127.0.0.1:<port>``)
  and a visitor's GET through ``varnish.url`` name the same copies. It makes the test
  transactional with serialized rollback (the live server reads committed data only, and
  Wagtail's first pages must be there for the next test).
- ``varnish_frontend_cache``: the same, with ``WAGTAILFRONTENDCACHE`` set to Wagtail's HTTP
  backend pointed at it (``varnish.purge_location``).
- ``start_varnish``: ``with start_varnish(purgers=[...]) as other:`` another instance in front
  of the live server, its own deployment file (another ACL) and working folder.

varnishd runs in the foreground (``-F``) as a child of the test process, in its own working
folder (``-n``) with ``-s malloc,64m``, on a free loopback port; it is waited for by asking it
until it answers, and stopped at the end. Without varnishd the tests fail, never skip:
``make test`` installs it.
"""

import os
import shutil
import signal
import subprocess  # noqa: S404 - runs varnishd and varnishadm with fixed arguments
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

REPO = Path(__file__).resolve().parents[1]
VCL_DIR = REPO / "deploy" / "varnish"
VCL = VCL_DIR / "default.vcl"
LOCALHOST_PURGERS = ("localhost", "127.0.0.1", "::1")
STORAGE = "malloc,64m"
START_TIMEOUT = 30
SITE_HOSTNAME = "127.0.0.1"
# Stops varnishd (its process group) unless told "done" before its input ends, which it does
# when the test process dies without tearing down, even by SIGKILL. A parent-death signal on
# varnishd itself would not do: varnishd changes its credentials, which clears it.
LIFELINE = """
import os, signal, sys
if sys.stdin.read() != "done":
    try:
        os.killpg(int(sys.argv[1]), signal.SIGTERM)
    except OSError:
        pass
"""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "varnish: goes through a real varnishd with the project's VCL (tests/varnish.py)"
    )
    # The live server on 127.0.0.1, the address the Varnish backend names (pytest-django's
    # default, localhost, may resolve to ::1 first); tests/browser/conftest.py does the same.
    if not config.getoption("liveserver", default=None):
        config.option.liveserver = "127.0.0.1"


def _marker_flag(item, name, position):
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    if name in marker.kwargs:
        return bool(marker.kwargs[name])
    return len(marker.args) > position and bool(marker.args[position])


def _transactional(item):
    fixtures = getattr(item, "fixturenames", ())
    return (
        _marker_flag(item, "transaction", 0)
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


def _restores_data(item):
    fixtures = getattr(item, "fixturenames", ())
    return _marker_flag(item, "serialized_rollback", 3) or (
        "django_db_serialized_rollback" in fixtures
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Among the transactional tests (pytest-django runs them after the others), those with a
    serialized rollback go first. A transactional test without one ends with a flush that
    lets Django recreate the content types under new ids and leaves Wagtail's first pages and
    site out; a serialized-rollback test after it would fail to load the database's first
    contents back (duplicate content types). These tests (Varnish in front of the live server,
    the browser tests) need those contents."""
    positions = [index for index, item in enumerate(items) if _transactional(item)]
    chosen = [items[index] for index in positions]
    reordered = [item for item in chosen if _restores_data(item)]
    reordered += [item for item in chosen if not _restores_data(item)]
    for index, item in zip(positions, reordered, strict=True):
        items[index] = item


def program(name):
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if path is None:
        pytest.fail(
            f"{name} is not installed: run `make test` (or `make varnish`), which installs "
            "Debian's varnish package.",
            pytrace=False,
        )
    return path


def backends_vcl(host, port, purgers=LOCALHOST_PURGERS):
    """A deployment's backends.vcl: one backend, and the addresses allowed to purge."""
    acl = "".join(f'    "{address}";\n' for address in purgers)
    return (
        f'backend app {{\n    .host = "{host}";\n    .port = "{port}";\n'
        "    .first_byte_timeout = 30s;\n}\n\n"
        f"acl purgers {{\n{acl}}}\n"
    )


class Varnish:
    """One varnishd in front of a backend. ``url`` is where visitors GET through, and
    ``purge_location`` where PURGE and BAN go (the same address: Varnish answers both)."""

    def __init__(self, backend_url, workdir, purgers=LOCALHOST_PURGERS):
        backend = urlsplit(backend_url)
        self.backend_host, self.backend_port = backend.hostname, backend.port
        self.workdir = Path(workdir)
        self.purgers = tuple(purgers)
        self.port = None
        self.adm_error = ""
        self.process = None
        self.lifeline = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def purge_location(self):
        return self.url

    @property
    def host(self):
        """The Host a visitor's browser sends, and that Wagtail's purges carry."""
        return f"{SITE_HOSTNAME}:{self.port}"

    @property
    def name_dir(self):
        return self.workdir / "varnishd"

    @property
    def log_path(self):
        return self.workdir / "varnishd.log"

    def frontend_cache_setting(self):
        """WAGTAILFRONTENDCACHE as the site sets it (alasite/settings/base.py), purging through
        this instance: Wagtail's HTTP backend, made to raise on a refused purge."""
        return {
            "varnish": {
                "BACKEND": "badges_cms.http_cache.purge.VarnishBackend",
                "LOCATION": self.purge_location,
            }
        }

    # Running

    def command(self):
        return [
            program("varnishd"),
            "-F",
            "-n",
            str(self.name_dir),
            # Port 0: varnishd binds a free port itself (listen_port() reads which), so no
            # other process, another pytest-xdist worker's varnishd say, can take it between
            # choosing and binding.
            "-a",
            "127.0.0.1:0",
            "-f",
            str(VCL),
            # The deployment's backends.vcl first, then the project's folder.
            "-p",
            f"vcl_path={self.workdir}:{VCL_DIR}",
            "-s",
            STORAGE,
            # The management interface on a loopback port of its own (varnishadm reads it
            # and the secret from the working folder).
            "-T",
            "127.0.0.1:0",
        ]

    def start(self, attempts=3):
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "backends.vcl").write_text(
            backends_vcl(self.backend_host, self.backend_port, self.purgers)
        )
        for _ in range(attempts):
            self.port = None
            with open(self.log_path, "ab") as log:
                # A session of its own: a Ctrl-C is for pytest, which then tears it down.
                self.process = subprocess.Popen(  # noqa: S603
                    self.command(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.workdir,
                    start_new_session=True,
                )
            self.lifeline = subprocess.Popen(  # noqa: S603
                [sys.executable, "-c", LIFELINE, str(self.process.pid)],
                stdin=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            if self.wait_until_answering():
                return self
            self.stop()
        raise RuntimeError(
            f"varnishd would not start:\n{self.log_tail()}\nLast from varnishadm: {self.adm_error}"
        )

    def wait_until_answering(self):
        """True once a request through Varnish is answered; False if varnishd exited."""
        deadline = time.monotonic() + START_TIMEOUT
        self.port = self.listen_port(timeout=START_TIMEOUT)
        while time.monotonic() < deadline:
            if self.process.poll() is not None or self.port is None:
                return False
            try:
                # OPTIONS is passed to the backend, so nothing is stored by asking.
                response = requests.options(self.url + "/", timeout=2)
            except requests.RequestException:
                time.sleep(0.05)
                continue
            if "X-Cache" in response.headers:
                return True
        raise RuntimeError(f"varnishd did not answer in {START_TIMEOUT} s:\n{self.log_tail()}")

    def listen_port(self, timeout):
        """The port varnishd bound for ``-a 127.0.0.1:0``; None if it did not say in time.
        varnishadm gives up at once while varnishd has not yet made its shared memory (on a
        busy machine it can ask first), so it is asked again until varnishd answers, exits or
        the time is up."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                listening = self.adm("debug.listen_address", timeout=max(1, int(remaining)))
                break
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                self.adm_error = str(error)
                if self.process.poll() is not None or remaining <= 0:
                    return None
                time.sleep(0.1)  # varnishd is starting: ask again shortly
        for line in listening.splitlines():  # "a0 127.0.0.1 40721": name, address, port
            words = line.split()
            if len(words) == 3 and words[2].isdigit():
                return int(words[2])
        return None

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the manager and its child
                self.process.wait(timeout=10)
        if self.lifeline is not None:
            self.lifeline.communicate("done", timeout=10)
            self.lifeline = None

    def log_tail(self, lines=30):
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def adm(self, *args, timeout=10):
        """A command to varnishd's management interface; its output."""
        result = subprocess.run(  # noqa: S603
            [program("varnishadm"), "-t", str(timeout), "-n", str(self.name_dir), *args],
            capture_output=True,
            text=True,
            timeout=timeout + 5,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"varnishadm {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def clear(self):
        """Drop every stored copy, of every host."""
        self.adm("ban", "obj.status != 0")

    # Requests through it, each on a new connection with no cookie jar unless given.

    def request(self, method, path, *, host=None, headers=None, **kwargs):
        headers = {"Host": host or self.host, **(headers or {})}
        kwargs.setdefault("allow_redirects", False)
        timeout = kwargs.pop("timeout", 30)
        return requests.request(method, self.url + path, headers=headers, timeout=timeout, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def purge(self, path, *, host=None, **kwargs):
        """PURGE a path, as Wagtail's HTTP backend does."""
        return self.request("PURGE", path, host=host, **kwargs)

    def ban(self, prefix, *, host=None, **kwargs):
        """BAN everything under a path prefix on the host."""
        headers = {"X-Ban-Prefix": prefix, **kwargs.pop("headers", {})}
        return self.request("BAN", "/", host=host, headers=headers, **kwargs)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def point_default_site_at(varnish):
    """The default Site's hostname and port become Varnish's, so that page URLs (and the URLs
    Wagtail purges) are the ones visitors GET through it. Saved, not updated, so Wagtail
    forgets the site root paths it had cached."""
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = SITE_HOSTNAME, varnish.port
    site.save()
    return site


@contextmanager
def varnish_workdir():
    """A working folder for one varnishd, removed afterwards. Not below pytest's tmp_path:
    run as root, varnishd compiles the VCL as its own unprivileged user, which must be able
    to read backends.vcl there (pytest's folders are the test user's alone)."""
    workdir = Path(tempfile.mkdtemp(prefix="alasite-varnish-"))
    try:
        workdir.chmod(0o755)  # noqa: S103 - holds no secret; varnishd keeps its own 0700 inside
        yield workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def varnish_server(live_server):
    with varnish_workdir() as workdir, Varnish(live_server.url, workdir) as varnish:
        yield varnish


@pytest.fixture
def varnish(varnish_server, live_server, django_db_serialized_rollback):
    """Varnish in front of the live server, empty, the default Site pointed at it."""
    varnish_server.clear()
    point_default_site_at(varnish_server)
    yield varnish_server
    if varnish_server.process.poll() is not None:
        pytest.fail(f"varnishd exited during the test:\n{varnish_server.log_tail()}")


@pytest.fixture
def varnish_frontend_cache(varnish, settings):
    """``varnish``, with the site's purges (badges_cms/http_cache/purge.py) going to it."""
    settings.WAGTAILFRONTENDCACHE = varnish.frontend_cache_setting()
    return varnish


@pytest.fixture
def start_varnish(live_server):
    """Starts another varnishd in front of the live server: ``with start_varnish(purgers=...)``."""

    @contextmanager
    def start(purgers=LOCALHOST_PURGERS):
        with varnish_workdir() as workdir, Varnish(live_server.url, workdir, purgers) as other:
            yield other

    return start
