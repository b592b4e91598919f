"""A real PostgreSQL primary and streaming replica on this machine, for tests.

`start_pair(workdir)` makes a fresh primary with `initdb` (never the system cluster), copies it with
`pg_basebackup -R` into a standby that applies WAL `delay` late (`recovery_min_apply_delay`), and starts both on free
ports of 127.0.0.1 with trust authentication. Replication lag is then real and known: a row committed on the primary
appears on the replica about `delay` later.

Run as root, the PostgreSQL binaries run as the `postgres` user (`runuser`), which owns the folders; run as another
user, they run as that user. `binaries_available()` says whether the server binaries are installed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg


def _newest_server() -> Path:
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return installed[-1].parent if installed else Path("/usr/lib/postgresql/15/bin")


BIN = Path(os.environ.get("PORTAL_PG_BIN") or _newest_server())
SERVER_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
max_connections = 60
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
max_wal_senders = 4
wal_keep_size = 64MB
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = -1
wal_receiver_status_interval = 1s
log_min_messages = warning
logging_collector = off
"""
HBA = """
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
local replication all trust
"""


def binaries_available() -> bool:
    return all((BIN / name).exists() for name in ("initdb", "pg_ctl", "pg_basebackup", "postgres"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(_as_server_user([str(a) for a in args]), check=True, capture_output=True, text=True, **kwargs)


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(path, user.pw_uid, user.pw_gid)


@dataclass
class Pair:
    workdir: Path
    primary_port: int
    replica_port: int
    delay: str
    started_in: float = 0.0

    @property
    def primary_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.primary_port}/postgres"

    @property
    def replica_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.replica_port}/postgres"

    def url(self, which: str, dbname: str) -> str:
        port = self.primary_port if which == "primary" else self.replica_port
        return f"postgres://postgres@127.0.0.1:{port}/{dbname}"

    @property
    def primary_dir(self) -> Path:
        return self.workdir / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.workdir / "replica"

    def _connect(self, port: int, dbname: str = "postgres"):
        return psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname=dbname, autocommit=True, connect_timeout=5
        )

    def lag_seconds(self, timeout: float = 30.0) -> float:
        """Measured: commit a marker on the primary and time until the replica has replayed past it."""
        with self._connect(self.primary_port) as primary:
            primary.execute("CREATE TABLE IF NOT EXISTS pgpair_beat (at timestamptz)")
            started = time.monotonic()
            primary.execute("INSERT INTO pgpair_beat VALUES (now())")
            # Read after the commit: the position is past the commit record, which the replica applies `delay` late.
            lsn = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        with self._connect(self.replica_port) as replica:
            while time.monotonic() - started < timeout:
                replayed = replica.execute(
                    "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s::pg_lsn) >= 0", [lsn]
                ).fetchone()[0]
                if replayed:
                    return time.monotonic() - started
                time.sleep(0.02)
        raise TimeoutError(f"the replica did not replay {lsn} within {timeout} s")

    def create_database(self, name: str, timeout: float = 30.0) -> None:
        """Create `name` on the primary and wait until the replica has it too."""
        with self._connect(self.primary_port) as primary:
            primary.execute(f'DROP DATABASE IF EXISTS "{name}"')
            primary.execute(f'CREATE DATABASE "{name}"')
        self.wait_for(
            lambda replica: (
                replica.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
            ),
            timeout,
        )

    def wait_for(self, ready, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self._connect(self.replica_port) as replica:
            while time.monotonic() < deadline:
                if ready(replica):
                    return
                time.sleep(0.05)
        raise TimeoutError("the replica did not catch up")

    def wait_replicated(self, timeout: float = 30.0) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        self.lag_seconds(timeout)

    def stop_replica(self) -> None:
        _run([BIN / "pg_ctl", "-D", self.replica_dir, "-m", "fast", "-w", "stop"])

    def start_replica(self) -> None:
        _run([BIN / "pg_ctl", "-D", self.replica_dir, "-l", self.workdir / "replica.log", "-w", "-t", "60", "start"])

    def stop(self) -> None:
        for folder in (self.replica_dir, self.primary_dir):
            if (folder / "postmaster.pid").exists():
                subprocess.run(
                    _as_server_user([str(BIN / "pg_ctl"), "-D", str(folder), "-m", "immediate", "-w", "stop"]),
                    capture_output=True,
                )
        shutil.rmtree(self.workdir / "primary", ignore_errors=True)
        shutil.rmtree(self.workdir / "replica", ignore_errors=True)


def start_pair(workdir: str | os.PathLike, delay: str = "2s") -> Pair:
    """Start a primary and a replica applying WAL `delay` late (a PostgreSQL interval: "2s", "500ms")."""
    started = time.monotonic()
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)
    _chown(workdir)
    pair = Pair(workdir=workdir, primary_port=free_port(), replica_port=free_port(), delay=delay)
    try:
        _run(
            [
                BIN / "initdb",
                "-D",
                pair.primary_dir,
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        with open(pair.primary_dir / "postgresql.conf", "a") as conf:
            conf.write(SERVER_SETTINGS.format(port=pair.primary_port, sockets=workdir))
        (pair.primary_dir / "pg_hba.conf").write_text(HBA)
        _run([BIN / "pg_ctl", "-D", pair.primary_dir, "-l", workdir / "primary.log", "-w", "-t", "60", "start"])
        _run(
            [
                BIN / "pg_basebackup",
                "-h",
                "127.0.0.1",
                "-p",
                pair.primary_port,
                "-U",
                "postgres",
                "-D",
                pair.replica_dir,
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
            ]
        )
        with open(pair.replica_dir / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {pair.replica_port}\nrecovery_min_apply_delay = '{delay}'\n")
        pair.start_replica()
        pair.wait_replicated()
    except BaseException:
        pair.stop()
        raise
    pair.started_in = time.monotonic() - started
    return pair
