"""A backup holds every uploaded file, public and private: restored into an empty database and empty media folders,
the site serves each stored file again, byte for byte, to a user allowed to see it. A backup whose files differ in
any way from its manifest (a byte changed, a file added, a file removed) is refused and nothing changes."""

import json
import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.urls import reverse
from django.views.static import serve
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cooperatives.models import CongressDocument, ImportJob
from directives.models import DocumentFile
from directives.services import report_attach
from fund.models import LoanDocument
from portal.models import AdministrativeUnit, Agency, User
from public.models import Attachment
from tests.cooperatives.factories import CongressFactory, CooperativeFactory
from tests.directives.factories import PDF_BYTES, DocumentFactory, filled_report, png_bytes, report_request
from tests.fund.factories import LoanFactory
from tests.properties import examples
from tests.public.factories import ArticleFactory

pytestmark = [pytest.mark.security, pytest.mark.django_db(transaction=True)]


def _content(label: str) -> bytes:
    """A valid PDF whose bytes differ per file, so a file restored in another's place is caught."""
    return PDF_BYTES + f"% {label}\n".encode()


def _make_rows(demo):
    """One row of every kind of stored file, and who may fetch it: {label: (username, url, bytes)}."""
    hong_dan = Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")
    officer = User.objects.get(username="hongdan")
    coop = CooperativeFactory(unit=AdministrativeUnit.objects.get(code="956-02"))
    congress = CongressFactory(cooperative=coop, fiscal_year=2024, held_date=date(2025, 3, 20))
    congress_document = CongressDocument.objects.create(
        congress=congress,
        kind=CongressDocument.Kind.MINUTES,
        title="Biên bản đại hội",
        file=SimpleUploadedFile("bien-ban.pdf", _content("congress")),
    )
    loan_document = LoanDocument.objects.create(
        loan=LoanFactory(cooperative=coop),
        title="Phương án vay",
        file=SimpleUploadedFile("phuong-an.pdf", _content("loan")),
    )
    document_file = DocumentFile.objects.create(
        document=DocumentFactory(is_public=False),
        file=SimpleUploadedFile("van-ban.pdf", _content("directive")),
        original_name="van-ban.pdf",
    )
    report = filled_report(report_request([hong_dan]), hong_dan)
    report_file = report_attach(report=report, upload=SimpleUploadedFile("phu-luc.pdf", _content("report")), by=officer)
    import_job = ImportJob.objects.create(
        resource="cooperatives",
        file=SimpleUploadedFile("danh-sach.xlsx", b"PK\x03\x04 danh sach"),
        original_name="danh-sach.xlsx",
        created_by=User.objects.get(username="lienminh"),
    )
    article = ArticleFactory(cover=SimpleUploadedFile("anh.png", png_bytes()), cover_alt="Đại hội thành viên")
    attachment = Attachment.objects.create(
        article=article, name="Kế hoạch", file=SimpleUploadedFile("ke-hoach.pdf", _content("attachment"))
    )
    private = {
        "congress document": ("lienminh", reverse("cooperatives:congress_document", args=[congress_document.pk])),
        "loan document": ("quy", reverse("fund:loan_document", args=[loan_document.pk])),
        "directive document file": ("lienminh", reverse("directives:document_file", args=[document_file.pk])),
        "report file": ("hongdan", reverse("directives:report_file", args=[report_file.pk])),
        "import file": ("lienminh", reverse("cooperatives:import_file", args=[import_job.pk])),
    }
    stored = {
        "congress document": congress_document.file,
        "loan document": loan_document.file,
        "directive document file": document_file.file,
        "report file": report_file.file,
        "import file": import_job.file,
    }
    expected = {label: (user, url, stored[label].read()) for label, (user, url) in private.items()}
    for field in stored.values():
        field.close()
    public = {"article cover": article.cover, "article attachment": attachment.file}
    for label, field in public.items():
        expected[label] = (None, field.url, Path(field.path).read_bytes())
    return expected, article.get_absolute_url()


def _fetch(client, username, url) -> tuple[int, bytes]:
    """Through the site: the app's download view for a private file; for a public one, what the web server serves
    at /media/ (nginx in production; Django's own static view here, as under DEBUG)."""
    from django.conf import settings

    client.logout()
    if username is None:
        response = serve(
            RequestFactory().get(url), url.removeprefix(settings.MEDIA_URL), document_root=settings.MEDIA_ROOT
        )
    else:
        client.force_login(User.objects.get(username=username))
        response = client.get(url)
    if response.status_code != 200:
        return response.status_code, b""
    return 200, b"".join(response.streaming_content)


