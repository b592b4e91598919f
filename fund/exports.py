"""xlsx export of the portfolio report, with Vietnamese headers and one sheet per table."""

from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.exports import safe_row

from .reports import GROUP_NAMES, Portfolio

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(book, title, headers, rows):
    sheet = book.create_sheet(title)
    sheet.append(safe_row(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(12, min(50, len(str(column[0].value)) + 4))
    return sheet


def _totals(totals):
    return [(t.label, t.loans, t.outstanding, t.disbursed_in_period, t.overdue) for t in totals]


def portfolio_xlsx(report: Portfolio) -> HttpResponse:
    book = Workbook()
    book.remove(book.active)
    heads = ["", "Số khoản vay có dư nợ", "Dư nợ gốc (đồng)", "Giải ngân trong kỳ (đồng)", "Gốc quá hạn (đồng)"]
    summary = _sheet(
        book,
        "Tổng hợp",
        ["Chỉ tiêu", "Giá trị"],
        [
            ("Số liệu đến ngày", report.on.strftime("%d/%m/%Y")),
            ("Giải ngân từ ngày", report.start.strftime("%d/%m/%Y")),
            ("Tổng dư nợ gốc (đồng)", report.total.outstanding),
            ("PAR30 (%)", report.par30),
            ("Dự phòng rủi ro (đồng)", report.provision),
            ("Kế hoạch giải ngân năm (đồng)", report.plan or ""),
            ("Đã giải ngân trong năm (đồng)", report.disbursed_in_year),
            ("Tỷ lệ thực hiện kế hoạch (%)", report.plan_pct or ""),
        ],
    )
    summary.column_dimensions["A"].width = 36
    _sheet(book, "Theo địa bàn", ["Địa bàn"] + heads[1:], _totals(report.by_unit))
    _sheet(book, "Theo lĩnh vực", ["Lĩnh vực"] + heads[1:], _totals(report.by_sector))
    _sheet(book, "Theo sản phẩm", ["Sản phẩm"] + heads[1:], _totals(report.by_product))
    _sheet(book, "Tuổi nợ", ["Số ngày quá hạn"] + heads[1:], _totals(report.ageing))
    _sheet(book, "Nhóm nợ", ["Nhóm nợ"] + heads[1:], _totals(report.groups))
    _sheet(
        book,
        "Nợ quá hạn",
        [
            "Số hồ sơ",
            "Bên vay",
            "Địa bàn",
            "Sản phẩm",
            "Dư nợ gốc",
            "Gốc quá hạn",
            "Lãi chưa trả",
            "Lãi quá hạn",
            "Số ngày quá hạn",
            "Nhóm nợ",
        ],
        [
            (
                x.loan.code,
                x.loan.borrower_name,
                x.district.name,
                x.loan.product.name,
                x.outstanding_principal,
                x.overdue_principal,
                x.overdue_interest,
                x.penalty_due,
                x.days_past_due,
                f"{x.debt_group} - {GROUP_NAMES[x.debt_group]}",
            )
            for x in report.overdue
        ],
    )
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-quy-{report.on:%Y%m%d}.xlsx"'
    return response
