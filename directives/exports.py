"""The province's summary of a report request as an xlsx workbook (openpyxl)."""

import io

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.exports import safe_row
from portal.formatting import vn_date

from .scorecard import FLAT_HEADERS, flat

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def summary_workbook(summary) -> bytes:
    request = summary.request
    book = Workbook()
    sheet = book.active
    sheet.title = "Tình hình nộp"
    sheet.append(safe_row([request.title]))
    sheet["A1"].font = Font(bold=True, size=13)
    period = f"{vn_date(request.period_start)} - {vn_date(request.period_end)}"
    sheet.append(safe_row([f"Kỳ báo cáo: {period}; hạn nộp {vn_date(request.deadline)}"]))
    sheet.append(safe_row([f"Tỷ lệ đầy đủ: {summary.completeness}%", f"Tỷ lệ đúng hạn: {summary.timeliness}%"]))
    sheet.append([])
    sheet.append(safe_row(["Cơ quan, đơn vị", "Trạng thái", "Gửi lần đầu"]))
    for cell in summary.cells:
        sent = cell.report.first_submitted_at if cell.report else None
        sheet.append(safe_row([cell.agency.name, cell.label, vn_date(sent) if sent else ""]))
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 28

    values = book.create_sheet("Chỉ tiêu")
    values.append(safe_row(["Chỉ tiêu", "Đơn vị tính", *[unit for unit, _ in summary.unit_rows], "Toàn tỉnh"]))
    for item in summary.indicators:
        row = [item.label, item.unit]
        row += [int(sums[item.code]) if sums.get(item.code) is not None else None for _, sums in summary.unit_rows]
        total = summary.province.get(item.code)
        row.append(int(total) if total is not None else None)
        values.append(safe_row(row))
    values.column_dimensions["A"].width = 48
    for cells in values.iter_rows(min_row=2, min_col=3):
        for cell in cells:
            cell.number_format = "#,##0"
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def summary_xlsx_response(summary) -> HttpResponse:
    response = HttpResponse(summary_workbook(summary), content_type=XLSX)
    name = slugify(summary.request.title) or "tong-hop"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def scorecard_workbook(card) -> bytes:
    """The district scorecard: numbers stay numbers, text goes through safe_row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Chỉ số theo địa bàn"
    sheet.append(safe_row([f"Bảng chỉ số theo địa bàn tính đến ngày {vn_date(card.on)}, {card.map_label}"]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(safe_row(FLAT_HEADERS))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in [*card.rows, card.total]:
        sheet.append(safe_row(flat(row)))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    for cells in sheet.iter_rows(min_row=4, min_col=2, max_col=len(FLAT_HEADERS) - 2):
        for cell in cells:
            cell.number_format = "#,##0"
    for (cell,) in sheet.iter_rows(min_row=4, min_col=len(FLAT_HEADERS) - 1, max_col=len(FLAT_HEADERS) - 1):
        cell.number_format = "0.0"
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def scorecard_xlsx_response(card) -> HttpResponse:
    response = HttpResponse(scorecard_workbook(card), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="chi-so-dia-ban-{card.on:%Y-%m-%d}.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
