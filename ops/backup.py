"""Backups: the database (pg_dump custom format, or SQLite's online backup API) and a copy of the files of both
storages (the public media and the private files: folders of this host, or buckets), in a dated folder with a
manifest holding the size and SHA-256 of every file and the row count of every table; and the restore that checks all
of it before it changes anything.

Used by `manage.py backup` and `manage.py restore`; docs/deploy.md says how to schedule and test them.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection, connections
from django.utils import timezone

from portal.storage import PrivateStorage

MANIFEST = "manifest.json"
FORMAT = 2


class BackupError(Exception):
    """A backup or restore that cannot be done safely; the message is for the operator, in Vietnamese."""


def media_storages() -> dict[str, Storage]:
    """The storages of uploaded files, by the name each has inside a backup: the public media nginx serves, and the
    private files only our views serve (document and report files, loan and congress papers, import files)."""
    return {"media": storages["default"], "media-private": PrivateStorage()}


def media_roots() -> dict[str, Path | None]:
    """Each storage's folder on this host's disk (MEDIA_ROOT, PORTAL_PRIVATE_MEDIA_ROOT), or None for a bucket,
    whose files are read and written through the storage itself."""
    return {
        name: Path(storage.location) if isinstance(storage, FileSystemStorage) else None
        for name, storage in media_storages().items()
    }


def _stored_names(storage: Storage, folder: str = "") -> list[str]:
    """Every file of a bucket, listed folder by folder through the storage."""
    directories, files = storage.listdir(folder)
    names = [f"{folder}/{name}" if folder else name for name in files]
    for directory in directories:
        names += _stored_names(storage, f"{folder}/{directory}" if folder else directory)
    return sorted(names)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(path: Path) -> dict:
    return {"sha256": _sha256(path), "size": path.stat().st_size}


def files_under(folder: Path) -> list[Path]:
    """Every regular file below `folder`, relative to it. A link or a special file is refused, not followed: a
    backup holds plain files only, and a link could point anywhere on the server."""
    found = []
    for directory, subdirectories, names in os.walk(folder):
        for name in subdirectories + names:
            path = Path(directory, name)
            if path.is_symlink() or not (path.is_dir() or path.is_file()):
                raise BackupError(
                    f"{path} không phải tệp thường (liên kết hoặc tệp đặc biệt); không sao lưu/khôi phục."
                )
        found += [Path(directory, name).relative_to(folder) for name in names]
    return sorted(found)


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

    files = {database_file: _entry(folder / database_file)}
    roots = list(media_roots()) if include_media else []
    for name in roots:
        source = media_roots()[name]
        (folder / name).mkdir()
        if source is None:
            storage = media_storages()[name]
            for stored in _stored_names(storage):
                target = folder / name / stored
                target.parent.mkdir(parents=True, exist_ok=True)
                with storage.open(stored, "rb") as handle, open(target, "wb") as copy:
                    shutil.copyfileobj(handle, copy, 1 << 20)
                files[f"{name}/{stored}"] = _entry(target)
            continue
        for relative in files_under(source) if source.exists() else []:
            target = folder / name / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / relative, target)
            files[f"{name}/{relative.as_posix()}"] = _entry(target)  # the bytes kept, not those read

    manifest = {
        "format": FORMAT,
        "created": timezone.now().isoformat(),
        "vendor": vendor,
        "database_file": database_file,
        "media_roots": roots,
        "files": files,
        "row_counts": row_counts(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return folder


def read_manifest(folder: Path) -> dict:
    """The manifest, once every file it names is in the folder with its size and checksum, and no other file is."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"Thư mục {folder} không phải bản sao lưu (thiếu {MANIFEST}).")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"Tệp {MANIFEST} của bản sao lưu bị hỏng; không khôi phục.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"Bản sao lưu {folder} có định dạng cũ hoặc lạ (không có danh sách tệp kèm mã kiểm tra); "
            "khôi phục nó bằng phiên bản cổng đã tạo ra nó."
        )
    try:
        expected = {name: (int(entry["size"]), str(entry["sha256"])) for name, entry in manifest["files"].items()}
        unknown = set(manifest["media_roots"]) - set(media_storages())
        complete = {"vendor", "database_file", "row_counts"} <= set(manifest)
        if not complete or not isinstance(manifest["row_counts"], dict):
            raise KeyError("row_counts")
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise BackupError(f"Tệp {MANIFEST} của bản sao lưu bị hỏng hoặc thiếu mục; không khôi phục.") from error
    if unknown:
        raise BackupError(f"Bản sao lưu có thư mục tệp lạ {sorted(unknown)}; không khôi phục.")
    present = {p.as_posix() for p in files_under(folder)} - {MANIFEST}
    missing, extra = sorted(set(expected) - present), sorted(present - set(expected))
    if missing:
        raise BackupError(
            f"Bản sao lưu thiếu {len(missing)} tệp ghi trong {MANIFEST} ({missing[0]}…); không khôi phục."
        )
    if extra:
        raise BackupError(f"Bản sao lưu có {len(extra)} tệp không ghi trong {MANIFEST} ({extra[0]}…); không khôi phục.")
    for name, (size, sha256) in sorted(expected.items()):
        file = folder / name
        if file.stat().st_size != size or _sha256(file) != sha256:
            raise BackupError(
                f"Tệp {name} của bản sao lưu không khớp mã kiểm tra (kích thước hoặc SHA-256); không khôi phục."
            )
    return manifest


