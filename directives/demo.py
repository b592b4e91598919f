"""Demo data for documents, directives and reports (Bạc Liêu, 2022). Idempotent: natural keys and get_or_create.

Công văn 1047/UBND-KT and its five tasks (DOMAIN.md), assigned to the departments and the seven district People's
Committees; a 6-month report request for the first half of 2022 in mixed states; about twenty other documents.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from portal.demo import PROVINCIAL_PC
from portal.democa import DEMO_PASSPHRASE
from portal.models import Agency, IssuedDocument, User
from portal.scale import MARK as SCALE_MARK
from portal.signing import SigningError, document_sign, pdf_sign

from . import official, selectors, services
from .demo_documents import CV_1047_FILE, CV_1047_NAME, PLAN_SCAN_FILE, PLAN_SCAN_NAME
from .indicators import SEMIANNUAL_DEFAULT
from .models import (
    Document,
    DocumentFile,
    DocumentRelation,
    Report,
    ReportRequest,
    ReportTransition,
    ReportValue,
    Task,
    TaskAssignment,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CV_1047_SLUG = "1047-ubnd-kt"
PLAN_SCAN_SLUG = "58-kh-lmhtx-2022"  # the alliance's plan, attached as a scan (demo_documents.PLAN_SCAN_FILE)
CV_1047_SUMMARY = (
    "Về việc tiếp tục thực hiện có hiệu quả các giải pháp tháo gỡ khó khăn vướng mắc, thúc đẩy kinh tế tập thể, "
    "hợp tác xã trên địa bàn tỉnh"
)
PROVINCE_PC = "UBND tỉnh Bạc Liêu"
ALLIANCE = "Liên minh Hợp tác xã tỉnh Bạc Liêu"

# slug, type, number, issuer, signer, issue date, effective date, field, summary, status, public
DOCUMENTS = [
    (
        "23-2012-qh13",
        "luat",
        "23/2012/QH13",
        "Quốc hội",
        "Nguyễn Sinh Hùng",
        date(2012, 11, 20),
        date(2013, 7, 1),
        "Kinh tế tập thể",
        "Luật Hợp tác xã",
        "replaced",
        True,
    ),
    (
        "17-2023-qh15",
        "luat",
        "17/2023/QH15",
        "Quốc hội",
        "Vương Đình Huệ",
        date(2023, 6, 20),
        date(2024, 7, 1),
        "Kinh tế tập thể",
        "Luật Hợp tác xã (sửa đổi)",
        "in_force",
        True,
    ),
    (
        "193-2013-nd-cp",
        "nghi_dinh",
        "193/2013/NĐ-CP",
        "Chính phủ",
        "Nguyễn Tấn Dũng",
        date(2013, 11, 21),
        date(2014, 1, 15),
        "Kinh tế tập thể",
        "Quy định chi tiết một số điều của Luật Hợp tác xã",
        "replaced",
        True,
    ),
    (
        "107-2017-nd-cp",
        "nghi_dinh",
        "107/2017/NĐ-CP",
        "Chính phủ",
        "Nguyễn Xuân Phúc",
        date(2017, 9, 15),
        date(2017, 9, 15),
        "Kinh tế tập thể",
        "Sửa đổi, bổ sung một số điều của Nghị định số 193/2013/NĐ-CP "
        "quy định chi tiết một số điều của Luật Hợp tác xã",
        "expired",
        True,
    ),
    (
        "77-2019-nd-cp",
        "nghi_dinh",
        "77/2019/NĐ-CP",
        "Chính phủ",
        "Nguyễn Xuân Phúc",
        date(2019, 10, 10),
        date(2019, 12, 1),
        "Kinh tế tập thể",
        "Về tổ hợp tác",
        "in_force",
        True,
    ),
    (
        "45-2021-nd-cp",
        "nghi_dinh",
        "45/2021/NĐ-CP",
        "Chính phủ",
        "Lê Minh Khái",
        date(2021, 3, 31),
        date(2021, 5, 15),
        "Quỹ hỗ trợ phát triển HTX",
        "Về việc thành lập, tổ chức và hoạt động của Quỹ hỗ trợ phát triển hợp tác xã",
        "in_force",
        True,
    ),
    (
        "113-2024-nd-cp",
        "nghi_dinh",
        "113/2024/NĐ-CP",
        "Chính phủ",
        "Trần Hồng Hà",
        date(2024, 9, 12),
        date(2024, 11, 1),
        "Kinh tế tập thể",
        "Quy định chi tiết một số điều của Luật Hợp tác xã",
        "in_force",
        True,
    ),
    (
        "01-2020-tt-bkhdt",
        "thong_tu",
        "01/2020/TT-BKHĐT",
        "Bộ Kế hoạch và Đầu tư",
        "Nguyễn Chí Dũng",
        date(2020, 2, 19),
        date(2020, 4, 6),
        "Kinh tế tập thể",
        "Hướng dẫn phân loại và đánh giá hợp tác xã",
        "in_force",
        True,
    ),
    (
        "1804-qd-ttg",
        "quyet_dinh",
        "1804/QĐ-TTg",
        "Thủ tướng Chính phủ",
        "Trịnh Đình Dũng",
        date(2020, 11, 13),
        date(2020, 11, 13),
        "Kinh tế tập thể",
        "Phê duyệt Chương trình hỗ trợ phát triển kinh tế tập thể, hợp tác xã giai đoạn 2021 - 2025",
        "in_force",
        True,
    ),
    (
        "340-qd-ttg",
        "quyet_dinh",
        "340/QĐ-TTg",
        "Thủ tướng Chính phủ",
        "Trịnh Đình Dũng",
        date(2021, 3, 12),
        date(2021, 3, 12),
        "Kinh tế tập thể",
        "Phê duyệt Chiến lược phát triển kinh tế tập thể, hợp tác xã giai đoạn 2021 - 2030",
        "in_force",
        True,
    ),
    (
        "20-nq-tw",
        "nghi_quyet",
        "20-NQ/TW",
        "Ban Chấp hành Trung ương",
        "Nguyễn Phú Trọng",
        date(2022, 6, 16),
        date(2022, 6, 16),
        "Kinh tế tập thể",
        "Về tiếp tục đổi mới, phát triển và nâng cao hiệu quả kinh tế tập thể trong giai đoạn mới",
        "in_force",
        True,
    ),
    (
        "52-kh-ubnd-2022",
        "ke_hoach",
        "52/KH-UBND",
        PROVINCE_PC,
        "Phó Chủ tịch UBND tỉnh",
        date(2022, 3, 15),
        date(2022, 3, 15),
        "Kinh tế tập thể",
        "Kế hoạch phát triển kinh tế tập thể, hợp tác xã tỉnh Bạc Liêu năm 2022",
        "expired",
        True,
    ),
    (
        "148-kh-ubnd-2022",
        "ke_hoach",
        "148/KH-UBND",
        PROVINCE_PC,
        "Phó Chủ tịch UBND tỉnh",
        date(2022, 10, 5),
        date(2022, 10, 5),
        "Kinh tế tập thể",
        "Kế hoạch thực hiện Nghị quyết số 20-NQ/TW về tiếp tục đổi mới, phát triển và nâng cao hiệu quả kinh tế tập "
        "thể trong giai đoạn mới trên địa bàn tỉnh Bạc Liêu",
        "in_force",
        True,
    ),
    (
        "12-qd-ubnd-quy-htx",
        "quyet_dinh",
        "12/QĐ-UBND",
        PROVINCE_PC,
        "Chủ tịch UBND tỉnh",
        date(2021, 8, 20),
        date(2021, 8, 20),
        "Quỹ hỗ trợ phát triển HTX",
        "Ban hành Điều lệ tổ chức và hoạt động của Quỹ hỗ trợ phát triển hợp tác xã tỉnh Bạc Liêu",
        "in_force",
        True,
    ),
    (
        "35-hd-lmhtx-2022",
        "huong_dan",
        "35/HD-LMHTX",
        ALLIANCE,
        "Chủ tịch Liên minh HTX tỉnh",
        date(2022, 1, 18),
        date(2022, 1, 18),
        "Kinh tế tập thể",
        "Hướng dẫn tổ chức Đại hội thành viên thường niên năm 2022 của các hợp tác xã",
        "expired",
        True,
    ),
    (
        "86-cv-lmhtx-2022",
        "cong_van",
        "86/LMHTX-KH",
        ALLIANCE,
        "Phó Chủ tịch Liên minh HTX tỉnh",
        date(2022, 6, 10),
        date(2022, 6, 10),
        "Kinh tế tập thể",
        "Về việc báo cáo tình hình kinh tế tập thể, hợp tác xã 6 tháng đầu năm 2022",
        "in_force",
        True,
    ),
    (
        "91-tb-lmhtx-2022",
        "thong_bao",
        "91/TB-LMHTX",
        ALLIANCE,
        "Giám đốc Quỹ hỗ trợ phát triển HTX",
        date(2022, 7, 8),
        None,
        "Quỹ hỗ trợ phát triển HTX",
        "Thông báo kết quả thẩm định các dự án vay vốn Quỹ hỗ trợ phát triển hợp tác xã đợt 2 năm 2022",
        "in_force",
        True,
    ),
    (
        "210-bc-ubnd-2022",
        "bao_cao",
        "210/BC-UBND",
        PROVINCE_PC,
        "Phó Chủ tịch UBND tỉnh",
        date(2022, 7, 25),
        None,
        "Kinh tế tập thể",
        "Báo cáo tình hình kinh tế tập thể, hợp tác xã 6 tháng đầu năm 2022",
        "in_force",
        True,
    ),
    (
        "05-ct-ubnd-2022",
        "chi_thi",
        "05/CT-UBND",
        PROVINCE_PC,
        "Chủ tịch UBND tỉnh",
        date(2022, 5, 9),
        date(2022, 5, 9),
        "Kinh tế tập thể",
        "Về tăng cường công tác quản lý nhà nước đối với kinh tế tập thể, hợp tác xã trên địa bàn tỉnh",
        "in_force",
        True,
    ),
    (
        PLAN_SCAN_SLUG,
        "ke_hoach",
        "58/KH-LMHTX",
        ALLIANCE,
        "Chủ tịch Liên minh HTX tỉnh",
        date(2022, 4, 25),
        date(2022, 4, 25),
        "Kinh tế tập thể",
        "Kế hoạch rà soát, củng cố các hợp tác xã hoạt động yếu kém năm 2022 (bản chụp có dấu)",
        "in_force",
        True,
    ),
    (
        "40-kh-lmhtx-2022",
        "ke_hoach",
        "40/KH-LMHTX",
        ALLIANCE,
        "Chủ tịch Liên minh HTX tỉnh",
        date(2022, 2, 14),
        date(2022, 2, 14),
        "Đào tạo, bồi dưỡng",
        "Kế hoạch tập huấn, bồi dưỡng cán bộ quản lý hợp tác xã năm 2022 (văn bản nội bộ)",
        "in_force",
        False,
    ),
]

RELATIONS = [
    ("17-2023-qh15", "replaces", "23-2012-qh13"),
    ("113-2024-nd-cp", "replaces", "193-2013-nd-cp"),
    ("107-2017-nd-cp", "amends", "193-2013-nd-cp"),
    ("148-kh-ubnd-2022", "implements", "20-nq-tw"),
    ("86-cv-lmhtx-2022", "implements", CV_1047_SLUG),
    (PLAN_SCAN_SLUG, "implements", CV_1047_SLUG),
]
REPLACED_BY = {"23-2012-qh13": "17-2023-qh15", "193-2013-nd-cp": "113-2024-nd-cp"}

DEPT_KHDT = "Sở Kế hoạch và Đầu tư tỉnh Bạc Liêu"
DEPT_NN = "Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu"
DEPT_TC = "Sở Tài chính tỉnh Bạc Liêu"
DEPT_TTTT = "Sở Thông tin và Truyền thông tỉnh Bạc Liêu"
SBV = "Ngân hàng Nhà nước chi nhánh tỉnh Bạc Liêu"

# order, text, lead, supporting departments, deadline, cycle, progress public
TASKS_1047 = [
    (
        1,
        "Đẩy mạnh công tác tuyên truyền, quán triệt, nâng cao nhận thức về bản chất của KTTT, HTX và vị trí, vai trò "
        "quan trọng của KTTT trong phát triển kinh tế - xã hội của tỉnh.",
        DEPT_TTTT,
        [],
        None,
        "quarterly",
        True,
    ),
    (
        2,
        "Phối hợp các đơn vị liên quan trong củng cố, nâng cao chất lượng hoạt động của các HTX; quan tâm tổ chức Đại "
        "hội thành viên thường niên và Đại hội nhiệm kỳ của các Hợp tác xã đúng thời gian và nội dung theo quy định.",
        DEPT_KHDT,
        [],
        date(2022, 6, 30),
        "",
        True,
    ),
    (
        3,
        "Tập trung đào tạo, bồi dưỡng, lựa chọn Hội đồng quản trị, Ban Giám đốc có năng lực và trình độ để điều hành "
        "quản lý HTX; chỉ đạo các Hợp tác xã thực hiện công tác tài chính theo quy định như: hồ sơ, sổ sách kế toán.",
        DEPT_NN,
        [DEPT_TC],
        date(2022, 12, 31),
        "",
        True,
    ),
    (
        4,
        "Quan tâm phối hợp với Quỹ hỗ trợ phát triển HTX tỉnh trong việc rà soát, đề xuất các HTX nhu cầu vay vốn có "
        "hoạt động thực chất; tham gia thẩm định các dự án vay vốn từ Quỹ; theo dõi, kiểm tra hoạt động các HTX cũng "
        "như phối hợp xử lý tốt các đơn vị có nợ quá hạn.",
        DEPT_TC,
        [SBV],
        None,
        "semiannual",
        False,
    ),
    (
        5,
        "Chủ động phối hợp với Liên minh HTX tỉnh tập trung thực hiện các nhiệm vụ KTTT, HTX; khi đầu tư HTX điểm cần "
        "đầu tư có trọng tâm, trọng điểm, tránh tình trạng không hiệu quả, sau đó nhân rộng các mô hình hiệu quả.",
        DEPT_NN,
        [DEPT_KHDT],
        date(2022, 12, 31),
        "",
        False,
    ),
]

# district -> completed_on for task 2 (deadline 30/06/2022); missing = still in progress
TASK2_DONE = {
    "Ủy ban nhân dân Thành phố Bạc Liêu": date(2022, 6, 20),
    "Ủy ban nhân dân Thị xã Giá Rai": date(2022, 6, 28),
    "Ủy ban nhân dân Huyện Vĩnh Lợi": date(2022, 7, 15),
    "Ủy ban nhân dân Huyện Hồng Dân": date(2022, 8, 2),
}

# Task 3 (deadline 31/12/2022; Huyện Đông Hải extended to 31/03/2023): agency -> (state, sent, reviewed, trained)
TASK3_REPORTS = {
    DEPT_NN: ("accepted", date(2022, 12, 5), date(2022, 12, 12), 64),
    "Ủy ban nhân dân Huyện Đông Hải": ("accepted", date(2023, 2, 10), date(2023, 2, 15), 12),
    "Ủy ban nhân dân Huyện Hồng Dân": ("accepted", date(2023, 1, 3), date(2023, 1, 6), 15),
    "Ủy ban nhân dân Thị xã Giá Rai": ("returned", date(2022, 12, 8), date(2022, 12, 14), 18),
    "Ủy ban nhân dân Thành phố Bạc Liêu": ("submitted", date(2022, 12, 9), None, 21),
}
TASK3_SECTIONS = "Kết quả đào tạo, bồi dưỡng\nTình hình thực hiện chế độ kế toán của HTX\nĐề xuất, kiến nghị"
TASK3_NARRATIVE = [
    "Phối hợp Liên minh HTX tỉnh mở lớp bồi dưỡng cho thành viên Hội đồng quản trị, Giám đốc HTX.",
    "Các HTX đã mở sổ sách kế toán; một số HTX nhỏ còn thuê kế toán bán thời gian.",
    "Đề nghị tiếp tục hỗ trợ kinh phí đào tạo kế toán HTX năm 2023.",
]

SECTIONS = "Kết quả đạt được\nKhó khăn, vướng mắc\nĐề xuất, kiến nghị"

# district agency -> (state, first submitted day, values: members, workers, revenue in million đồng)
HONG_DAN = "Ủy ban nhân dân Huyện Hồng Dân"
H1_TITLE = "Báo cáo kinh tế tập thể 6 tháng đầu năm 2022"
H1_STATES = {
    "Ủy ban nhân dân Thành phố Bạc Liêu": ("accepted", date(2022, 7, 10)),
    "Ủy ban nhân dân Thị xã Giá Rai": ("accepted", date(2022, 7, 20)),
    "Ủy ban nhân dân Huyện Vĩnh Lợi": ("submitted", date(2022, 7, 14)),
    "Ủy ban nhân dân Huyện Hồng Dân": ("returned", date(2022, 7, 12)),
    "Ủy ban nhân dân Huyện Đông Hải": ("draft", None),
}
DEMO_FIGURES = {
    "Ủy ban nhân dân Thành phố Bạc Liêu": (24, 20, 2, 0, 31, 2, 1, 1850, 412, 38_500, 2_150, 2_400, 9, 18),
    "Ủy ban nhân dân Thị xã Giá Rai": (31, 27, 4, 1, 45, 3, 0, 2460, 530, 51_200, 2_870, 1_800, 12, 22),
    "Ủy ban nhân dân Huyện Vĩnh Lợi": (28, 25, 3, 0, 38, 1, 1, 2010, 455, 40_100, 2_300, 1_500, 10, 15),
    "Ủy ban nhân dân Huyện Hồng Dân": (35, 30, 5, 0, 52, 2, 2, 2730, 610, 47_900, 2_640, 2_000, 11, 20),
    "Ủy ban nhân dân Huyện Đông Hải": (29, 26, 3, 0, 40, 2, 0, 2150, 480, 44_300, 2_510, 0, 8, 0),
}
MONEY_CODES = {"revenue", "profit", "loans_disbursed", "loans_outstanding"}

NARRATIVE = {
    "Kết quả đạt được": "Trong 6 tháng đầu năm 2022, địa phương đã củng cố hoạt động các hợp tác xã, vận động "
    "thành lập mới hợp tác xã và tổ hợp tác; phối hợp Liên minh HTX tỉnh tổ chức Đại hội thành viên thường niên.",
    "Khó khăn, vướng mắc": "Một số hợp tác xã thiếu vốn, chưa có kế toán; giá vật tư đầu vào tăng cao.",
    "Đề xuất, kiến nghị": "Đề nghị Quỹ hỗ trợ phát triển HTX tỉnh ưu tiên giải ngân cho các dự án đã thẩm định.",
}

# The placeholder the demo attached to Công văn 1047 before the real letter (demo_files/); replaced where found.
PLACEHOLDER_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _at(day: date, hour=9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def load(out) -> None:
    cv = _cv_1047()
    docs = {CV_1047_SLUG: cv}
    for slug, doc_type, number, issuer, signer, issued, effective, field, summary, status, public in DOCUMENTS:
        docs[slug], _ = Document.objects.get_or_create(
            slug=slug,
            defaults={
                "doc_type": doc_type,
                "number": number,
                "issuer": issuer,
                "signer": signer,
                "issue_date": issued,
                "effective_date": effective,
                "field": field,
                "summary": summary,
                "status": status,
                "is_public": public,
            },
        )
    _attach(docs[PLAN_SCAN_SLUG], PLAN_SCAN_FILE, PLAN_SCAN_NAME)
    for source, kind, target in RELATIONS:
        DocumentRelation.objects.get_or_create(source=docs[source], kind=kind, target=docs[target])
    for slug, by in REPLACED_BY.items():
        if docs[slug].replaced_by_id is None:
            docs[slug].replaced_by = docs[by]
            docs[slug].save(update_fields=["replaced_by"])

    # Never the benchmark's scale agencies (seed_scale): the demo stays the same size next to them.
    agencies = {a.name: a for a in Agency.objects.exclude(unit__code__startswith=SCALE_MARK)}
    districts = [a for a in agencies.values() if a.kind == Agency.Kind.DISTRICT_PC]
    tasks = _tasks(cv, agencies, districts)
    staff = User.objects.filter(username="lienminh").first()
    if staff is not None:
        _h1_request(agencies, districts, staff)
        _task_request(tasks[3], agencies, districts, staff)
    _close_2022(tasks)
    _commune_request()
    out.write(
        f"Văn bản: {Document.objects.count()}, nhiệm vụ: {Task.objects.count()}, "
        f"phân công: {TaskAssignment.objects.count()}, báo cáo: {Report.objects.count()}"
    )


def load_documents(out) -> None:
    """The documents the demo's sent reports were issued as (one signed by its officer) and the alliance's reminder
    letter: PDFs rendered and a signature made, so only `manage.py load_demo` runs it (ops), not each test that
    loads the demo's rows."""
    issued = services.reports_issue_missing()
    _sign_demo_report()
    staff = User.objects.filter(username="lienminh").first()
    if staff is not None:
        _reminder_letter(staff)
    out.write(f"Văn bản đã phát hành: {issued} báo cáo; công văn đôn đốc của Liên minh HTX tỉnh.")


