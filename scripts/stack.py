"""`make stack`: the production stack on this machine, in the foreground.

Varnish (the project's deploy/varnish/default.vcl, our own varnishd, never Debian's service)
on 127.0.0.1:STACK_PORT (default 8080), in front of gunicorn (production settings, 2 workers)
on a free loopback port; beside them the task worker (`manage.py db_worker`: purges, search
index updates, webhook work) and, for uploaded images, a plain file server of MEDIA_ROOT
under /media/ (in production the TLS proxy or object storage serves media; see
docs/production-stack.md). DATABASE_URL and REDIS_URL are used as given (SQLite db.sqlite3
and no Redis when unset, as in development); the database is migrated and static files are
collected first. STACK_DEMO=1 also loads the demo content (load_demo_badges).

The app gets what production settings demand (benchmarks/harness.py builds the same
environment for the benchmarks): a SECRET_KEY kept in .stack/secret_key (git-ignored, made on
the first run), ALLOWED_HOSTS=localhost,127.0.0.1, an https:// WAGTAILADMIN_BASE_URL,
SECURE_SSL_REDIRECT=false (no TLS here), and FRONTEND_CACHE_URL, where purges go.

Ctrl-C (SIGINT) or SIGTERM stops everything it started, Varnish first. Each process runs in
a session of its own, and a watcher process stops them all if this script dies without doing
so (even by SIGKILL), so none outlives it. Exit
status: 0 after a requested stop, 1 when a process died on its own, 2 when the stack could
not be started.
"""

import os
import secrets
import signal
import socket
import subprocess  # noqa: S404 - runs the stack's own programs with fixed arguments
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from benchmarks import harness  # noqa: E402

STATE = REPO / ".stack"
SECRET_FILE = STATE / "secret_key"
VCL_DIR = REPO / "deploy" / "varnish"
GUNICORN_WORKERS = 2
VARNISH_STORAGE = "malloc,256m"
START_TIMEOUT = 90
STOP_TIMEOUT = 20
# Reads process ids, one a line, until "done" or end of input; at end of input (this script
# has died) it sends SIGTERM to each one's process group. A child's own parent-death signal
# would not do: varnishd changes its credentials, which clears it.
WATCHER = """
import os, signal, sys
pids = []
for line in sys.stdin:
    if line.strip() == "done":
        sys.exit(0)
    pids.append(int(line))
for pid in pids:
    try:
        os.killpg(pid, signal.SIGTERM)
    except OSError:
        pass
"""


class StackError(RuntimeError):
    pass


class Interrupted(Exception):
    pass


def secret_key():
    """This machine's stack key, made once: sessions and signed links survive a restart."""
    STATE.mkdir(exist_ok=True)
    if not SECRET_FILE.exists():
        SECRET_FILE.touch(mode=0o600)
        SECRET_FILE.write_text(secrets.token_urlsafe(64))
    return SECRET_FILE.read_text().strip()


def port_is_free(port):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def app_env(port, database_url, redis_url):
    credly = {key: value for key, value in os.environ.items() if key.startswith("CREDLY_")}
    return harness.production_env(
        STATE,
        database_url,
        redis_url=redis_url,
        SECRET_KEY=secret_key(),
        ALLOWED_HOSTS="localhost,127.0.0.1",
        # Production settings insist on https://; the local stack itself speaks plain HTTP.
        WAGTAILADMIN_BASE_URL=f"https://localhost:{port}",
        SECURE_SSL_REDIRECT="false",
        MEDIA_ROOT=os.environ.get("MEDIA_ROOT", str(REPO / "media")),
        STATIC_ROOT=str(STATE / "static"),
        CACHE_KEY_PREFIX="alasite-stack",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO"),
        # Where the app sends PURGE and BAN (wagtail.contrib.frontend_cache's HTTP backend).
        FRONTEND_CACHE_URL=f"http://127.0.0.1:{port}",
        **credly,
    )


def backends_vcl(gunicorn_port, media_port):
    return f"""# Written by scripts/stack.py for this run; see deploy/varnish/backends.vcl.example.
backend app {{
    .host = "127.0.0.1";
    .port = "{gunicorn_port}";
    .first_byte_timeout = 60s;
}}

backend media {{
    .host = "127.0.0.1";
    .port = "{media_port}";
}}

acl purgers {{
    "localhost";
    "127.0.0.1";
    "::1";
}}

sub vcl_recv {{
    if (req.url ~ "^/media/") {{
        set req.backend_hint = media;
    }} else {{
        set req.backend_hint = app;
    }}
}}
"""


