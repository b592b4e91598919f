"""The form of Nghị định 30/2020/NĐ-CP, read back from issued PDFs: where each element stands (pdftotext -layout),
which fonts are embedded (pdffonts), the sizes printed (pypdf's text operators) and the PDF/A-2b marks."""

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from portal.models import Agency, IssuedDocument, Signatory
from portal.official import DocumentDraft, date_line, render_document_pdf
from tests.portal import official_samples
from tests.portal.official_samples import issue_committed
from tests.properties import examples

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

# The words of a report's workflow (directives.models.Report.Status and its transitions): never on the document.
WORKFLOW_WORDS = ["Đang soạn", "Đã gửi", "Đã chấp nhận", "Bị trả lại", "Chấp nhận", "Trả lại", "Mở lại", "DỰ THẢO"]


def _layout(data: bytes, tmp_path, name="doc") -> list[str]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def _line_with(lines, text):
    for index, line in enumerate(lines):
        if text in line:
            return index, line
    raise AssertionError(f"{text!r} not on the document:\n" + "\n".join(lines))


def _issue(agency_name, build, **changes):
    agency = Agency.objects.get(name=agency_name)
    by = agency.officers.first() or Agency.objects.get(name="Liên minh Hợp tác xã tỉnh Bạc Liêu").officers.first()
    draft = build()
    draft.agency = agency
    head, deputy = (Signatory.objects.get(agency=agency, is_head=flag) for flag in (True, False))
    draft.signatory = deputy if changes.pop("deputy", True) else head
    for key, value in changes.items():
        setattr(draft, key, value)
    return issue_committed(draft=draft, by=by)


HONG_DAN = "Ủy ban nhân dân Huyện Hồng Dân"
ALLIANCE = "Liên minh Hợp tác xã tỉnh Bạc Liêu"
AGRICULTURE = "Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu"


@needs_poppler
def test_an_issued_report_has_every_element_in_its_place(demo, tmp_path):
    doc = _issue(HONG_DAN, lambda: official_samples.report(1))
    lines = _layout(doc.pdf.read(), tmp_path)
    first, heading = _line_with(lines, "ỦY BAN NHÂN DÂN HUYỆN")
    assert first == 0 and heading.index("ỦY BAN") < 10  # issuer, top left
    assert heading.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") > 30  # quốc hiệu on the same line, right
    motto_at, motto = _line_with(lines, "Độc lập - Tự do - Hạnh phúc")
    assert motto_at == 1 and "HỒNG DÂN" in motto  # the issuer's name wraps in its column, beside the tiêu ngữ
    number_at, number = _line_with(lines, "Số: 01/BC-UBND")
    assert number.index("Số:") < number.index("Hồng Dân, ngày 04 tháng 7 năm 2022")  # ô 3 and ô 4 on one line
    kind_at, kind = _line_with(lines, "BÁO CÁO")
    subject_at, _ = _line_with(lines, "Kết quả thực hiện Kế hoạch phát triển kinh tế tập thể")
    assert number_at < kind_at < subject_at
    assert kind.strip() == "BÁO CÁO" and len(kind) - len(kind.lstrip()) > 20  # centred
    assert not any("Kính gửi" in line for line in lines)  # a report has no Kính gửi
    body_at, _ = _line_with(lines, "Thực hiện chỉ đạo")
    closing_at, closing = _line_with(lines, "Nơi nhận:")
    assert subject_at < body_at < closing_at
    assert closing.index("Nơi nhận:") < 5 and closing.index("TM. ỦY BAN NHÂN DÂN") > 30  # 9b left, 7a right
    _line_with(lines, "KT. CHỦ TỊCH")
    _line_with(lines, "PHÓ CHỦ TỊCH")
    _line_with(lines, "- Lưu: VT.")
    name_at, name = _line_with(lines, "Thị Thử")
    assert name_at > closing_at and name.index("Thị Thử") > 30
    text = "\n".join(lines)
    for word in WORKFLOW_WORDS:
        assert word not in text