def _reminder_letter(staff) -> None:
    """The alliance's letter urging the units whose half-year report had not arrived (one draft, one returned),
    sent a few days after the deadline: it shows on those officers' workspace as "Công văn đến"."""
    request = ReportRequest.objects.filter(title=H1_TITLE).first()
    letters = IssuedDocument.objects.filter(kind=IssuedDocument.Kind.LETTER, source_type__model="reportrequest")
    if request is None or letters.filter(source_id=request.pk).exists():
        return
    late = selectors.not_submitted(request)
    if not late:
        return
    defaults = official.reminder_defaults(request, late)
    services.letter_issue(
        subject=defaults["subject"],
        body=defaults["body"],
        addressees=late,
        signatory=None,
        drafting_code=official.letter_code(),
        by=staff,
        source=request,
        issued_on=date(2022, 7, 25),
    )


def _sign_demo_report() -> None:
    """Hồng Dân's report as its officer signed it (demo passphrase): the demo's signed issued document."""
    officer = User.objects.filter(username="hongdan").first()
    doc = (
        IssuedDocument.objects.filter(agency__name=HONG_DAN, source_type__model="report", signed_pdf="")
        .order_by("pk")
        .first()
    )
    already = IssuedDocument.objects.filter(agency__name=HONG_DAN).exclude(signed_pdf="").exists()
    if officer is None or doc is None or already:
        return
    try:
        document_sign(document=doc, passphrase=DEMO_PASSPHRASE, by=officer)
    except SigningError:  # no demo certificate (the demo CA was not loaded): the document stays unsigned
        pass


