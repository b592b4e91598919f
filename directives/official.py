"""The documents the directives app issues, as portal.official drafts: a unit's report to the alliance, the alliance's
summary report to the provincial People's Committee, and the alliance's letters (reminders, returns).

Only building here (no writes): services.py issues them. Everything an officer typed is escaped and laid out as
paragraphs, so no markup of theirs reaches a document; figures are the stored values, formatted 1.500.000.
"""

import re

from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from portal.formatting import group_thousands, vn_date
from portal.models import Agency, IssuedDocument, Signatory
from portal.official import DocumentDraft

from .models import Report, ReportRequest

ARCHIVE = "Lưu: VT"
BODY_MAX_CHARS = 20_000
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]


def roman(n: int) -> str:
    return _ROMAN[n - 1] if 0 < n <= len(_ROMAN) else str(n)


def paragraphs_html(text: str) -> str:
    """Plain text as escaped paragraphs, one per non-empty line."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return format_html_join("", "<p>{}</p>", ((line,) for line in lines))


def alliance() -> Agency | None:
    return Agency.objects.filter(kind=Agency.Kind.ALLIANCE, is_active=True).order_by("pk").first()


def active_signatories(agency: Agency):
    return Signatory.objects.filter(agency=agency, is_active=True).order_by("-is_head", "full_name")


def default_signatory(agency: Agency) -> Signatory | None:
    """The head when there is one, else the first active signatory, else None (the block then has no name)."""
    return active_signatories(agency).first()


NO_SIGNATORY_MESSAGE = (
    "Cơ quan chưa khai báo người ký văn bản: văn bản sẽ chỉ ghi chức vụ người đứng đầu, không có họ tên. "
    "Quản trị viên thêm người ký trong trang quản trị, mục Cơ quan, đơn vị."
)


def letter_code() -> str:
    """The drafting unit in a letter's symbol (VP in 12/LMHTX-VP): the setting, else "VP"."""
    return settings.PORTAL_LETTER_DRAFTING_CODE or "VP"


# --- a unit's report ------------------------------------------------------------------------------------------------


def _indicator_table(report: Report) -> str:
    saved = {v.code: v.value for v in report.values.all()}
    rows = format_html_join(
        "",
        '<tr><td class="num">{}</td><td>{}</td><td>{}</td><td class="num">{}</td></tr>',
        (
            (i, item.label, item.unit, "—" if saved.get(item.code) is None else group_thousands(saved[item.code]))
            for i, item in enumerate(report.request.indicators(), 1)
        ),
    )
    return format_html(
        '<table><thead><tr><th>STT</th><th>Chỉ tiêu</th><th>Đơn vị tính</th><th class="num">Số liệu</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        rows,
    )


def report_body_html(report: Report) -> str:
    """The narrative sections under "I.", "II." ... and, last, the indicator table with the report's own figures."""
    parts = []
    sections = report.narrative_sections()
    for i, (heading, text) in enumerate(sections, 1):
        parts.append(format_html("<p><strong>{}. {}</strong></p>", roman(i), heading))
        parts.append(paragraphs_html(text) or format_html("<p>{}</p>", "(Không có nội dung.)"))
    if report.request.indicator_codes:
        parts.append(format_html("<p><strong>{}. {}</strong></p>", roman(len(sections) + 1), "Số liệu các chỉ tiêu"))
        parts.append(_indicator_table(report))
    return "".join(parts)


def report_draft(report: Report, signatory: Signatory | None) -> DocumentDraft:
    home = alliance()
    return DocumentDraft(
        agency=report.agency,
        kind=IssuedDocument.Kind.REPORT,
        subject=report.request.title,
        body_html=report_body_html(report),
        recipients=[home.name if home else "Liên minh Hợp tác xã tỉnh", ARCHIVE],
        signatory=signatory,
    )


# --- the alliance's summary report ----------------------------------------------------------------------------------


