"""What stands in front of the app servers in `make bench`, `make load` and `make
multi-instance`: our own varnishd with the project's VCL (deploy/varnish/default.vcl), and our
own nginx serving static files (the bench's baseline for what this machine can serve at all).

Both run in the foreground as children of the calling process, each in a working folder of its
own (made readable to the unprivileged users they switch to), on a free loopback port; Debian's
own services are never used. Every wait is on a condition with a deadline.
"""

import os
import re
import signal
import subprocess  # noqa: S404 - runs varnishd, varnishadm, varnishstat and nginx, fixed arguments
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .harness import REPO, HarnessError, child_pids, free_port, tool, wait_until

VCL_DIR = REPO / "deploy" / "varnish"
LOCAL_PURGERS = ("localhost", "127.0.0.1", "::1")


def readable_folder(path):
    """A folder the unprivileged users of varnishd (which compiles the VCL) and nginx's workers
    can read."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o755)  # noqa: S103 - holds no secret; varnishd keeps its own 0700 folder inside
    return path


def backends_vcl(servers, purgers=LOCAL_PURGERS):
    """The deployment's backends.vcl (see deploy/varnish/backends.vcl.example) for ``servers``,
    a list of (host, port): one backend, or several taken in turn by a round-robin director,
    each probed so that a server that stops answering is left out."""
    acl = "".join(f'    "{address}";\n' for address in purgers)
    if len(servers) == 1:
        host, port = servers[0]
        return (
            "# Written for one run of the benchmarks; see deploy/varnish/backends.vcl.example.\n"
            f'backend app {{\n    .host = "{host}";\n    .port = "{port}";\n'
            "    .first_byte_timeout = 60s;\n}\n\n"
            f"acl purgers {{\n{acl}}}\n"
        )
    lines = [
        "# Written for one run of the benchmarks; see deploy/varnish/backends.vcl.example.",
        "import directors;",
        "",
        "probe app_ready {",
        '    .url = "/robots.txt";',
        "    .interval = 1s;",
        "    .timeout = 2s;",
        "    .window = 3;",
        "    .threshold = 2;",
        "}",
        "",
    ]
    for number, (host, port) in enumerate(servers, start=1):
        lines += [
            f"backend app{number} {{",
            f'    .host = "{host}";',
            f'    .port = "{port}";',
            "    .probe = app_ready;",
            "    .first_byte_timeout = 60s;",
            "}",
            "",
        ]
    lines += ["sub vcl_init {", "    new app_servers = directors.round_robin();"]
    lines += [f"    app_servers.add_backend(app{n});" for n in range(1, len(servers) + 1)]
    lines += [
        "}",
        "",
        "sub vcl_recv {",
        "    set req.backend_hint = app_servers.backend();",
        "}",
        "",
        f"acl purgers {{\n{acl}}}",
    ]
    return "\n".join(lines) + "\n"


def bare_vcl(host, port):
    """Varnish with nothing of ours in front of one server: its built-in rules, an hour's life
    for what it stores, and the X-Cache header the harness reads (as the project's VCL sends
    it). What Varnish itself serves on this machine, beside what it serves with our VCL."""
    return f"""vcl 4.1;

backend server {{
    .host = "{host}";
    .port = "{port}";
}}

sub vcl_backend_response {{
    set beresp.ttl = 1h;
}}