def _stage(source: Path, root: Path) -> Path:
    """A copy of the backup's files for `root`, made inside `root` itself, so the new files and folders take the
    root's group (the public media is group www-data, set-group-ID, for nginx) and a rename puts them in place."""
    root.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".restore-", dir=root))
    staged.chmod(root.stat().st_mode & 0o7777)
    for relative in files_under(source):
        target = staged / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target)
    return staged


def _upload(source: Path, storage: Storage) -> None:
    """Put the backup's files back into a bucket under their own names. A bucket has no folder to move aside:
    objects the backup does not name stay (their names are generated, no restored row points to them), and an object
    of the same name is replaced."""
    for relative in files_under(source):
        name = relative.as_posix()
        if storage.exists(name):
            storage.delete(name)
        with open(source / relative, "rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"Tệp {name} được lưu lại dưới tên khác ({saved}); khôi phục không trọn vẹn.")


def _swap_in(staged: Path, root: Path) -> Path | None:
    """Move the root's present files aside (kept, not deleted) and the staged ones in."""
    old = [child for child in root.iterdir() if child != staged]
    aside = None
    if old:
        aside = root.with_name(f"{root.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
        aside.mkdir(mode=0o700)
        for child in old:
            child.rename(aside / child.name)
    for child in list(staged.iterdir()):
        child.rename(root / child.name)
    staged.rmdir()
    return aside


def restore_backup(folder: Path, *, include_media: bool = True) -> dict:
    manifest = read_manifest(folder)  # nothing is touched before every file is checked
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise BackupError(f"Bản sao lưu của {manifest['vendor']}, không khôi phục vào {vendor} được.")

    roots = media_roots()
    names = list(manifest["media_roots"]) if include_media else []
    staged = {}
    try:
        for name in names:
            if roots[name] is not None:
                staged[name] = _stage(folder / name, roots[name])
        for name in names:
            if roots[name] is None:
                _upload(folder / name, media_storages()[name])
        _restore_database(folder / manifest["database_file"], vendor)
    except BaseException:
        for path in staged.values():
            discard(path)
        raise

    moved_aside = [aside for name, path in staged.items() if (aside := _swap_in(path, roots[name]))]

    counts = row_counts()
    expected = manifest["row_counts"]
    different = {t: (expected.get(t), counts.get(t)) for t in expected if expected.get(t) != counts.get(t)}
    if different:
        raise BackupError(f"Sau khôi phục số dòng không khớp bản sao lưu: {different}")
    files = sum(1 for name in manifest["files"] if name.split("/", 1)[0] in names)
    return {"tables": len(counts), "rows": sum(counts.values()), "files": files, "media_moved_aside": moved_aside}


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