@needs_poppler
def test_an_issued_letter_has_v_v_kinh_gui_and_the_governing_body(demo, tmp_path):
    doc = _issue(ALLIANCE, official_samples.letter)
    lines = _layout(doc.pdf.read(), tmp_path)
    assert lines[0].strip().startswith("UBND TỈNH BẠC LIÊU") and "CỘNG HÒA XÃ HỘI" in lines[0]
    _, issuer = _line_with(lines, "LIÊN MINH HỢP TÁC XÃ")
    assert "TỈNH BẠC LIÊU" not in issuer  # the governing body above names the province
    number_at, number = _line_with(lines, "Số: 01/LMHTX-VP")
    assert "Bạc Liêu, ngày 14 tháng 7 năm 2022" in number
    about_at, about = _line_with(lines, "V/v đôn đốc báo cáo")
    assert about_at == number_at + 1 and about.index("V/v") < 10  # under the number, left
    to_at, _ = _line_with(lines, "Kính gửi:")
    first_at, first = _line_with(lines, "- Ủy ban nhân dân huyện Hồng Dân;")
    second_at, second = _line_with(lines, "- Ủy ban nhân dân huyện Đông Hải.")
    assert about_at < to_at < first_at < second_at and first.index("-") == second.index("-")
    assert not any(line.strip() in ("CÔNG VĂN", "BÁO CÁO") for line in lines)  # a letter prints no type
    _, sign = _line_with(lines, "KT. CHỦ TỊCH")
    assert "TM." not in "\n".join(lines)  # the alliance signs as itself, not for a collective body
    _line_with(lines, "- Như trên;")
    assert doc.reference == "01/LMHTX-VP"


@needs_poppler
def test_the_head_signs_without_kt(demo, tmp_path):
    doc = _issue(AGRICULTURE, official_samples.notice, deputy=False)
    lines = _layout(doc.pdf.read(), tmp_path)
    assert lines[0].strip().startswith("UBND TỈNH BẠC LIÊU")
    _line_with(lines, "SỞ NÔNG NGHIỆP VÀ")  # on two lines in its 40 % column, as on paper
    _line_with(lines, "Số: 01/TB-SNN")
    _line_with(lines, "Bạc Liêu, ngày 01 tháng 02 năm 2022")  # day below 10 and month below 3: leading zero
    _line_with(lines, "THÔNG BÁO")
    _, sign = _line_with(lines, "GIÁM ĐỐC")
    text = "\n".join(lines)
    assert "KT." not in text and "TM." not in text and "PHÓ GIÁM ĐỐC" not in text


@needs_poppler
def test_only_liberation_serif_embedded(demo, tmp_path):
    doc = _issue(HONG_DAN, lambda: official_samples.report(3))
    path = tmp_path / "bc.pdf"
    path.write_bytes(doc.pdf.read())
    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert re.fullmatch(r"[A-Z]{6}\+Liberation-?Serif(-Regular|-Bold|-Italic|-Bold-?Italic)?", name), row
        assert emb == "yes", row


def _sizes(data: bytes, page=0) -> dict[str, float]:
    """{text run: printed size in pt} of one page, from the text operators (Tf size times the text matrix)."""
    found = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            found.setdefault(text.strip(), round(size * scale, 1))

    PdfReader(__import__("io").BytesIO(data)).pages[page].extract_text(visitor_text=visit)
    return found


def _size_of(sizes, needle):
    for text, size in sizes.items():
        if needle in text:
            return size
    raise AssertionError(f"{needle!r} not among {list(sizes)[:40]}")


