"""Several hosts on one machine: what an operator runs for N hosts, started as subprocesses for the tests.

    PostgreSQL primary + streaming replica (tests.infra.pgpair, WAL applied 2 s late)
    SeaweedFS as the S3 server (tests.infra.s3), one bucket for public media and one for private files
    Redis (PORTAL_TEST_REDIS): the page cache, the counters, the broker, each on a database of its own
    `manage.py release` (or `migrate`) and `load_demo`, once, on the primary
    web hosts A and B: gunicorn (deploy/gunicorn.conf.py) on loopback ports, production settings, each with its own
    static, media, private-media and temporary folders
    nginx as the balancer (deploy/nginx/upstream-example.conf, TLS with a throwaway certificate) in front of A and B,
    public media from the bucket (deploy/nginx/media-s3.conf)
    Celery workers "on A" and "on B" (their own folders, names worker-a@hosts and worker-b@hosts), and two beats

Every process is started by `Cluster.start()` with its log in the cluster's folder and stopped by `Cluster.stop()`,
which kills only the process groups it started (each process is started as the leader of its own group).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "htx.example.vn"
DEMO_PASSWORD = "demo-HTX-2022"
SECRET_KEY = "hosts-" + "Zq9!xK" * 10
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Where the upstream example includes the public-media snippet (deploy/nginx/media-s3.conf).
MEDIA_INCLUDE = "include /etc/nginx/snippets/cong-htx-media-s3.conf;"
# The deadline reminders every few seconds instead of once a day at 07:00, so two beats show in a short window.
REMINDER_EVERY = 3
# Redis databases of the cluster on PORTAL_TEST_REDIS, from PORTAL_HOSTS_REDIS_DB on (flushed when it starts and when
# it stops): apart from the suites' (PORTAL_TEST_BROKER_DB 10 and 13 and the next two, the load test's 6, the CI
# smoke test's 7).
CACHE_DB = int(os.environ.get("PORTAL_HOSTS_REDIS_DB", "2"))
COUNTERS_DB, BROKER_DB = CACHE_DB + 1, CACHE_DB + 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Process:
    name: str
    args: list[str]
    env: dict
    log: Path
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal_group(self, sig: int) -> None:
        """The process and its children (gunicorn's or Celery's workers): its own group, led by the PID we keep.
        Only while the leader is not reaped, so that the group id cannot be someone else's by then."""
        if self.popen is None or self.popen.returncode is not None:
            return
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 20) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)  # the leader is not reaped yet: the group is still ours
                self.popen.wait(10)

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Cluster:
    workdir: Path
    database_url: str
    replica_url: str
    redis_url: str
    s3_env: dict = field(default_factory=dict)
    pair: object = None
    processes: dict[str, Process] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    # --- environment ------------------------------------------------------------------------------------------
    def folder(self, host: str) -> Path:
        return self.workdir / f"host-{host.lower()}"

    @property
    def mail_dir(self) -> Path:
        return self.workdir / "mail"

    def env(self, host: str = "A", **extra) -> dict:
        """A production process "on" `host`: its own folders; the shared database, Redis and object storage."""
        keep = ("DJANGO_", "DATABASE_", "CELERY_", "REDIS_", "AWS_", "PORTAL_", "GUNICORN_", "EMAIL_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(keep)}
        own = self.folder(host)
        redis = self.redis_url.rstrip("/")
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=SECRET_KEY,
            DJANGO_ALLOWED_HOSTS=HOST,
            DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
            PORTAL_SITE_URL=f"https://{HOST}",
            DATABASE_URL=self.database_url,
            DATABASE_REPLICA_URL=self.replica_url,
            REDIS_URL=f"{redis}/{CACHE_DB}",
            PORTAL_COUNTERS_REDIS_URL=f"{redis}/{COUNTERS_DB}",
            CELERY_BROKER_URL=f"{redis}/{BROKER_DB}",
            DJANGO_STATIC_ROOT=str(own / "static"),
            DJANGO_MEDIA_ROOT=str(own / "media"),
            PORTAL_PRIVATE_MEDIA_ROOT=str(own / "private"),
            PORTAL_BACKUP_DIR=str(own / "backups"),
            TMPDIR=str(own / "tmp"),
            DJANGO_STATIC_COMPRESS="0",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail_dir),
            # quantri (superuser) owes a TOTP code in production; the tests use the staff accounts, but the
            # admin edit may need a superuser's rights on a setting: no code for it here.
            PORTAL_OTP_REQUIRED_FOR_SUPERUSERS="0",
            PORTAL_BEAT_SCHEDULE=json.dumps({"directives-deadline-reminders": {"every": REMINDER_EVERY}}),
            PYTHONUNBUFFERED="1",
            **self.s3_env,
        )
        env.update(extra)
        return env

    def manage(self, *args: str, host: str = "A", timeout: float = 300, **extra) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(host, **extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
        return done.stdout

    def python(self, code: str, host: str = "A", timeout: float = 120) -> str:
        """Run `code` in a Django process with the cluster's settings (like `manage.py shell -c`)."""
        return self.manage("shell", "-c", code, host=host, timeout=timeout)

    # --- addresses --------------------------------------------------------------------------------------------
    def web(self, host: str) -> str:
        return f"http://127.0.0.1:{self.ports['web-' + host]}"

    @property
    def nginx(self) -> str:
        return f"https://127.0.0.1:{self.ports['nginx']}"

    def log(self, name: str) -> str:
        return self.processes[name].text()

    # --- start and stop ---------------------------------------------------------------------------------------
    def _timed(self, what: str, started: float) -> None:
        self.timings[what] = round(time.monotonic() - started, 1)

    def prepare(self) -> None:
        """The folders, the database schema and the demo data: once, before any host starts."""
        self.workdir.chmod(0o755)  # nginx's workers (nobody) read the static files
        for host in ("A", "B"):
            for sub in ("static", "media", "private", "tmp", "backups"):
                (self.folder(host) / sub).mkdir(parents=True, exist_ok=True)
        self.mail_dir.mkdir(exist_ok=True)
        self._flush_redis()
        started = time.monotonic()
        release = any(ROOT.glob("*/management/commands/release.py"))
        self.manage("release" if release else "migrate", *([] if release else ["--noinput"]), timeout=600)
        self._timed("release" if release else "migrate", started)
        started = time.monotonic()
        self.manage("load_demo", timeout=600)
        self._timed("load_demo", started)
        started = time.monotonic()
        self.manage("collectstatic", "--noinput", "-v0", host="A")
        shutil.copytree(self.folder("A") / "static", self.folder("B") / "static", dirs_exist_ok=True)
        self._timed("collectstatic", started)

    def _flush_redis(self) -> None:
        import redis

        for db in (CACHE_DB, COUNTERS_DB, BROKER_DB):
            redis.Redis.from_url(f"{self.redis_url.rstrip('/')}/{db}", socket_connect_timeout=2).flushdb()

    def start(self) -> None:
        started = time.monotonic()
        self.prepare()
        for host in ("A", "B"):
            self.start_web(host, wait=False)
        for host in ("A", "B"):
            self.start_worker(host, wait=False)
            self.start_beat(host)
        self.start_nginx()
        for host in ("A", "B"):
            self.wait_web(host)
            self.wait_worker(host)
        self._timed("start", started)

    def stop(self) -> None:
        nginx = self.workdir / "nginx" / "nginx.pid"
        if nginx.exists():
            subprocess.run([NGINX, "-c", str(self.workdir / "nginx" / "nginx.conf"), "-s", "stop"], capture_output=True)
        # All at once (each waits for its own), not one after the other: workers and gunicorn finish in parallel.
        running = [p for p in self.processes.values() if p.running()]
        for process in running:
            process.signal_group(signal.SIGTERM)
        for process in self.processes.values():
            process.stop()
        try:
            self._flush_redis()
        except Exception:  # noqa: BLE001 - stopping must go on (a Redis that died is reported by the tests)
            pass

    def _start(self, name: str, args: list[str], env: dict) -> Process:
        old = self.processes.get(name)
        if old is not None:
            old.stop()
        process = Process(name, args, env, self.workdir / f"{name}.log")
        process.start()
        self.processes[name] = process
        return process

    def start_web(self, host: str, wait: bool = True) -> Process:
        port = self.ports.setdefault(f"web-{host}", free_port())
        env = self.env(host, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", GUNICORN_ACCESS_LOG="-")
        process = self._start(f"web-{host}", [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"], env)
        if wait:
            self.wait_web(host)
        return process

    def wait_web(self, host: str, timeout: float = 60) -> None:
        process = self.processes[f"web-{host}"]
        request = urllib.request.Request(
            self.web(host) + "/healthz", headers={"Host": HOST, "X-Forwarded-Proto": "https"}
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(request, timeout=5)
                return
            except urllib.error.HTTPError:
                return  # it answers (a 503 says what is missing; the tests will show it)
            except OSError:
                if not process.running() or time.monotonic() > deadline:
                    raise RuntimeError(f"web host {host} did not start:\n{process.text()[-4000:]}") from None
                time.sleep(0.2)

    def kill_web(self, host: str) -> None:
        """kill -9 the host's gunicorn master and its workers at once (its process group)."""
        process = self.processes[f"web-{host}"]
        process.signal_group(signal.SIGKILL)
        process.popen.wait(10)

    def start_worker(self, host: str, wait: bool = True) -> Process:
        name = f"worker-{host}"
        args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=1"]
        args += ["-n", f"worker-{host.lower()}@hosts", "--without-gossip", "--without-mingle"]
        process = self._start(name, args, self.env(host))
        if wait:
            self.wait_worker(host)
        return process

    def wait_worker(self, host: str, timeout: float = 90) -> None:
        self._wait_log(f"worker-{host}", " ready.", timeout)

    def stop_worker(self, host: str) -> None:
        self.processes[f"worker-{host}"].stop(timeout=60)

    def start_beat(self, host: str) -> Process:
        own = self.folder(host)
        args = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
        args += ["-s", str(own / "celerybeat-schedule"), "--pidfile", str(own / "celerybeat.pid")]
        return self._start(f"beat-{host}", args, self.env(host))

    def _wait_log(self, name: str, marker: str, timeout: float) -> None:
        process = self.processes[name]
        deadline = time.monotonic() + timeout
        while marker not in process.text():
            if not process.running() or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n{process.text()[-4000:]}")
            time.sleep(0.2)

    def start_nginx(self) -> None:
        """The balancer as docs/deploy.md sets it up for several hosts (deploy/nginx/upstream-example.conf) with
        loopback ports, a throwaway certificate, and public media from the bucket (deploy/nginx/media-s3.conf)."""
        folder = self.workdir / "nginx"
        folder.mkdir(exist_ok=True)
        self.ports["nginx"] = free_port()
        for host in ("A", "B"):
            self.ports.setdefault(f"web-{host}", free_port())
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}"]
            + ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
            check=True,
            capture_output=True,
        )
        site = (ROOT / "deploy" / "nginx" / "upstream-example.conf").read_text()
        replacements = {
            "10.0.0.11:8000": f"127.0.0.1:{self.ports['web-A']}",
            "10.0.0.12:8000": f"127.0.0.1:{self.ports['web-B']}",
            "/etc/letsencrypt/live/htx.example.vn/fullchain.pem": str(folder / "cert.pem"),
            "/etc/letsencrypt/live/htx.example.vn/privkey.pem": str(folder / "key.pem"),
            "listen 443 ssl http2;": f"listen 127.0.0.1:{self.ports['nginx']} ssl http2;",
            "listen 80;": f"listen 127.0.0.1:{free_port()};",
        }
        for old, new in replacements.items():
            assert old in site, f"deploy/nginx/upstream-example.conf no longer says {old}"
            site = site.replace(old, new)
        site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
        if self.s3_env.get("AWS_STORAGE_BUCKET_NAME"):
            site = self._media_from_bucket(site, folder)
        else:
            site = site.replace(MEDIA_INCLUDE, "")
        (folder / "site.conf").write_text(site)
        (folder / "nginx.conf").write_text(
            f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\nhttp {{\n"
            " include /etc/nginx/mime.types;\n"
            "  log_format upstreams '$status $request_method $request_uri upstream=$upstream_addr"
            " upstream_status=$upstream_status';\n"
            f" access_log {folder}/access.log upstreams;\n include {folder}/site.conf;\n}}\n"
        )
        subprocess.run([NGINX, "-t", "-q", "-c", str(folder / "nginx.conf")], check=True, capture_output=True)
        subprocess.run([NGINX, "-c", str(folder / "nginx.conf")], check=True, capture_output=True)

    def _media_from_bucket(self, site: str, folder: Path) -> str:
        """/media/ from the public prefix of the bucket (deploy/nginx/media-s3.conf, where the example includes
        it); the S3 server here speaks plain HTTP on loopback, so the TLS lines towards it go."""
        env = self.s3_env
        prefix = env.get("AWS_LOCATION", "media")
        bucket_url = f"{env['AWS_S3_ENDPOINT_URL']}/{env['AWS_STORAGE_BUCKET_NAME']}/{prefix}/"
        snippet = (ROOT / "deploy" / "nginx" / "media-s3.conf").read_text()
        snippet = snippet.replace("https://s3.example.vn/cong-htx-media/media/", bucket_url)
        snippet = "\n".join(line for line in snippet.splitlines() if "proxy_ssl_" not in line)
        (folder / "media-s3.conf").write_text(snippet)
        assert MEDIA_INCLUDE in site, f"the upstream example no longer includes {MEDIA_INCLUDE}"
        return site.replace(MEDIA_INCLUDE, f"include {folder}/media-s3.conf;")

    def nginx_access(self) -> list[str]:
        path = self.workdir / "nginx" / "access.log"
        return path.read_text().splitlines() if path.exists() else []

    # --- the database, read directly ----------------------------------------------------------------------------
    def query(self, sql: str, params=(), *, replica: bool = False):
        import psycopg

        with psycopg.connect(self.replica_url if replica else self.database_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()
