"""Backups: the database (pg_dump custom format, or SQLite's online backup API) and MEDIA_ROOT as a tar, in a
dated folder with a manifest of checksums and row counts; and the restore that checks all of it.

Used by `manage.py backup` and `manage.py restore`; docs/deploy.md says how to schedule and test them.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

MANIFEST = "manifest.json"
MEDIA_FILE = "media.tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot be done safely; the message is for the operator, in Vietnamese."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def row_counts() -> dict[str, int]:
    """Rows in every table of ours (Django-managed), to compare after a restore."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _pg_args_env(db: dict) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["-h", db["HOST"]]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"Không tìm thấy {command[0]}: cài gói postgresql-client cùng phiên bản máy chủ.") from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} thất bại (mã {result.returncode}): {result.stderr.strip()[-2000:]}")


def create_backup(destination: Path, *, include_media: bool = True) -> Path:
    db = connection.settings_dict
    vendor = connection.vendor
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder = destination / f"htx-{stamp}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = destination / f"htx-{stamp}-{suffix}"
    folder.mkdir(parents=True)
    folder.chmod(0o700)  # personal data: readable by the service account only

    if vendor == "postgresql":
        database_file = "database.dump"
        args, env = _pg_args_env(db)
        _run(
            ["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges", "-f", str(folder / database_file)]
            + [db["NAME"]],
            env,
        )
    elif vendor == "sqlite":
        database_file = "database.sqlite3"
        source = sqlite3.connect(db["NAME"])
        target = sqlite3.connect(folder / database_file)
        with target:
            source.backup(target)  # consistent copy even while the site writes
        source.close()
        target.close()
    else:
        raise BackupError(f"Không hỗ trợ sao lưu cơ sở dữ liệu loại {vendor}.")

    files = {database_file: _sha256(folder / database_file)}
    media_root = Path(settings.MEDIA_ROOT)
    if include_media:
        with tarfile.open(folder / MEDIA_FILE, "w:gz") as tar:
            if media_root.exists():
                for child in sorted(media_root.iterdir()):
                    tar.add(child, arcname=child.name)
        files[MEDIA_FILE] = _sha256(folder / MEDIA_FILE)

    manifest = {
        "created": timezone.now().isoformat(),
        "vendor": vendor,
        "database_file": database_file,
        "media_file": MEDIA_FILE if include_media else None,
        "sha256": files,
        "row_counts": row_counts(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return folder


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"Thư mục {folder} không phải bản sao lưu (thiếu {MANIFEST}).")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for name, expected in manifest["sha256"].items():
        file = folder / name
        if not file.is_file() or _sha256(file) != expected:
            raise BackupError(f"Tệp {name} của bản sao lưu bị thiếu hoặc không khớp mã kiểm tra; không khôi phục.")
    return manifest


def _extract_media(archive: Path, into: Path) -> None:
    """Unpack with Python's 'data' filter: no absolute paths, no '..', no links outside, no device files."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"Tệp {archive.name} không an toàn hoặc hỏng: {error}") from error


def restore_backup(folder: Path, *, include_media: bool = True) -> dict:
    manifest = read_manifest(folder)
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise BackupError(f"Bản sao lưu của {manifest['vendor']}, không khôi phục vào {vendor} được.")

    media_root = Path(settings.MEDIA_ROOT)
    staged = None
    try:
        if include_media and manifest.get("media_file"):
            media_root.parent.mkdir(parents=True, exist_ok=True)
            staged = Path(tempfile.mkdtemp(prefix=".media-restore-", dir=media_root.parent))
            _extract_media(folder / manifest["media_file"], staged)  # before touching the database
        _restore_database(folder / manifest["database_file"], vendor)
    except BaseException:
        discard(staged)
        raise

    moved_aside = None
    if staged is not None:
        if media_root.exists():
            moved_aside = media_root.with_name(f"{media_root.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
            media_root.rename(moved_aside)
        staged.rename(media_root)

    counts = row_counts()
    expected = manifest["row_counts"]
    different = {t: (expected.get(t), counts.get(t)) for t in expected if expected.get(t) != counts.get(t)}
    if different:
        raise BackupError(f"Sau khôi phục số dòng không khớp bản sao lưu: {different}")
    return {"tables": len(counts), "rows": sum(counts.values()), "media_moved_aside": moved_aside}


def _restore_database(database_file: Path, vendor: str) -> None:
    db = connection.settings_dict
    connections.close_all()
    if vendor == "postgresql":
        args, env = _pg_args_env(db)
        # One transaction: a restore that fails halfway leaves the database as it was.
        _run(
            ["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
            + ["--exit-on-error", "-d", db["NAME"], str(database_file)],
            env,
        )
    else:
        source = sqlite3.connect(database_file)
        target = sqlite3.connect(db["NAME"])
        with target:
            source.backup(target)
        source.close()
        target.close()


def discard(path: Path | None) -> None:
    if path and path.exists():
        shutil.rmtree(path)
