"""Sample documents in the form of Nghị định 30/2020/NĐ-CP, built from unsaved agencies (no database needed):
the tests of the form read them back from their PDFs, and `python -m tests.portal.official_samples DIR` writes them
as PDFs to look at."""

from datetime import date

from portal.models import AdministrativeUnit, Agency, IssuedDocument, Signatory
from portal.official import DocumentDraft

PROVINCE = AdministrativeUnit(name="Tỉnh Bạc Liêu", level=AdministrativeUnit.Level.PROVINCE)
HONG_DAN = AdministrativeUnit(name="Huyện Hồng Dân", level=AdministrativeUnit.Level.DISTRICT)


def district_committee() -> Agency:
    return Agency(
        name="Ủy ban nhân dân Huyện Hồng Dân",
        kind=Agency.Kind.DISTRICT_PC,
        unit=HONG_DAN,
        doc_code="UBND",
        place_name="Hồng Dân",
        collective_name="Ủy ban nhân dân",
        head_title="Chủ tịch",
    )


def alliance() -> Agency:
    return Agency(
        name="Liên minh Hợp tác xã tỉnh Bạc Liêu",
        letterhead_name="Liên minh Hợp tác xã",
        kind=Agency.Kind.ALLIANCE,
        unit=PROVINCE,
        governing_body="UBND tỉnh Bạc Liêu",
        doc_code="LMHTX",
        place_name="Bạc Liêu",
        head_title="Chủ tịch",
    )


def department() -> Agency:
    return Agency(
        name="Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu",
        letterhead_name="Sở Nông nghiệp và Phát triển nông thôn",
        kind=Agency.Kind.DEPARTMENT,
        unit=PROVINCE,
        governing_body="UBND tỉnh Bạc Liêu",
        doc_code="SNN",
        place_name="Bạc Liêu",
        head_title="Giám đốc",
    )


def head(agency: Agency, name="Nguyễn Văn Mẫu") -> Signatory:
    return Signatory(agency=agency, full_name=name, title=agency.head_title, is_head=True)


def deputy(agency: Agency, name="Trần Thị Thử") -> Signatory:
    return Signatory(agency=agency, full_name=name, title=f"Phó {agency.head_title.lower()}", is_head=False)


PARAGRAPH = (
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về phát triển kinh tế tập thể, Ủy ban nhân dân huyện đã chỉ đạo các "
    "phòng, ban chuyên môn và Ủy ban nhân dân các xã, thị trấn rà soát, hỗ trợ các hợp tác xã trên địa bàn củng cố tổ "
    "chức, nâng cao hiệu quả hoạt động, gắn sản xuất với tiêu thụ sản phẩm cho thành viên."
)


def _table(rows: int) -> str:
    head_row = (
        "<thead><tr><th>TT</th><th>Chỉ tiêu</th><th class='num'>Kế hoạch</th><th class='num'>Đạt</th></tr></thead>"
    )
    body = "".join(
        f"<tr><td>{i}</td><td>Hợp tác xã thành lập mới tại xã thứ {i}</td>"
        f"<td class='num'>{i * 2}</td><td class='num'>{i * 2 - 1}</td></tr>"
        for i in range(1, rows + 1)
    )
    return f"<table>{head_row}<tbody>{body}</tbody></table>"


def report(pages: int = 1) -> DocumentDraft:
    agency = district_committee()
    if pages == 1:
        body = f"<p>{PARAGRAPH}</p><p>{PARAGRAPH}</p>"
    else:
        parts = [f"<p><b>I. KẾT QUẢ THỰC HIỆN</b></p><p>{PARAGRAPH}</p>", _table(22)]
        parts += [f"<p>{PARAGRAPH}</p>" for _ in range(9)]
        parts.append(f"<p><b>II. KIẾN NGHỊ</b></p><p>{PARAGRAPH}</p>")
        body = "".join(parts)
    return DocumentDraft(
        agency=agency,
        kind=IssuedDocument.Kind.REPORT,
        subject="Kết quả thực hiện Kế hoạch phát triển kinh tế tập thể 6 tháng đầu năm 2022",
        body_html=body,
        issued_on=date(2022, 7, 4),
        recipients=["Liên minh Hợp tác xã tỉnh", "Sở Kế hoạch và Đầu tư", "Lưu: VT"],
        signatory=deputy(agency),
    )


def letter() -> DocumentDraft:
    agency = alliance()
    return DocumentDraft(
        agency=agency,
        kind=IssuedDocument.Kind.LETTER,
        subject="đôn đốc báo cáo kết quả phát triển hợp tác xã 6 tháng đầu năm 2022",
        body_html=f"<p>Liên minh Hợp tác xã tỉnh đề nghị các đơn vị gửi báo cáo đúng hạn.</p><p>{PARAGRAPH}</p>",
        issued_on=date(2022, 7, 14),
        addressees=["Ủy ban nhân dân huyện Hồng Dân", "Ủy ban nhân dân huyện Đông Hải"],
        recipients=["Như trên", "UBND tỉnh (b/c)", "Lưu: VT, VP"],
        signatory=deputy(agency),
        drafting_code="VP",
    )


def notice() -> DocumentDraft:
    agency = department()
    return DocumentDraft(
        agency=agency,
        kind=IssuedDocument.Kind.NOTICE,
        subject="Lịch tập huấn nghiệp vụ cho cán bộ quản lý hợp tác xã năm 2022",
        body_html=f"<p>{PARAGRAPH}</p>",
        issued_on=date(2022, 2, 1),
        recipients=["Các hợp tác xã nông nghiệp", "Lưu: VT"],
        signatory=head(agency),
    )


SAMPLES = {
    "bc-1-trang": (lambda: report(1), 5),
    "bc-3-trang": (lambda: report(3), 15),
    "cv-2-noi-nhan": (letter, 12),
    "tb": (notice, 3),
}


def issue_committed(**kwargs) -> IssuedDocument:
    """portal.official.document_issue as a request runs it: the worker's rendering of the PDF (enqueued on commit,
    eager in the tests) runs once the issuing transaction commits. A test's own transaction never commits, so the
    callbacks are run here, and the row is read again with its PDF."""
    from django.test import TestCase

    from portal.official import document_issue

    with TestCase.captureOnCommitCallbacks(execute=True):
        doc = document_issue(**kwargs)
    doc.refresh_from_db()
    return doc
