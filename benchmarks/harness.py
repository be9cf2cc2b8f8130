"""What the benchmarks, `make load`, `make multi-instance` and `make stack` share: the site run
the way production runs it (gunicorn, production settings, WhiteNoise, PostgreSQL and Redis
where asked, the task worker), the services it needs, wrk, plain HTTP requests that send only
the headers given, and reading a process's memory. Varnish and nginx are in frontends.py.

Every wait here is on a condition with a deadline, never a fixed sleep.
"""

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess  # noqa: S404 - runs gunicorn, wrk, psql and redis with fixed arguments
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


class HarnessError(RuntimeError):
    """A service or a server would not start: the run cannot measure anything."""


def wait_until(condition, timeout, interval=0.05, what="a condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise HarnessError(f"Gave up after {timeout:.0f} s waiting for {what}.")
        time.sleep(interval)


def tool(name):
    """The full path of a program on PATH."""
    path = shutil.which(name)
    if path is None:
        raise HarnessError(f"{name} is not installed.")
    return path


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(workdir, database_url, *, redis_url="", **extra):
    """The environment of a production deployment on this machine: production settings, a
    fresh secret key, loopback hosts, plain HTTP (TLS would end at a proxy). Purges go nowhere
    unless FRONTEND_CACHE_URL is given in ``extra``."""
    workdir = Path(workdir)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "CREDLY_", "REDIS_URL", "DATABASE_URL", "FRONTEND_CACHE_URL")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="alasite.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        WAGTAILADMIN_BASE_URL="https://badges.example.org",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        CACHE_KEY_PREFIX=f"bench-{os.getpid()}",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update({key: str(value) for key, value in extra.items()})
    return env


def use_env_here(env):
    """Make this process's Django (set up afterwards) use the same settings as the servers."""
    for key in [k for k in os.environ if k not in env]:
        del os.environ[key]
    os.environ.update(env)


def manage(env, *args, check=True, capture=False):
    return subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args],
        cwd=REPO,
        env=env,
        check=check,
        text=True,
        capture_output=capture,
    )


# Services


def redis_answers(url=f"redis://{REDIS_HOST}:{REDIS_PORT}/0"):
    import redis

    try:
        return redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def ensure_redis():
    """Redis on 127.0.0.1:6379, started the way .ci/run starts it when it is not answering."""
    if redis_answers():
        return
    if not shutil.which("redis-server"):
        raise HarnessError("Redis is not answering on 127.0.0.1:6379 and redis-server is missing.")
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603
        [
            tool("redis-server"),
            "--daemonize",
            "yes",
            "--bind",
            REDIS_HOST,
            "--port",
            str(REDIS_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
        ],
        check=True,
    )
    wait_until(redis_answers, 30, what="Redis to answer")


def delete_redis_keys(url, prefix):
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


def postgres_answers():
    result = subprocess.run(  # noqa: S603
        [tool("pg_isready"), "-q", "-h", "127.0.0.1", "-p", "5432"], check=False
    )
    return result.returncode == 0


def ensure_postgres():
    """PostgreSQL on 127.0.0.1:5432, started the way .ci/run starts it."""
    if postgres_answers():
        return
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        raise HarnessError("PostgreSQL is not answering on 127.0.0.1:5432 and is not installed.")
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(  # noqa: S603
        [tool("pg_ctlcluster"), "--skip-systemctl-redirect", version, "main", "start"], check=True
    )
    wait_until(postgres_answers, 60, what="PostgreSQL to answer")


def psql(sql):
    subprocess.run(  # noqa: S603
        [tool("psql"), "-h", "127.0.0.1", "-U", "postgres", "-qc", sql, "postgres"],
        check=True,
        env={**os.environ, "PGOPTIONS": "--client-min-messages=warning"},
    )