sub vcl_deliver {{
    set resp.http.X-Cache = "MISS";
    if (obj.hits > 0) {{
        set resp.http.X-Cache = "HIT";
    }}
}}
"""


@dataclass
class Varnish:
    """One varnishd with the project's VCL in front of ``servers`` [(host, port), ...], or with
    ``vcl``, the whole text of another (which names its own backends)."""

    workdir: Path
    servers: list
    storage: str = "malloc,256m"
    vcl: str = ""
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def name_dir(self):
        return Path(self.workdir) / "varnishd"

    @property
    def log_path(self):
        return Path(self.workdir) / "varnishd.log"

    @property
    def vcl_path(self):
        return Path(self.workdir) / "main.vcl" if self.vcl else VCL_DIR / "default.vcl"

    def command(self):
        return [
            tool("varnishd"),
            "-F",
            "-n",
            str(self.name_dir),
            "-a",
            f"127.0.0.1:{self.port}",
            "-f",
            str(self.vcl_path),
            # This run's backends.vcl first, then the project's folder.
            "-p",
            f"vcl_path={self.workdir}:{VCL_DIR}",
            "-s",
            self.storage,
            "-T",
            "127.0.0.1:0",
        ]

    def start(self, timeout=60):
        readable_folder(self.workdir)
        if self.vcl:
            self.vcl_path.write_text(self.vcl)
        else:
            (Path(self.workdir) / "backends.vcl").write_text(backends_vcl(self.servers))
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                self.command(), cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT
            )

        def answers():
            if self.process.poll() is not None:
                raise HarnessError(f"varnishd exited:\n{self.log_tail()}")
            try:
                # OPTIONS is passed to a backend: nothing is stored by asking.
                response = requests.options(self.url + "/", timeout=5)
            except requests.RequestException:
                return False
            return "X-Cache" in response.headers

        wait_until(answers, timeout, interval=0.1, what=f"varnishd on port {self.port}")
        if len(self.servers) > 1:
            wait_until(
                lambda: self.healthy_backends() == len(self.servers),
                timeout,
                interval=0.2,
                what="every backend to be healthy",
            )
        return self

    def adm(self, *args):
        result = subprocess.run(  # noqa: S603
            [tool("varnishadm"), "-n", str(self.name_dir), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if result.returncode != 0:
            raise HarnessError(f"varnishadm {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def healthy_backends(self):
        """How many of the app servers (not the director) Varnish's probes find healthy."""
        rows = [line.split() for line in self.adm("backend.list").splitlines()]
        return sum(
            1 for row in rows if row and re.search(r"\.app\d+$", row[0]) and "healthy" in row
        )

    def counters(self, *names):
        """Varnish's counters (varnishstat), e.g. MAIN.cache_hit: {name: value}."""
        command = [tool("varnishstat"), "-n", str(self.name_dir), "-1"]
        for name in names:
            command += ["-f", name]
        output = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=10, check=True
        ).stdout
        values = {}
        for line in output.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                values[parts[0]] = int(parts[1])
        return values

    def cache_pids(self):
        """The worker (cache) process of the manager started here."""
        return child_pids(self.process.pid) if self.process else []

    def log_tail(self, lines=20):
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
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


NGINX_CONF = """# Written for one run of the benchmarks: static files, as fast as nginx serves them.
daemon off;
worker_processes auto;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65s;
    keepalive_requests 1000000;
    open_file_cache max=64 inactive=600s;
    open_file_cache_valid 600s;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    default_type application/octet-stream;
    server {{
        # Each worker accepts on its own socket: connections spread over every CPU.
        listen 127.0.0.1:{port} reuseport;
        root {dir}/www;
{locations}    }}
}}
"""


@dataclass
class Nginx:
    """Debian's nginx serving files from ``workdir``/www on 127.0.0.1:port. ``files`` maps a
    name to (bytes, {header: value}): each is served with exactly those bytes and headers."""

    workdir: Path
    files: dict
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def write_config(self):
        root = readable_folder(Path(self.workdir) / "www")
        readable_folder(Path(self.workdir) / "tmp")
        locations = []
        for name, (body, headers) in self.files.items():
            path = root / name
            path.write_bytes(body)
            path.chmod(0o644)
            lines = [f"        location = /{name} {{"]
            for header, value in headers.items():
                if header.lower() == "content-type":
                    lines.append(f"            default_type {value.split(';')[0].strip()};")
                    lines.append("            types { }")
                    if "charset=" in value:
                        lines.append(f"            charset {value.split('charset=')[1].strip()};")
                else:
                    lines.append(f'            add_header {header} "{value}";')
            lines.append("        }")
            locations.append("\n".join(lines) + "\n")
        config = Path(self.workdir) / "nginx.conf"
        config.write_text(
            NGINX_CONF.format(dir=self.workdir, port=self.port, locations="".join(locations))
        )
        return config

    def start(self, timeout=30):
        readable_folder(self.workdir)
        config = self.write_config()
        log = Path(self.workdir) / "error.log"
        command = [tool("nginx"), "-p", str(self.workdir), "-c", str(config), "-e", str(log)]
        check = subprocess.run(  # noqa: S603
            [*command, "-t", "-q"], capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise HarnessError(f"nginx refused its configuration: {check.stderr}")
        self.process = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

        def answers():
            if self.process.poll() is not None:
                raise HarnessError(f"nginx exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                requests.get(self.url + "/", timeout=5)
            except requests.RequestException:
                return False
            return True

        wait_until(answers, timeout, interval=0.05, what=f"nginx on port {self.port}")
        return self

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # graceful: finish, then exit
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()  # a process started but never answered
            raise

    def __exit__(self, *exc_info):
        self.stop()


def version(program, flag):
    """A program's version, as it reports it: ``varnishd -V``, ``nginx -v``."""
    result = subprocess.run(  # noqa: S603
        [tool(program), flag], capture_output=True, text=True, check=False
    )
    found = re.search(r"(\d+\.\d+\.\d+)", result.stdout + result.stderr)
    return found.group(1) if found else "(unknown version)"