def summary_body_html(summary, intro: str = "") -> str:
    """Completeness, timeliness and the sums of accepted reports per unit and for the province: the figures of
    selectors.request_summary, as the summary page and its spreadsheet show them."""
    request = summary.request
    parts = [paragraphs_html(intro)]
    parts.append(format_html("<p><strong>{}</strong></p>", "I. Tình hình gửi báo cáo"))
    parts.append(
        format_html(
            "<p>Kỳ báo cáo từ ngày {} đến ngày {}, hạn gửi ngày {}. Số đơn vị được yêu cầu báo cáo: {}; đã gửi: {} "
            "(tỷ lệ đầy đủ {}%); gửi đúng hạn: {} (tỷ lệ đúng hạn {}%).</p>",
            vn_date(request.period_start),
            vn_date(request.period_end),
            vn_date(request.deadline),
            summary.asked,
            summary.submitted,
            group_thousands(summary.completeness, 1),
            summary.on_time,
            group_thousands(summary.timeliness, 1),
        )
    )
    if summary.indicators:
        parts.append(format_html("<p><strong>{}</strong></p>", "II. Tổng hợp chỉ tiêu của các báo cáo đã chấp nhận"))
        head = format_html_join("", '<th class="num">{}</th>', ((unit,) for unit in summary.units))
        rows = format_html_join(
            "",
            '<tr><td>{} ({})</td>{}<td class="num"><strong>{}</strong></td></tr>',
            (
                (
                    item.label,
                    item.unit,
                    format_html_join("", '<td class="num">{}</td>', ((_figure(v),) for v in per_unit)),
                    _figure(total),
                )
                for item, per_unit, total in summary.table
            ),
        )
        # More than three units' columns do not fit A4 at the body's size: the table is set smaller (official.css).
        table = '<table class="wide">' if len(summary.units) > 3 else "<table>"
        parts.append(
            format_html(
                '{}<thead><tr><th>Chỉ tiêu</th>{}<th class="num">Toàn tỉnh</th></tr></thead><tbody>{}</tbody></table>',
                mark_safe(table),  # noqa: S308 - one of the two literals above
                head,
                rows,
            )
        )
    return "".join(parts)


def _figure(value) -> str:
    return "—" if value is None or value == "" else group_thousands(value)


def summary_defaults(request: ReportRequest) -> dict:
    return {
        "subject": f"Tổng hợp kết quả {request.title[:1].lower()}{request.title[1:]}",
        "recipients": "UBND tỉnh Bạc Liêu\n" + ARCHIVE,
        "intro": "",
    }


def summary_draft(summary, *, subject, intro, recipients, signatory, agency) -> DocumentDraft:
    return DocumentDraft(
        agency=agency,
        kind=IssuedDocument.Kind.REPORT,
        subject=subject,
        body_html=summary_body_html(summary, intro),
        recipients=recipients,
        signatory=signatory,
    )


# --- the alliance's letters -----------------------------------------------------------------------------------------


def reminder_defaults(request: ReportRequest, late) -> dict:
    return {
        # The form prints "V/v" before a letter's subject.
        "subject": f"đôn đốc gửi {request.title[:1].lower()}{request.title[1:]}",
        "addressees": [a.pk for a in late],
        "body": (
            f"Liên minh Hợp tác xã tỉnh đã đề nghị các cơ quan, đơn vị gửi {request.title[:1].lower()}"
            f"{request.title[1:]} (kỳ báo cáo từ ngày {vn_date(request.period_start)} đến ngày "
            f"{vn_date(request.period_end)}), hạn gửi ngày {vn_date(request.deadline)}.\n"
            "Đến nay, Liên minh Hợp tác xã tỉnh chưa nhận được báo cáo của quý cơ quan, đơn vị. Đề nghị quý cơ quan, "
            "đơn vị khẩn trương hoàn thành và gửi báo cáo qua Cổng thông tin của Liên minh Hợp tác xã tỉnh.\n"
            "Liên minh Hợp tác xã tỉnh đề nghị quý cơ quan, đơn vị quan tâm thực hiện."
        ),
    }


def return_letter_body(report: Report, comment: str) -> str:
    return (
        f"Liên minh Hợp tác xã tỉnh đã nhận {report.request.title[:1].lower()}{report.request.title[1:]} của "
        f"{report.agency.name}. Qua xem xét, Liên minh Hợp tác xã tỉnh trả lại báo cáo để đơn vị chỉnh sửa, bổ sung "
        "theo các ý kiến sau:\n"
        f"{comment}\n"
        "Đề nghị đơn vị hoàn chỉnh và gửi lại báo cáo qua Cổng thông tin của Liên minh Hợp tác xã tỉnh."
    )


def letter_subject(subject: str) -> str:
    """The subject without a "V/v" typed before it: the form prints its own."""
    return _VV.sub("", subject.strip()).strip()


_VV = re.compile(r"^v/v[\s.:]*", re.IGNORECASE)


def letter_draft(*, agency, subject, body, addressees, signatory, drafting_code) -> DocumentDraft:
    """A công văn of `agency` to `addressees` (agencies): "Kính gửi" their names, "Nơi nhận" "Như trên" and the
    archive."""
    return DocumentDraft(
        agency=agency,
        kind=IssuedDocument.Kind.LETTER,
        subject=letter_subject(subject),
        body_html=paragraphs_html(body),
        addressees=[a.name for a in addressees],
        recipients=["Như trên", ARCHIVE + (f", {drafting_code}" if drafting_code else "")],
        signatory=signatory,
        drafting_code=drafting_code,
    )