def test_printed_sizes_follow_the_decree(demo):
    doc = _issue(HONG_DAN, lambda: official_samples.report(1))
    sizes = _sizes(doc.pdf.read())
    assert _size_of(sizes, "CỘNG HÒA") == 13  # quốc hiệu 12-13
    assert _size_of(sizes, "Độc lập") == 14  # tiêu ngữ 13-14
    assert _size_of(sizes, "ỦY BAN NHÂN DÂN HUYỆN") == 13  # issuing body 12-13
    assert _size_of(sizes, "Số:") == 13
    assert _size_of(sizes, "Thực hiện chỉ đạo") == 14  # body 13-14
    assert _size_of(sizes, "Nơi nhận") == 12
    assert _size_of(sizes, "Lưu: VT") == 11  # the list of Nơi nhận
    assert _size_of(sizes, "KT. CHỦ TỊCH") == 14


def test_page_numbers_from_page_two_centred_at_the_top(demo):
    doc = _issue(HONG_DAN, lambda: official_samples.report(3))
    reader = PdfReader(doc.pdf.open("rb"))
    assert len(reader.pages) >= 3
    first = reader.pages[0].extract_text().split("\n")[0]
    assert first.strip() != "1"
    for number, page in enumerate(reader.pages[1:], start=2):
        runs = []

        def visit(text, cm, tm, font, size, runs=runs):
            if text.strip():  # the run's origin on the page: the text matrix through the current matrix
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                runs.append((text.strip(), x, y))

        page.extract_text(visitor_text=visit)
        top = max(runs, key=lambda run: run[2])
        assert top[0] == str(number)
        width, x = float(page.mediabox.width), top[1]
        # centred over the text column (left margin 30 mm, right 15 mm): about 108 mm from the left edge
        assert abs(x - (30 + (210 - 45) / 2) / 25.4 * 72) < 12, (x, width)


def test_signature_block_and_recipients_stay_together_with_the_body(demo):
    doc = _issue(HONG_DAN, lambda: official_samples.report(3))
    reader = PdfReader(doc.pdf.open("rb"))
    last = reader.pages[-1].extract_text()
    assert "Nơi nhận" in last and "Thị Thử" in last and "KT. CHỦ TỊCH" in last
    assert "thành viên." in last.split("Nơi nhận")[0]  # the body's last lines came along


def test_issued_documents_are_pdf_a_2b(demo):
    doc = _issue(HONG_DAN, lambda: official_samples.report(1))
    reader = PdfReader(doc.pdf.open("rb"))
    xmp = reader.xmp_metadata
    raw = xmp.stream.get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")2", raw) and re.search(r"pdfaid:conformance(>|=\")B", raw)
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert len(intents) == 1
    intent = intents[0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile.get_data()[36:40] == b"acsp" and b"sRGB" in profile.get_data()[:2000]
    assert "Kết quả thực hiện" in reader.metadata.title
    assert f'<rdf:li xml:lang="x-default">{reader.metadata.title}</rdf:li>' in raw  # XMP dc:title = Info /Title
    for page in reader.pages:  # nothing transparent: every alpha is 1, no soft masks
        for state in page["/Resources"].get("/ExtGState", {}).values():
            state = state.get_object()
            assert state.get("/CA", 1) == 1 and state.get("/ca", 1) == 1 and "/SMask" not in state
    for word in WORKFLOW_WORDS:
        assert word not in (reader.metadata.title or "")


@settings(max_examples=examples(200))
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(["Hồng Dân", "Bạc Liêu"]))
def test_date_line(day, place):
    line = date_line(place, day)
    match = re.fullmatch(r"(.+), ngày (\d\d) tháng (\d{1,2}) năm (\d{4})", line)
    assert match and match[1] == place
    assert int(match[2]) == day.day and int(match[3]) == day.month and int(match[4]) == day.year
    assert len(match[3]) == (2 if day.month < 3 else len(str(day.month)))  # 01, 02, then 3 ... 12


@needs_poppler
def test_a_draft_says_so_and_has_no_number(tmp_path):
    from portal.official import render_draft_pdf

    text = "\n".join(_layout(render_draft_pdf(official_samples.report(1)), tmp_path))
    assert "DỰ THẢO" in text and re.search(r"Số:\s+/BC-UBND", text)


def test_render_outside_the_register_needs_no_database():
    data = render_document_pdf(official_samples.letter(), number=7)
    assert data.startswith(b"%PDF") and IssuedDocument.objects is not None