def _backup(dest) -> Path:
    out = StringIO()
    call_command("backup", "--dest", str(dest), stdout=out)
    return Path(out.getvalue().strip())


def test_a_restore_into_an_empty_database_and_empty_folders_serves_every_stored_file_again(demo, client, settings):
    expected, article_url = _make_rows(demo)
    for label, (username, url, content) in expected.items():
        assert _fetch(client, username, url) == (200, content), label
    folder = _backup(settings.MEDIA_ROOT.parent / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert sum(name.startswith("media-private/") for name in manifest["files"]) == 5
    assert sum(name.startswith("media/") for name in manifest["files"]) == 2
    assert all(set(entry) == {"sha256", "size"} for entry in manifest["files"].values())
    assert manifest["database_file"] in manifest["files"]

    # The disaster: a fresh database and empty folders. Every file is then a 404.
    call_command("flush", "--noinput")
    shutil.rmtree(settings.MEDIA_ROOT)
    shutil.rmtree(settings.PORTAL_PRIVATE_MEDIA_ROOT)
    assert not User.objects.exists()

    out = StringIO()
    call_command("restore", str(folder), "--noinput", stdout=out)
    assert "và 7 tệp" in out.getvalue()
    for label, (username, url, content) in expected.items():
        assert _fetch(client, username, url) == (200, content), label
    client.logout()
    page = client.get(article_url)
    assert page.status_code == 200
    assert expected["article cover"][1] in page.content.decode()
    assert expected["article attachment"][1] in page.content.decode()


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _tamper_byte(folder):
    target = next(p for p in sorted((folder / "media-private").rglob("*")) if p.is_file())
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))


def _tamper_add(folder):
    (folder / "media-private" / "them-vao.pdf").write_bytes(PDF_BYTES)


def _tamper_remove(folder):
    next(p for p in sorted((folder / "media-private").rglob("*")) if p.is_file()).unlink()


@pytest.mark.parametrize(
    "tamper, message",
    [
        (_tamper_byte, "không khớp mã kiểm tra"),
        (_tamper_add, "tệp không ghi trong manifest.json"),
        (_tamper_remove, "thiếu 1 tệp"),
    ],
    ids=["one byte changed", "a file added", "a file removed"],
)
def test_a_tampered_backup_is_refused_and_nothing_changes(demo, client, settings, tamper, message):
    _make_rows(demo)
    folder = _backup(settings.MEDIA_ROOT.parent / "backups")
    tamper(folder)
    User.objects.create_user("sau-sao-luu", password="x")
    private_before = _tree(settings.PORTAL_PRIVATE_MEDIA_ROOT)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(folder), "--noinput", stdout=StringIO())
    assert User.objects.filter(username="sau-sao-luu").exists()
    assert _tree(settings.PORTAL_PRIVATE_MEDIA_ROOT) == private_before
    assert not list(settings.MEDIA_ROOT.parent.glob("*.before-restore-*"))


def test_any_single_byte_changed_anywhere_in_a_backup_is_refused(demo, settings):
    _make_rows(demo)
    folder = _backup(settings.MEDIA_ROOT.parent / "backups")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")
    sizes = {p: p.stat().st_size for p in files}
    User.objects.create_user("sau-sao-luu", password="x")

    @hypothesis_settings(max_examples=examples(25))
    @given(which=st.integers(0, len(files) - 1), where=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7))
    def check(which, where, bit):
        target = files[which]
        original = target.read_bytes()
        position = int(where * sizes[target])
        changed = bytearray(original)
        changed[position] ^= 1 << bit
        target.write_bytes(bytes(changed))
        try:
            with pytest.raises(CommandError, match="không khớp mã kiểm tra"):
                call_command("restore", str(folder), "--noinput", stdout=StringIO())
        finally:
            target.write_bytes(original)
        assert User.objects.filter(username="sau-sao-luu").exists()

    check()
    # Every byte put back: the same folder now restores.
    call_command("restore", str(folder), "--noinput", stdout=StringIO())
    assert not User.objects.filter(username="sau-sao-luu").exists()
