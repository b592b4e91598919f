"""The demo's real documents (directives/demo_files/): Công văn 1047 as a text PDF in the form, the alliance's plan as
a scan with no text layer that OCR reads, and the demo loaders attaching them once."""

import subprocess
from io import StringIO
from pathlib import Path

import pytest

from directives import demo as directives_demo
from directives import services as directives_services
from directives.demo_documents import CV_1047_FILE, PLAN_SCAN_FILE, SCAN_ONLY_WORDS
from directives.models import Document, DocumentFile
from portal.search import fold
from public import demo as public_demo
from public.models import Article, Attachment

ROOT = Path(__file__).resolve().parents[2]


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_1047_letter_is_a_text_pdf_in_the_form_with_its_tasks():
    text = flat(pdftotext(CV_1047_FILE))
    for element in [
        "ỦY BAN NHÂN DÂN TỈNH BẠC LIÊU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 1047/UBND-KT",
        "Bạc Liêu, ngày 06 tháng 4 năm 2022",
        "V/v tiếp tục thực hiện có hiệu quả các giải pháp tháo gỡ khó khăn",
        "Kính gửi:",
        "Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nơi nhận:",
        "Lưu: VT, KT.",
    ]:
        assert element in text, element
    # The five tasks: awareness, congresses on time, boards and accounts, the fund's loans and overdue debt, pilots.
    for task in [
        "bản chất của kinh tế tập thể",
        "Đại hội thành viên thường niên và Đại hội nhiệm kỳ đúng thời gian",
        "Hội đồng quản trị, Ban Giám đốc",
        "sổ sách kế toán",
        "hoạt động thực chất",
        "nợ quá hạn",
        "HTX điểm phải đầu tư có trọng tâm, trọng điểm",
    ]:
        assert task in text, task
    info = subprocess.run(["pdfinfo", CV_1047_FILE], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 2 <= pages <= 3
    fonts = subprocess.run(["pdffonts", CV_1047_FILE], check=True, capture_output=True, text=True).stdout
    assert "Liberation-Serif" in fonts


def test_the_scan_is_images_only_small_and_without_a_text_layer():
    assert pdftotext(PLAN_SCAN_FILE).strip() == ""
    images = subprocess.run(["pdfimages", "-list", PLAN_SCAN_FILE], check=True, capture_output=True, text=True)
    assert len(images.stdout.splitlines()) - 2 >= 1  # header lines, then one image per page
    for path in (CV_1047_FILE, PLAN_SCAN_FILE):
        assert path.stat().st_size < 400_000, path.name


def test_the_words_of_the_scan_appear_nowhere_else_in_the_demo(loaded):
    """Written nowhere in the demo's code or templates (but the scan's own source), nor in any searchable row."""
    sources = [*ROOT.glob("*/demo.py"), *ROOT.glob("*/scale.py"), *ROOT.glob("templates/**/*.html")]
    assert len(sources) > 10
    for path in sources:
        text = fold(path.read_text())
        for word in SCAN_ONLY_WORDS:
            assert fold(word) not in text, (path, word)
    for model in (Document, Article):
        for word in SCAN_ONLY_WORDS:
            assert not model.objects.filter(search_text__contains=fold(word)).exists(), (model, word)


@pytest.fixture
def loaded(directives_demo):
    public_demo.load(StringIO())


def _counts():
    return [Document.objects.count(), DocumentFile.objects.count(), Attachment.objects.count()]


def test_the_demo_attaches_the_letter_the_scan_and_the_articles_copy_once(loaded):
    cv = Document.objects.get(slug=directives_demo.CV_1047_SLUG)
    plan = Document.objects.get(slug=directives_demo.PLAN_SCAN_SLUG)
    assert (plan.number, plan.is_public, plan.issue_date.isoformat()) == ("58/KH-LMHTX", True, "2022-04-25")
    assert plan.relations_out.filter(kind="implements", target=cv).exists()
    [scan] = plan.files.all()
    with scan.file.open("rb") as handle:
        assert handle.read() == PLAN_SCAN_FILE.read_bytes()
    assert scan.size == PLAN_SCAN_FILE.stat().st_size and scan.original_name.endswith(".pdf")
    # The letter as the provincial committee signed it with its demo certificate: the committed bytes, then the
    # signature as an incremental update, which the upload's check finds valid (the demo's root is trusted).
    [letter] = cv.files.all()
    with letter.file.open("rb") as handle:
        stored = handle.read()
    assert stored.startswith(CV_1047_FILE.read_bytes()) and len(stored) > CV_1047_FILE.stat().st_size
    assert letter.size == len(stored) and letter.original_name.endswith(".pdf")
    assert letter.signature_state == "pending"  # checked once the upload commits; here the check runs at once
    assert directives_services.file_signature_check(kind="document", file_id=letter.pk) == "valid"
    letter.refresh_from_db()
    assert [s.signer for s in letter.signature.signatures] == ["Ủy ban nhân dân tỉnh Bạc Liêu"]
    [attachment] = Article.objects.get(slug=public_demo.SEED_SLUG).attachments.all()
    assert (attachment.content_type, attachment.size) == ("application/pdf", CV_1047_FILE.stat().st_size)
    with attachment.file.open("rb") as handle:
        assert handle.read() == CV_1047_FILE.read_bytes()

    before = _counts()
    directives_demo.load(StringIO())
    public_demo.load(StringIO())
    assert _counts() == before


def test_a_demo_loaded_with_the_placeholder_gets_the_real_letter_in_its_place(loaded):
    from django.core.files.base import ContentFile

    cv = Document.objects.get(slug=directives_demo.CV_1047_SLUG)
    [item] = cv.files.all()
    item.file.save("cong-van-1047.pdf", ContentFile(directives_demo.PLACEHOLDER_PDF), save=False)
    item.size = 0
    item.save()
    before = _counts()

    directives_demo.load(StringIO())

    assert _counts() == before
    item.refresh_from_db()
    with item.file.open("rb") as handle:
        assert handle.read() == CV_1047_FILE.read_bytes()
    assert item.size == CV_1047_FILE.stat().st_size


def test_a_word_only_inside_the_demo_scan_is_found_by_the_site_search_with_its_page(loaded, client):
    from portal import extract

    plan = Document.objects.get(slug=directives_demo.PLAN_SCAN_SLUG)
    [scan] = plan.files.all()
    word = SCAN_ONLY_WORDS[0]
    assert client.get("/tim-kiem/", {"q": word}).context["page_obj"].paginator.count == 0  # not read yet
    # What the worker does once the upload commits (here the test's transaction never commits).
    assert extract.attachment_extract_text(label="directives.DocumentFile", pk=scan.pk) == "done"
    scan.refresh_from_db()
    read = fold(scan.text)
    assert scan.text_method == "ocr" and fold("Kế hoạch") in read and "1047/ubnd-kt" in read
    for each in SCAN_ONLY_WORDS:
        assert fold(each) in read, each
    page = client.get("/tim-kiem/", {"q": word}).content.decode()
    assert plan.get_absolute_url() in page
    assert "trang 1" in page and scan.original_name in page
    # The document list's search finds it too.
    listing = client.get("/van-ban/", {"q": word}).content.decode()
    assert plan.get_absolute_url() in listing
