"""backup + restore bring back exactly the data and files of the moment of the backup (SQLite and PostgreSQL)."""

import hashlib
import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ops.backup import row_counts
from portal.models import AdministrativeUnit, Agency, User

pytestmark = [pytest.mark.security, pytest.mark.django_db(transaction=True)]


def _checksum() -> str:
    rows = [
        list(AdministrativeUnit.objects.order_by("code").values_list("code", "name", "level", "parent__code")),
        list(Agency.objects.order_by("name").values_list("name", "kind", "unit__code")),
        list(User.objects.order_by("username").values_list("username", "password", "agency__name", "is_staff")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture
def site(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "van-ban").mkdir(parents=True)
    (settings.MEDIA_ROOT / "van-ban" / "1047-UBND-KT.pdf").write_bytes(b"%PDF-1.4 cong van 1047")
    return tmp_path


def _backup(dest) -> "Path":  # noqa: F821
    out = StringIO()
    call_command("backup", "--dest", str(dest), stdout=out)
    from pathlib import Path

    return Path(out.getvalue().strip())


def test_a_restore_brings_back_the_same_rows_and_files(site, settings):
    counts, checksum = row_counts(), _checksum()
    folder = _backup(site / "backups")
    assert folder.name.startswith("htx-") and (folder / "manifest.json").is_file()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["row_counts"]["portal_administrativeunit"] == AdministrativeUnit.objects.count()

    # Disaster: rows deleted, changed and added; a file overwritten, another added.
    User.objects.filter(is_superuser=False).delete()
    AdministrativeUnit.objects.filter(code="956").update(name="Đã bị sửa")
    AdministrativeUnit.objects.create(code="999", name="Không có trong bản sao lưu", level="district")
    (settings.MEDIA_ROOT / "van-ban" / "1047-UBND-KT.pdf").write_bytes(b"hong")
    (settings.MEDIA_ROOT / "la.txt").write_text("x")
    assert _checksum() != checksum

    out = StringIO()
    call_command("restore", str(folder), "--noinput", stdout=out)
    assert "số dòng khớp bản sao lưu" in out.getvalue()
    assert row_counts() == counts
    assert _checksum() == checksum
    assert (settings.MEDIA_ROOT / "van-ban" / "1047-UBND-KT.pdf").read_bytes() == b"%PDF-1.4 cong van 1047"
    assert not (settings.MEDIA_ROOT / "la.txt").exists()
    kept = list(settings.MEDIA_ROOT.parent.glob("media.before-restore-*"))
    assert kept and (kept[0] / "la.txt").exists()  # the replaced files are kept aside, not destroyed


def test_a_tampered_backup_is_refused_and_nothing_changes(site):
    folder = _backup(site / "backups")
    database_file = next(p for p in folder.iterdir() if p.name.startswith("database."))
    User.objects.create_user("moi", password="x")
    checksum = _checksum()
    with open(database_file, "r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00garbage\x00")
    with pytest.raises(CommandError, match="không khớp mã kiểm tra"):
        call_command("restore", str(folder), "--noinput", stdout=StringIO())
    assert _checksum() == checksum


def test_a_manifest_naming_a_file_outside_the_backup_is_refused_before_anything_changes(site):
    folder = _backup(site / "backups")
    (site / "thoat-ra.txt").write_bytes(b"xxx")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["../../thoat-ra.txt"] = {"sha256": hashlib.sha256(b"xxx").hexdigest(), "size": 3}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    User.objects.create_user("moi", password="x")
    with pytest.raises(CommandError, match="thiếu 1 tệp"):
        call_command("restore", str(folder), "--noinput", stdout=StringIO())
    assert User.objects.filter(username="moi").exists()
    assert not list(site.rglob(".restore-*"))


def test_a_link_inside_a_backup_is_refused_not_followed(site):
    folder = _backup(site / "backups")
    (site / "bi-mat.txt").write_text("ngoài bản sao lưu")
    (folder / "media" / "lien-ket.txt").symlink_to(site / "bi-mat.txt")
    User.objects.create_user("moi", password="x")
    with pytest.raises(CommandError, match="không phải tệp thường"):
        call_command("restore", str(folder), "--noinput", stdout=StringIO())
    assert User.objects.filter(username="moi").exists()


def test_a_backup_in_the_old_format_is_refused_with_a_clear_message(site):
    folder = _backup(site / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["format"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="định dạng cũ"):
        call_command("restore", str(folder), "--noinput", stdout=StringIO())


def test_restore_asks_before_overwriting(site, monkeypatch):
    folder = _backup(site / "backups")
    monkeypatch.setattr("builtins.input", lambda prompt: "khong")
    User.objects.create_user("moi", password="x")
    with pytest.raises(CommandError, match="Đã hủy"):
        call_command("restore", str(folder), stdout=StringIO())
    assert User.objects.filter(username="moi").exists()


def test_a_folder_that_is_not_a_backup_is_refused(site):
    (site / "rong").mkdir()
    with pytest.raises(CommandError, match="không phải bản sao lưu"):
        call_command("restore", str(site / "rong"), "--noinput", stdout=StringIO())


def test_pg_dump_missing_gives_a_clear_message(site, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is used only on PostgreSQL; SQLite backs up through its own API")
    monkeypatch.setenv("PATH", str(site))  # no pg_dump here
    with pytest.raises(CommandError, match="Không tìm thấy pg_dump"):
        call_command("backup", "--dest", str(site / "b"), stdout=StringIO())
    shutil.rmtree(site / "b", ignore_errors=True)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda m: m.pop("files"),
        lambda m: m["files"].update({"database.sqlite3": "abc"}),
        lambda m: m.update(media_roots=["media", "/etc"]),
        lambda m: m.pop("row_counts"),
    ],
    ids=["no file list", "an entry that is not a size and checksum", "an unknown folder", "no row counts"],
)
def test_a_manifest_spoilt_in_its_structure_is_refused_with_a_message_not_a_crash(site, spoil):
    folder = _backup(site / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    spoil(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    User.objects.create_user("moi", password="x")
    with pytest.raises(CommandError, match="không khôi phục"):
        call_command("restore", str(folder), "--noinput", stdout=StringIO())
    assert User.objects.filter(username="moi").exists()