@needs_poppler
@pytest.mark.parametrize("draft", [official_samples.report, official_samples.letter])
def test_a_long_issuer_name_wraps_in_its_column(draft, tmp_path):
    document: DocumentDraft = draft()
    document.agency.governing_body = "Sở Nông nghiệp và Phát triển nông thôn"
    document.agency.letterhead_name = "Ban quản lý dự án đầu tư xây dựng các công trình nông nghiệp và thủy lợi"
    lines = _layout(render_document_pdf(document, number=3), tmp_path)
    _line_with(lines, "BAN QUẢN LÝ")
    _line_with(lines, "THỦY LỢI")
    assert not any("THỦY LỢI" in line and "BAN QUẢN LÝ" in line for line in lines)  # wrapped, never overflowing
    assert all(line.index("CỘNG HÒA") > 25 for line in lines if "CỘNG HÒA" in line)
    _, number = _line_with(lines, "Số: 03/")
    assert "năm 2022" in number  # the number still shares its line with the date, however long the name


@pytest.mark.parametrize(
    ("build", "is_head", "expected"),
    [
        (official_samples.district_committee, True, ("TM. ỦY BAN NHÂN DÂN", "", "CHỦ TỊCH")),
        (official_samples.district_committee, False, ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")),
        (official_samples.department, True, ("", "", "GIÁM ĐỐC")),
        (official_samples.department, False, ("", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")),
    ],
)
def test_signature_block_tm_and_kt(build, is_head, expected):
    from portal.official import signature_block

    agency = build()
    signer = official_samples.head(agency) if is_head else official_samples.deputy(agency)
    block = signature_block(agency, signer)
    assert (block.on_behalf, block.deputy_of, block.title) == expected and block.name == signer.full_name


@needs_poppler
def test_one_addressee_on_the_line_of_kinh_gui(tmp_path):
    draft = official_samples.letter()
    draft.addressees = ["Ủy ban nhân dân tỉnh Bạc Liêu"]
    lines = _layout(render_document_pdf(draft, number=2), tmp_path)
    _, line = _line_with(lines, "Kính gửi:")
    assert "Kính gửi: Ủy ban nhân dân tỉnh Bạc Liêu." in line and "- " not in line


def test_the_body_keeps_the_figure_class_of_table_cells_and_nothing_else():
    from portal.official import BODY_CLASSES
    from portal.text import clean_html

    html = '<table><tr><td class="num evil">1.500.000</td><td class="x" onclick="a()">Chỉ tiêu</td></tr></table>'
    cleaned = clean_html(html, classes=BODY_CLASSES)
    assert '<td class="num">1.500.000</td>' in cleaned
    assert "evil" not in cleaned and 'class="x"' not in cleaned and "onclick" not in cleaned


def test_a_table_of_many_units_goes_on_a_landscape_page_where_its_columns_fit(demo):
    units = [f"Huyện Thử Nghiệm {n}" for n in range(7)]
    head = "".join(f'<th class="num">{u}</th>' for u in units)
    cells = "".join('<td class="num">38.500.000.000</td>' for _ in units)
    row = f'<tr><td>Tổng doanh thu (đồng)</td>{cells}<td class="num"><strong>269.500.000.000</strong></td></tr>'
    table = f'<table class="wide"><thead><tr><th>Chỉ tiêu</th>{head}<th>Toàn tỉnh</th></tr></thead><tbody>{row}</tbody>'
    draft = official_samples.report()
    draft.body_html = f"<p>Tổng hợp.</p>{table}</table>"
    reader = PdfReader(io.BytesIO(render_document_pdf(draft)))
    shapes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert shapes[0][0] < shapes[0][1] and any(w > h for w, h in shapes)  # portrait first page, the table landscape
    text = "".join(p.extract_text() for p in reader.pages)
    assert "269.500.000.000" in text and text.count("38.500.000.000") == 7  # every figure whole, none cut off