def _cv_1047() -> Document:
    cv, _ = Document.objects.get_or_create(
        slug=CV_1047_SLUG,
        defaults={
            "doc_type": Document.Type.OFFICIAL_LETTER,
            "number": "1047/UBND-KT",
            "issuer": PROVINCE_PC,
            "signer": "KT. Chủ tịch - Phó Chủ tịch UBND tỉnh",
            "issue_date": date(2022, 4, 6),
            "effective_date": date(2022, 4, 6),
            "field": "Kinh tế tập thể",
            "summary": CV_1047_SUMMARY,
        },
    )
    if "tháo gỡ khó khăn" not in cv.summary:  # another loader made it first with a shorter summary
        cv.summary = CV_1047_SUMMARY
        cv.save()
    placeholder = cv.files.filter(size=len(PLACEHOLDER_PDF)).first()
    if placeholder is not None and _read(placeholder.file) == PLACEHOLDER_PDF:  # a demo loaded before the letter
        old = placeholder.file.name
        placeholder.file.save(CV_1047_FILE.name, ContentFile(CV_1047_FILE.read_bytes()), save=False)
        placeholder.size = 0  # recomputed from the new file on save
        placeholder.save()
        placeholder.file.storage.delete(old)
    _attach(cv, CV_1047_FILE, CV_1047_NAME, signed_by=PROVINCIAL_PC)
    return cv


