"""Import of the existing loan book from one xlsx workbook, all or nothing, listing every bad row.

Sheets (found by name, case and diacritics aside; headers as in `SHEETS` or a synonym, under any title rows; read by
portal.spreadsheets, so rows keep the sheet's own numbers and text cells are normalised):
- "Khoản vay": one loan a row, borrower by the registry code of its cooperative (and, for a member, name and ID).
- "Giải ngân": past disbursements. - "Trả nợ": past repayments.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from openpyxl import Workbook

from cooperatives.models import Cooperative
from portal.exports import safe_row
from portal.spreadsheets import OFFICE_EXTRAS, Columns, cell_date, cell_text, header_key, read_xlsx, table

from .forms import parse_money
from .models import Disbursement, Loan, LoanEvent, LoanProduct, MemberBorrower, Payment

LOANS = "Khoản vay"
DISBURSEMENTS = "Giải ngân"
PAYMENTS = "Trả nợ"
SHEETS = {
    LOANS: [
        "Số hồ sơ",
        "Mã số đăng ký HTX",
        "Họ tên thành viên vay",
        "Số CCCD thành viên",
        "Mã sản phẩm",
        "Tên dự án",
        "Tổng vốn dự án",
        "Vốn đối ứng",
        "Số tiền vay",
        "Thời hạn (tháng)",
        "Lãi suất (%/năm)",
        "Ngày phê duyệt",
        "Số hợp đồng",
        "Ngày ký hợp đồng",
    ],
    DISBURSEMENTS: ["Số hồ sơ", "Ngày giải ngân", "Số tiền"],
    PAYMENTS: ["Số hồ sơ", "Ngày trả", "Số tiền"],
}
# Other names a fund's own loan book gives these columns (compared folded: case, diacritics and spacing aside).
SYNONYMS = {
    "Số hồ sơ": ("Mã hồ sơ", "Số HS", "Mã khoản vay"),
    "Mã số đăng ký HTX": ("Mã số HTX", "Mã HTX", "Mã số đăng ký", "Mã số thuế HTX"),
    "Họ tên thành viên vay": ("Thành viên vay", "Họ và tên thành viên vay"),
    "Số CCCD thành viên": ("Số CCCD", "CCCD", "Số căn cước", "Số CMND/CCCD"),
    "Mã sản phẩm": ("Sản phẩm", "Mã sản phẩm vay"),
    "Tên dự án": ("Dự án", "Tên dự án/phương án"),
    "Tổng vốn dự án": ("Tổng vốn", "Tổng vốn đầu tư"),
    "Vốn đối ứng": ("Vốn tự có",),
    "Số tiền vay": ("Số tiền cho vay", "Số tiền được vay"),
    "Thời hạn (tháng)": ("Thời hạn", "Thời hạn vay (tháng)", "Thời hạn vay"),
    "Lãi suất (%/năm)": ("Lãi suất", "Lãi suất (%)", "Lãi suất năm"),
    "Ngày phê duyệt": ("Ngày duyệt",),
    "Số hợp đồng": ("Số HĐ", "Hợp đồng số", "Số hợp đồng tín dụng"),
    "Ngày ký hợp đồng": ("Ngày ký HĐ", "Ngày hợp đồng"),
    "Ngày giải ngân": ("Ngày GN",),
    "Ngày trả": ("Ngày trả nợ", "Ngày thu nợ"),
    "Số tiền": ("Số tiền giải ngân", "Số tiền trả", "Số tiền trả nợ"),
}


DATABASE_ERROR = (
    "Cơ sở dữ liệu từ chối ghi một dòng (có thể do trùng dữ liệu hoặc mất kết nối) nên không có dữ liệu nào được ghi. "
    "Hãy kiểm tra tệp rồi thử lại; nếu lỗi lặp lại, báo quản trị hệ thống."
)


class ImportRejected(Exception):
    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} lỗi")
        self.errors = errors


@dataclass
class Parsed:
    loans: list[dict] = field(default_factory=list)
    disbursements: list[tuple[str, date, Decimal, int]] = field(default_factory=list)
    payments: list[tuple[str, date, Decimal, int]] = field(default_factory=list)


def template_bytes() -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, headers in SHEETS.items():
        book.create_sheet(name).append(safe_row(headers))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(sheets, name, errors, sheet_errors):
    """The rows of sheet `name` as (sheet row number, values by canonical header); a row refused while reading (a
    control character, a formula without a value) goes to `errors` instead."""
    found = next((sheet for sheet in sheets if header_key(sheet) == header_key(name)), None)
    if found is None:
        sheet_errors.append(f"Thiếu trang tính “{name}”.")
        return []
    columns = Columns(
        {h: SYNONYMS.get(h, ()) for h in SHEETS[name]}, required=tuple(SHEETS[name]), ignored=OFFICE_EXTRAS
    )
    read = table(sheets[found], columns, sheet=name)
    if read.errors:
        sheet_errors.extend(read.errors)
        return []
    rows = []
    for row in read.rows:
        if row.problems:
            errors.append(f"{name}, dòng {row.number}: {' '.join(row.problems)}")
        else:
            rows.append((row.number, row.values))
    return rows


def parse(upload, errors: list[str]) -> Parsed:
    try:
        upload.seek(0)
        book = read_xlsx(upload.read())
    except Exception:  # noqa: BLE001 - any unreadable file is the user's bad input, answered in words
        errors.append("Không đọc được tệp Excel.")
        return Parsed()
    parsed = Parsed()
    codes = set()
    sheet_errors = []
    sheets = {name: _rows(book, name, errors, sheet_errors) for name in SHEETS}
    if sheet_errors:  # a sheet without its header or with an unknown column: its rows mean nothing yet
        errors[:0] = sheet_errors
        return parsed
    for number, row in sheets[LOANS]:
        where = f"{LOANS}, dòng {number}"
        try:
            item = {
                "row": where,
                "code": cell_text(row["Số hồ sơ"]),
                "registration_code": cell_text(row["Mã số đăng ký HTX"]),
                "member_name": cell_text(row["Họ tên thành viên vay"]),
                "member_id": cell_text(row["Số CCCD thành viên"]),
                "product": cell_text(row["Mã sản phẩm"]),
                "project": cell_text(row["Tên dự án"]),
                "total_cost": parse_money(row["Tổng vốn dự án"]),
                "own": parse_money(row["Vốn đối ứng"]),
                "amount": parse_money(row["Số tiền vay"]),
                "term": int(row["Thời hạn (tháng)"]),
                "rate": Decimal(str(row["Lãi suất (%/năm)"]).replace(",", ".")),
                "approved_on": cell_date(row["Ngày phê duyệt"]),
                "contract": cell_text(row["Số hợp đồng"]),
                "signed_on": cell_date(row["Ngày ký hợp đồng"]),
            }
        except (InvalidOperation, ValueError, TypeError):
            errors.append(f"{where}: số tiền, thời hạn, lãi suất hoặc ngày (dd/mm/yyyy) không hợp lệ.")
            continue
        if not item["code"] or not item["project"] or not item["contract"]:
            errors.append(f"{where}: thiếu số hồ sơ, tên dự án hoặc số hợp đồng.")
            continue
        if item["code"] in codes:
            errors.append(f"{where}: số hồ sơ {item['code']} bị trùng trong tệp.")
            continue
        codes.add(item["code"])
        parsed.loans.append(item)
    for sheet, target in ((DISBURSEMENTS, parsed.disbursements), (PAYMENTS, parsed.payments)):
        date_header = SHEETS[sheet][1]
        for number, row in sheets[sheet]:
            where = f"{sheet}, dòng {number}"
            try:
                target.append(
                    (cell_text(row["Số hồ sơ"]), cell_date(row[date_header]), parse_money(row["Số tiền"]), number)
                )
            except (InvalidOperation, ValueError, TypeError):
                errors.append(f"{where}: ngày (dd/mm/yyyy) hoặc số tiền không hợp lệ.")
    return parsed


def import_loan_book(*, upload, by) -> list[Loan]:
    """Create the loans with their disbursements and repayments; nothing at all if any row is wrong."""
    errors: list[str] = []
    parsed = parse(upload, errors)
    try:
        with transaction.atomic():
            created = _create(parsed, by, errors)
            if errors:
                transaction.set_rollback(True)
    except DatabaseError as exc:  # a constraint or a lost connection mid-way: the atomic block rolled it all back
        raise ImportRejected([DATABASE_ERROR]) from exc
    if errors:
        raise ImportRejected(errors)
    return created


def _create(parsed: Parsed, by, errors: list[str]) -> list[Loan]:
    products = {p.code: p for p in LoanProduct.objects.all()}
    coops = {
        c.registration_code: c
        for c in Cooperative.objects.filter(registration_code__in=[i["registration_code"] for i in parsed.loans])
    }
    existing = set(Loan.objects.filter(code__in=[i["code"] for i in parsed.loans]).values_list("code", flat=True))
    loans: dict[str, Loan] = {}
    for item in parsed.loans:
        where = item["row"]
        coop, product = coops.get(item["registration_code"]), products.get(item["product"])
        problems = []
        if item["code"] in existing:
            problems.append(f"số hồ sơ {item['code']} đã có")
        if coop is None:
            problems.append(f"không có HTX mã {item['registration_code'] or '(trống)'} trong sổ đăng ký")
        if product is None:
            problems.append(f"không có sản phẩm mã {item['product'] or '(trống)'}")
        if item["own"] > item["total_cost"]:
            problems.append("vốn đối ứng lớn hơn tổng vốn")
        if item["signed_on"] < item["approved_on"]:
            problems.append("ngày ký hợp đồng trước ngày phê duyệt")
        if product and not (0 < item["term"] <= product.max_term_months):
            problems.append(f"thời hạn phải từ 1 đến {product.max_term_months} tháng")
        if bool(item["member_name"]) != bool(item["member_id"]):
            problems.append("thành viên vay cần cả họ tên và số CCCD")
        if problems:
            errors.append(f"{where}: {'; '.join(problems)}.")
            continue
        member = None
        if item["member_id"]:
            member = MemberBorrower.objects.filter(id_number=item["member_id"]).first()
            if member and member.cooperative_id != coop.pk:
                errors.append(f"{where}: số CCCD đã ghi là thành viên của HTX khác.")
                continue
            if member is None:
                member = MemberBorrower(cooperative=coop, full_name=item["member_name"], id_number=item["member_id"])
                try:
                    member.full_clean()
                except ValidationError:
                    errors.append(f"{where}: số CCCD phải gồm 12 (hoặc 9) chữ số.")
                    continue
                member.save()
        loan = Loan(
            code=item["code"],
            product=product,
            cooperative=coop,
            member=member,
            project_name=item["project"],
            purpose=item["project"],
            total_cost=item["total_cost"],
            own_contribution=item["own"],
            requested_amount=item["amount"],
            requested_term_months=item["term"],
            received_on=item["approved_on"],
            status=Loan.Status.CONTRACTED,
            approved_amount=item["amount"],
            approved_term_months=item["term"],
            approved_rate=item["rate"],
            frequency=product.frequency,
            amortization=product.amortization,
            rate_method=product.rate_method,
            day_count=product.day_count,
            grace_months=min(product.grace_months, item["term"] - 1),
            overdue_multiplier=product.overdue_multiplier_on(item["approved_on"]),
            approved_by=by,
            approved_on=item["approved_on"],
            contract_number=item["contract"],
            contract_signed_on=item["signed_on"],
        )
        try:
            loan.full_clean()
        except ValidationError as exc:
            errors.append(f"{where}: {' '.join(exc.messages)}")
            continue
        loan.save()
        LoanEvent.objects.create(
            loan=loan, to_status=loan.status, on=item["signed_on"], by=by, note="Nhập từ sổ cho vay hiện có"
        )
        loans[loan.code] = loan
    _attach(parsed, loans, {i["code"] for i in parsed.loans}, by, errors)
    return list(loans.values())


def _attach(parsed: Parsed, loans: dict[str, Loan], listed: set[str], by, errors: list[str]) -> None:
    for sheet, rows in ((DISBURSEMENTS, parsed.disbursements), (PAYMENTS, parsed.payments)):
        for code, on, amount, number in rows:
            where = f"{sheet}, dòng {number}"
            loan = loans.get(code)
            if loan is None:
                if code not in listed:
                    errors.append(f"{where}: số hồ sơ {code or '(trống)'} không có trong trang “{LOANS}”.")
                continue
            if amount <= 0:
                errors.append(f"{where}: số tiền phải lớn hơn 0.")
                continue
            if sheet == DISBURSEMENTS:
                if on < loan.contract_signed_on:
                    errors.append(f"{where}: ngày giải ngân trước ngày ký hợp đồng.")
                    continue
                Disbursement.objects.create(loan=loan, disbursed_on=on, amount=amount, by=by, note="Nhập từ sổ")
            else:
                Payment.objects.create(loan=loan, paid_on=on, amount=amount, by=by, note="Nhập từ sổ")
    today = timezone.localdate()
    for loan in loans.values():
        loan = Loan.objects.with_events().get(pk=loan.pk)
        disbursed = loan.disbursed_total()
        tranches = list(loan.disbursements.all())
        if disbursed > loan.approved_amount:
            errors.append(f"Khoản vay {loan.code}: tổng giải ngân vượt số tiền vay.")
            continue
        first = tranches[0].disbursed_on if tranches else date.max
        if any(p.paid_on < first for p in loan.payments.all()):
            errors.append(f"Khoản vay {loan.code}: có khoản trả trước ngày giải ngân đầu tiên.")
            continue
        try:
            state = loan.state(today)
        except ValueError:
            errors.append(f"Khoản vay {loan.code}: có lần giải ngân sau ngày đáo hạn.")
            continue
        if state.unallocated > 0:
            errors.append(f"Khoản vay {loan.code}: số tiền đã trả vượt quá số phải trả.")
            continue
        if not tranches:
            continue
        status = Loan.Status.REPAYING if disbursed == loan.approved_amount else Loan.Status.DISBURSING
        if status == Loan.Status.REPAYING and state.is_repaid:
            status = Loan.Status.SETTLED
            loan.closed_on = max(p.paid_on for p in loan.payments.all())
        LoanEvent.objects.create(
            loan=loan, from_status=loan.status, to_status=status, on=tranches[0].disbursed_on, by=by, note="Nhập từ sổ"
        )
        loan.status = status
        loan.save(update_fields=["status", "closed_on"])