class Stack:
    def __init__(self, port, env, stop):
        self.port = port
        self.env = env
        self.stop = stop  # set by SIGINT and SIGTERM
        self.processes = []  # (name, Popen), in starting order
        # In a session of its own, like the others: a Ctrl-C is for this script to act on.
        self.watcher = subprocess.Popen(  # noqa: S603
            [harness.PYTHON, "-c", WATCHER],
            stdin=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def start(self, name, command, **kwargs):
        process = subprocess.Popen(  # noqa: S603
            command, env=self.env, start_new_session=True, **kwargs
        )
        self.processes.append((name, process))
        self.tell_watcher(f"{process.pid}\n")
        return process

    def tell_watcher(self, line):
        try:
            self.watcher.stdin.write(line)
            self.watcher.stdin.flush()
        except OSError:  # it died: nothing to do about it now
            pass

    def start_all(self):
        gunicorn_port, media_port = harness.free_port(), harness.free_port()
        self.start(
            "gunicorn",
            [
                harness.GUNICORN,
                "alasite.wsgi:application",
                "--bind",
                f"127.0.0.1:{gunicorn_port}",
                "--workers",
                str(GUNICORN_WORKERS),
                "--timeout",
                "60",
                "--graceful-timeout",
                "10",
                "--access-logfile",
                "-",
                "--error-logfile",
                "-",
                "--no-control-socket",
            ],
            cwd=REPO,
        )
        # Polled five times a second, so a publish's purge reaches Varnish well within 1 s.
        self.start(
            "task worker",
            [harness.PYTHON, "manage.py", "db_worker", "--interval", "0.2"],
            cwd=REPO,
        )
        www = STATE / "www"
        www.mkdir(exist_ok=True)
        media_link = www / "media"
        if media_link.is_symlink() or media_link.exists():
            media_link.unlink()
        media_root = Path(self.env["MEDIA_ROOT"])
        media_root.mkdir(parents=True, exist_ok=True)
        media_link.symlink_to(media_root)
        self.start(
            "media files",
            [harness.PYTHON, "-m", "http.server", "--bind", "127.0.0.1", str(media_port)],
            cwd=www,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.wait_for(f"http://127.0.0.1:{gunicorn_port}/robots.txt", "gunicorn")

        varnish_dir = STATE / "varnish"
        varnish_dir.mkdir(exist_ok=True)
        (varnish_dir / "backends.vcl").write_text(backends_vcl(gunicorn_port, media_port))
        self.start(
            "varnishd",
            [
                harness.tool("varnishd"),
                "-F",
                "-n",
                str(varnish_dir / "varnishd"),
                "-a",
                f"127.0.0.1:{self.port}",
                "-f",
                str(VCL_DIR / "default.vcl"),
                "-p",
                f"vcl_path={varnish_dir}:{VCL_DIR}",
                "-s",
                VARNISH_STORAGE,
                "-T",
                "127.0.0.1:0",
            ],
            cwd=varnish_dir,
        )
        self.wait_for(f"http://127.0.0.1:{self.port}/", "varnishd", method="OPTIONS")

    def wait_for(self, url, what, method="GET"):
        def answers():
            if self.stop.is_set():
                raise Interrupted
            self.check_running()
            try:
                requests.request(method, url, timeout=5)
            except requests.RequestException:
                return False
            return True

        harness.wait_until(answers, START_TIMEOUT, interval=0.1, what=what)

    def check_running(self):
        for name, process in self.processes:
            if process.poll() is not None:
                raise StackError(f"{name} exited with status {process.returncode}")

    def stop_all(self):
        # Varnish first, so that no request reaches a server that is going away.
        for name, process in reversed(self.processes):
            if process.poll() is None:
                print(f"stack: stopping {name} (pid {process.pid})", flush=True)
                process.send_signal(signal.SIGTERM)
        for _name, process in reversed(self.processes):
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # with its workers or child
                process.wait(timeout=10)
        self.tell_watcher("done\n")
        try:
            self.watcher.stdin.close()
        except OSError:
            pass
        self.watcher.wait(timeout=10)


def main():
    port = int(os.environ.get("STACK_PORT", "8080"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{REPO / 'db.sqlite3'}"
    redis_url = os.environ.get("REDIS_URL", "")
    try:
        harness.tool("varnishd")
    except harness.HarnessError:
        print("stack: varnishd is not installed: `make stack` installs it.", file=sys.stderr)
        return 2
    if not port_is_free(port):
        print(f"stack: port {port} is in use; set STACK_PORT to another.", file=sys.stderr)
        return 2

    env = app_env(port, database_url, redis_url)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        harness.manage(env, "migrate", "--noinput")
        harness.manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        if os.environ.get("STACK_DEMO", "") in {"1", "true", "yes"}:
            harness.manage(env, "load_demo_badges")
    except subprocess.CalledProcessError as exc:
        print(f"stack: {' '.join(exc.cmd[1:3])} failed (status {exc.returncode})", file=sys.stderr)
        return 2
    if stop.is_set():
        return 0

    stack = Stack(port, env, stop)
    try:
        stack.start_all()
    except Interrupted:
        stack.stop_all()
        return 0
    except (StackError, harness.HarnessError) as exc:
        print(f"stack: could not start: {exc}", file=sys.stderr, flush=True)
        stack.stop_all()
        return 2
    print(
        f"\nstack: http://127.0.0.1:{port}/ (Varnish) -> gunicorn, {GUNICORN_WORKERS} workers; "
        f"database {database_url.split('@')[-1]}, Redis {redis_url or 'none'}. "
        "Ctrl-C stops it.\n",
        flush=True,
    )
    status = 0
    try:
        while not stop.wait(0.5):
            stack.check_running()
    except StackError as exc:
        print(f"stack: {exc}", file=sys.stderr, flush=True)
        status = 1
    finally:
        stack.stop_all()
    print("stack: stopped", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