def _read(field) -> bytes:
    """The file's bytes; none when the row's file is missing from storage (a database restored without its files)."""
    try:
        with field.open("rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _attach(document: Document, path, name: str, signed_by: str = "") -> None:
    """`path` (a committed demo file) as `document`'s file, once; with `signed_by`, as that agency signed it with its
    demo certificate (portal.democa), so the file's signature check has a valid signature to show."""
    if document.files.exists():
        return
    data = path.read_bytes()
    agency = Agency.objects.filter(name=signed_by).first() if signed_by else None
    if agency is not None and agency.signing_certificates.filter(is_active=True).exists():
        signature = {"on_behalf": "", "deputy_of": "", "title": "PHÓ CHỦ TỊCH", "name": ""}
        data = pdf_sign(pdf=data, agency=agency, passphrase=DEMO_PASSPHRASE, signature=signature, place="Bạc Liêu")
    item = DocumentFile(document=document, original_name=name)
    item.file.save(path.name, ContentFile(data), save=False)
    item.save()


def _tasks(cv, agencies, districts) -> dict[int, Task]:
    tasks = {}
    for order, text, lead, supporting, deadline, cycle, public in TASKS_1047:
        task, _ = Task.objects.get_or_create(
            document=cv,
            order=order,
            defaults={
                "text": text,
                "lead_agency": agencies[lead],
                "deadline": deadline,
                "cycle": cycle,
                "progress_public": public,
            },
        )
        services.task_assign(task=task, agencies=[agencies[name] for name in supporting] + districts)
        tasks[order] = task
    for name, done in TASK2_DONE.items():
        TaskAssignment.objects.filter(task=tasks[2], agency=agencies[name], completed_on__isnull=True).update(
            completed_on=done, status_changed_on=done, progress_note="Đã rà soát, hướng dẫn các HTX tổ chức đại hội."
        )
    TaskAssignment.objects.filter(
        task=tasks[3], agency=agencies["Ủy ban nhân dân Huyện Đông Hải"], extended_deadline__isnull=True
    ).update(
        extended_deadline=date(2023, 3, 31),
        extension_reason="Chờ lớp bồi dưỡng của Liên minh HTX tỉnh quý I/2023.",
        status_changed_on=date(2022, 12, 20),
    )
    return tasks


# Days from each still-open 2022 assignment's due date to the day its unit reported it done, in turn: some came
# in before the deadline, most after it, the last in spring 2023.
CLOSING_OFFSETS = (-9, 14, -2, 37, 61, 5, 88, 23)
CLOSING_NOTE = "Đã hoàn thành; kết quả báo cáo bằng văn bản gửi Liên minh HTX tỉnh."


def _close_2022(tasks) -> None:
    """The tasks of Công văn 1047 that had a deadline in 2022 were all carried out by spring 2023, some late: the
    demo's 2022 is history, overdue only on the days it really was (scorecard or task list on a date in 2022). The
    recurring tasks (no deadline) go on. Staff confirmed these completions (a completion typed by staff stays,
    directives.services.assignment_sync_reports): for task 3 that includes the units whose report was returned or
    never reviewed, which the demo keeps in those states to show the review loop."""
    open_items = (
        TaskAssignment.objects.filter(task__in=tasks.values(), task__deadline__year=2022, completed_on__isnull=True)
        .select_related("task")
        .order_by("task__order", "agency__name")
    )
    for index, item in enumerate(open_items):
        done = item.due_date + timedelta(days=CLOSING_OFFSETS[index % len(CLOSING_OFFSETS)])
        item.completed_on = item.status_changed_on = done
        item.progress_note = item.progress_note or CLOSING_NOTE
        item._change_reason = "Liên minh HTX tỉnh xác nhận hoàn thành"
        item.save()


def _h1_request(agencies, districts, staff) -> None:
    request, created = ReportRequest.objects.get_or_create(
        title=H1_TITLE,
        defaults={
            "kind": ReportRequest.Kind.SEMIANNUAL,
            "period_start": date(2022, 1, 1),
            "period_end": date(2022, 6, 30),
            "deadline": date(2022, 7, 15),
            "sections": SECTIONS,
            "indicator_codes": SEMIANNUAL_DEFAULT,
            "instructions": "Thực hiện theo Công văn 86/LMHTX-KH ngày 10/6/2022 của Liên minh HTX tỉnh.",
        },
    )
    if not created:
        return
    request.agencies.set(districts)
    for name, (state, sent_on) in H1_STATES.items():
        agency = agencies[name]
        officer = agency.officers.first() or staff
        report = services.report_get_or_create(request=request, agency=agency)
        figures = dict(zip(SEMIANNUAL_DEFAULT, DEMO_FIGURES[name], strict=True))
        for code, number in figures.items():
            value = Decimal(number) * (1_000_000 if code in MONEY_CODES else 1)
            ReportValue.objects.filter(report=report, code=code).update(value=value)
        report.narrative = NARRATIVE
        report.state = state
        report.updated_by = officer
        if sent_on:
            report.first_submitted_at = report.submitted_at = _at(sent_on)
        log = []
        if sent_on:
            log.append(("submit", "draft", "submitted", officer, _at(sent_on), ""))
        if state == "accepted":
            log.append(("accept", "submitted", "accepted", staff, _at(sent_on, 15), "Số liệu khớp sổ đăng ký."))
        if state == "returned":
            comment = "Số thành viên chưa khớp sổ đăng ký; đề nghị rà soát lại và bổ sung phần khó khăn, vướng mắc."
            log.append(("return", "submitted", "returned", staff, _at(date(2022, 7, 18)), comment))
            report.last_comment = comment
        report.save()
        ReportTransition.objects.bulk_create(
            ReportTransition(report=report, action=a, from_state=f, to_state=t, by=by, at=at, comment=c)
            for a, f, t, by, at, c in log
        )


COMMUNE_TITLE = "Báo cáo kinh tế tập thể năm 2026 của UBND cấp xã"


def _commune_request() -> None:
    """Today's tier: the year's report asked of every commune committee in force (in the demo, Xã Ninh Quới's), due
    in December 2026; its figures are prefilled from the cooperatives of the commune and of those merged into it."""
    request, created = ReportRequest.objects.get_or_create(
        title=COMMUNE_TITLE,
        defaults={
            "kind": ReportRequest.Kind.ANNUAL,
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 12, 31),
            "deadline": date(2026, 12, 15),
            "sections": SECTIONS,
            "indicator_codes": SEMIANNUAL_DEFAULT,
            "instructions": "Số liệu tính theo địa giới hiện nay: gồm các HTX, THT đăng ký ở các xã cũ đã sáp nhập "
            "vào xã, phường.",
        },
    )
    if created:
        request.agencies.set(Agency.objects.filter(kind=Agency.Kind.COMMUNE_PC, is_active=True))
    _commune_h1_report()