@contextmanager
def fresh_postgres_database(name):
    """A new, empty database, dropped afterwards; yields its URL."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(name)
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# gunicorn


@dataclass
class Gunicorn:
    """One gunicorn master and its workers, serving ``app`` on 127.0.0.1:port."""

    env: dict
    app: str = "alasite.wsgi:application"
    workers: int = 2
    port: int = field(default_factory=free_port)
    ready_path: str = "/"  # answers 200 once the server is up
    log_path: Path | None = None
    process: subprocess.Popen | None = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def command(self):
        return [
            GUNICORN,
            self.app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
            "--error-logfile",
            "-",
            # Two servers on one machine must not share the default control socket.
            "--no-control-socket",
        ]

    def start(self, timeout=90):
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(  # noqa: S603
            self.command(), cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        if log is not subprocess.DEVNULL:
            log.close()

        def ready():
            if self.process.poll() is not None:
                raise HarnessError(f"gunicorn on {self.port} exited: {self.log_tail()}")
            try:
                response = requests.get(self.url + self.ready_path, timeout=5)
            except requests.RequestException:
                return False
            return response.status_code == 200 and len(self.worker_pids()) == self.workers

        wait_until(ready, timeout, interval=0.1, what=f"gunicorn on port {self.port}")
        return self

    def worker_pids(self):
        return child_pids(self.process.pid)

    def log_tail(self, lines=20):
        if not self.log_path or not Path(self.log_path).exists():
            return "(no log)"
        return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()  # a process started but never answered
            raise

    def __exit__(self, *exc_info):
        self.stop()


@dataclass
class TaskWorker:
    """`manage.py db_worker`, the task worker that sends purges (and updates the search and
    reference indexes) after each change; ``interval`` is how long it sleeps when idle."""

    env: dict
    interval: float = 0.1
    log_path: Path | None = None
    process: subprocess.Popen | None = None

    def start(self):
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(  # noqa: S603
            [
                PYTHON,
                "manage.py",
                "db_worker",
                "--interval",
                str(self.interval),
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if log is not subprocess.DEVNULL:
            log.close()
        return self

    def check_running(self):
        if self.process.poll() is not None:
            raise HarnessError(f"the task worker exited with status {self.process.returncode}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # it finishes the task in hand first
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()  # a process started but never answered
            raise

    def __exit__(self, *exc_info):
        self.stop()


def child_pids(pid):
    """A process's children (gunicorn's workers, varnishd's cache process)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return sorted(int(child) for child in path.read_text().split())
    except FileNotFoundError:
        return []


def rss_kib(pid):
    """A process's resident memory (VmRSS) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise HarnessError(f"No VmRSS for process {pid}")


# Requests


@dataclass
class Fetched:
    status: int
    headers: dict  # lower-case names
    body: bytes  # as sent: still compressed when Content-Encoding says so


def fetch(url, headers=None, timeout=30, connection=None):
    """GET ``url`` sending only Host and ``headers`` (as wrk does; requests would add its own
    Accept and Accept-Encoding, which would pick another variant from a cache that varies on
    them). Pass an open http.client connection to reuse it."""
    parts = urlsplit(url)
    own = connection is None
    if own:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Accept-Encoding": "identity", **(headers or {})}
    try:
        connection.request("GET", path or "/", headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        if own:
            connection.close()
    return Fetched(
        response.status, {name.lower(): value for name, value in response.getheaders()}, body
    )


# wrk


@dataclass
class WrkResult:
    url: str
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int = 0
    socket_errors: dict = field(default_factory=dict)

    @property
    def errors(self):
        return self.non_2xx + sum(self.socket_errors.values())


def ensure_wrk():
    if not shutil.which("wrk"):
        raise HarnessError("wrk is not installed: `make load` and `make bench` install it.")


def _ms(value):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse_wrk(output, url, seconds):
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rps and total and p50 and p99):
        raise HarnessError(f"Could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    socket_errors = {}
    if sockets:
        socket_errors = dict(
            zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True)
        )
    return WrkResult(
        url=url,
        seconds=seconds,
        requests=int(total.group(1)),
        rps=float(rps.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors,
    )


def wrk_command(url, seconds, connections=8, threads=2, headers=None):
    command = [
        tool("wrk"),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    return [*command, url]


def wrk(url, seconds, connections=8, threads=2, headers=None):
    ensure_wrk()
    result = subprocess.run(  # noqa: S603
        wrk_command(url, seconds, connections, threads, headers),
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    return parse_wrk(result.stdout, url, seconds)


def machine_summary():
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs, load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
        "(1 / 5 / 15 min) when the run began"
    )
