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


def _totals(totals, total):
    """The table's rows, then the report's totals: every table of one report ends on the same "Cộng" row."""
    rows = [(t.label, t.loans, t.outstanding, t.disbursed_in_period, t.overdue) for t in totals]
    return rows + [("Cộng", total.loans, total.outstanding, total.disbursed_in_period, total.overdue)]


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
            ("Tổng gốc quá hạn (đồng)", report.total.overdue),
            ("Tỷ lệ dư nợ quá hạn trên 30 ngày (PAR30) (%)", report.par30),
            ("Dự phòng rủi ro (đồng)", report.provision),
            ("Kế hoạch giải ngân năm (đồng)", report.plan or ""),
            ("Đã giải ngân trong năm (đồng)", report.disbursed_in_year),
            ("  trong đó: khoản vay trong bảng (đồng)", report.disbursed_in_year_on_balance),
            ("  trong đó: khoản vay đã xóa nợ, ngoại bảng (đồng)", report.disbursed_in_year_off_balance),
            ("Tỷ lệ thực hiện kế hoạch (%)", report.plan_pct or ""),
            ("Số khoản vay đã xóa nợ, theo dõi ngoại bảng", report.off_balance.loans),
            ("Gốc đã xóa nợ (đồng)", report.off_balance.principal),
            ("Đã thu hồi sau xóa nợ (đồng)", report.off_balance.recovered),
        ],
    )
    summary.column_dimensions["A"].width = 36
    where = "Địa bàn hiện nay" if report.today_map else "Địa bàn"
    _sheet(book, "Theo địa bàn", [where] + heads[1:], _totals(report.by_unit, report.total))
    _sheet(book, "Theo lĩnh vực", ["Lĩnh vực"] + heads[1:], _totals(report.by_sector, report.total))
    _sheet(book, "Theo sản phẩm", ["Sản phẩm"] + heads[1:], _totals(report.by_product, report.total))
    _sheet(book, "Tuổi nợ", ["Số ngày quá hạn"] + heads[1:], _totals(report.ageing, report.total))
    _sheet(book, "Nhóm nợ", ["Nhóm nợ"] + heads[1:], _totals(report.groups, report.total))
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
    off = report.off_balance
    _sheet(
        book,
        "Nợ đã xóa (ngoại bảng)",
        ["Số hồ sơ", "Bên vay", "Địa bàn", "Ngày xóa nợ", "Gốc đã xóa", "Đã thu hồi", "Giải ngân trong kỳ"],
        [
            (
                x.loan.code,
                x.loan.borrower_name,
                x.district.name,
                x.loan.closed_on.strftime("%d/%m/%Y"),
                x.written_off_principal,
                x.recovered,
                x.disbursed_in_period,
            )
            for x in off.lines
        ]
        + [("Cộng", f"{off.loans} khoản vay", "", "", off.principal, off.recovered, off.disbursed_in_period)],
    )
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-quy-{report.on:%Y%m%d}.xlsx"'
    return response