COMMUNE_H1_TITLE = "Báo cáo kinh tế tập thể 6 tháng đầu năm 2026 của UBND cấp xã"
COMMUNE_H1_NARRATIVE = {
    "Kết quả đạt được": "Sau sắp xếp đơn vị hành chính, xã đã tiếp nhận hồ sơ các HTX, THT của các xã cũ sáp nhập; "
    "phối hợp Liên minh HTX tỉnh hướng dẫn các HTX tổ chức Đại hội thành viên thường niên năm 2026.",
    "Khó khăn, vướng mắc": "Địa chỉ trên giấy chứng nhận đăng ký của nhiều HTX còn ghi tên xã, huyện cũ.",
    "Đề xuất, kiến nghị": "Đề nghị hướng dẫn HTX cập nhật địa chỉ theo địa giới hành chính mới.",
}


# What the commune typed where the registry has no figure (money in million đồng).
COMMUNE_H1_FIGURES = {"members": 215, "workers": 64, "revenue": 5_600, "profit": 310, "boards_trained": 2}


def _commune_h1_report() -> None:
    """The half-year report of 2026 that Xã Ninh Quới's committee sent on time and the alliance accepted: today's
    tier has reports on record, its figures prefilled from the registry on today's map."""
    request, created = ReportRequest.objects.get_or_create(
        title=COMMUNE_H1_TITLE,
        defaults={
            "kind": ReportRequest.Kind.SEMIANNUAL,
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 6, 30),
            "deadline": date(2026, 7, 15),
            "sections": SECTIONS,
            "indicator_codes": SEMIANNUAL_DEFAULT,
        },
    )
    staff = User.objects.filter(username="lienminh").first()
    if not created or staff is None:
        return
    communes = list(Agency.objects.filter(kind=Agency.Kind.COMMUNE_PC, is_active=True))
    request.agencies.set(communes)
    for agency in communes:
        officer = agency.officers.order_by("username").first()
        if officer is None:
            continue
        report = services.report_get_or_create(request=request, agency=agency)
        for value in report.values.all():
            typed = Decimal(COMMUNE_H1_FIGURES.get(value.code, 0))
            typed *= 1_000_000 if value.code in MONEY_CODES else 1
            value.value = value.prefilled if value.prefilled is not None else typed
            value.save(update_fields=["value"])
        report.narrative = COMMUNE_H1_NARRATIVE
        report.state = Report.State.ACCEPTED
        report.updated_by = officer
        sent, accepted = _at(date(2026, 7, 9)), _at(date(2026, 7, 13), 15)
        report.first_submitted_at = report.submitted_at = sent
        report.save()
        ReportTransition.objects.bulk_create(
            [
                ReportTransition(
                    report=report, action="submit", from_state="draft", to_state="submitted", by=officer, at=sent
                ),
                ReportTransition(
                    report=report,
                    action="accept",
                    from_state="submitted",
                    to_state="accepted",
                    by=staff,
                    at=accepted,
                    comment="Số liệu khớp sổ đăng ký theo địa giới hiện nay.",
                ),
            ]
        )


def _task_request(task, agencies, districts, staff) -> None:
    """The report on task 3 tied to the task: accepted reports complete their units' assignments, a returned one
    leaves it open, one waits for review (see TASK3_REPORTS)."""
    request, created = ReportRequest.objects.get_or_create(
        title="Báo cáo kết quả thực hiện nhiệm vụ 3 Công văn 1047/UBND-KT năm 2022",
        defaults={
            "kind": ReportRequest.Kind.TASK,
            "task": task,
            "period_start": date(2022, 4, 6),
            "period_end": date(2022, 11, 30),
            "deadline": date(2022, 12, 10),
            "sections": TASK3_SECTIONS,
            "indicator_codes": ["boards_trained"],
        },
    )
    if not created:
        return
    request.agencies.set([agencies[DEPT_NN], agencies[DEPT_TC], *districts])
    for name, (state, sent_on, reviewed_on, trained) in TASK3_REPORTS.items():
        agency = agencies[name]
        officer = agency.officers.first() or staff
        report = services.report_get_or_create(request=request, agency=agency)
        ReportValue.objects.filter(report=report, code="boards_trained").update(value=trained)
        report.narrative = dict(zip(request.section_list, TASK3_NARRATIVE, strict=True))
        report.state = state
        report.updated_by = officer
        report.first_submitted_at = report.submitted_at = _at(sent_on)
        log = [("submit", "draft", "submitted", officer, _at(sent_on), "")]
        if state == "accepted":
            log.append(("accept", "submitted", "accepted", staff, _at(reviewed_on, 15), "Đạt yêu cầu."))
        if state == "returned":
            comment = "Chưa nêu số HTX đã thực hiện chế độ kế toán theo quy định; đề nghị bổ sung."
            log.append(("return", "submitted", "returned", staff, _at(reviewed_on), comment))
            report.last_comment = comment
        report.save()
        ReportTransition.objects.bulk_create(
            ReportTransition(report=report, action=a, from_state=f, to_state=t, by=by, at=at, comment=c)
            for a, f, t, by, at, c in log
        )
        assignment = TaskAssignment.objects.filter(task=task, agency=agency).first()
        if assignment is not None:
            services.assignment_sync_reports(assignment=assignment)
