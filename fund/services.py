"""The fund's rules that span models: eligibility, the loan workflow, disbursement, repayment, restructuring.

Every service is keyword-only, validates, writes in one transaction and records who did it
(`LoanEvent` for each workflow transition). Legal sources: Nghị định 45/2021/NĐ-CP (Điều 23 limits, Điều 24-29
lending), Thông tư 11/2021/TT-NHNN (debt groups), Công văn 1047/UBND-KT (departments take part in appraisal).
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from cooperatives.models import Cooperative, SectorDepartment
from portal.access import user_scope
from portal.agencychanges import Moved
from portal.formatting import money, plain_number
from portal.models import Agency

from . import ledger
from .models import (
    Appraisal,
    Disbursement,
    FundCapital,
    Loan,
    LoanEvent,
    LoanSnapshot,
    MemberBorrower,
    Payment,
    RelatedCooperative,
    Restructuring,
    thresholds_on,
)
from .schedule import due_dates

S = Loan.Status
OPEN_STATUSES = [S.DISBURSING, S.REPAYING]


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    passed: bool
    reason: str


# Selectors -------------------------------------------------------------------------------------------------------


def loan_appraisal_agencies(loan: Loan) -> list[Agency]:
    """Who must appraise the loan (Công văn 1047/UBND-KT, item 4): the People's Committee of the area where the
    borrowing cooperative works (a member borrows where their cooperative is) and the departments its sector names."""
    cooperative = loan.cooperative
    committee = Agency.objects.committee_of(cooperative.unit)
    departments = list(SectorDepartment.departments_for(cooperative.sector))
    return ([committee] if committee else []) + departments


def borrower_loans(loan: Loan):
    """Other loans of the same borrower (the cooperative itself, or the same member)."""
    qs = Loan.objects.exclude(pk=loan.pk)
    if loan.member_id:
        return qs.filter(member_id=loan.member_id)
    return qs.filter(cooperative_id=loan.cooperative_id, member__isnull=True)


def related_cooperative_ids(loan: Loan) -> set[int]:
    """The borrower's cooperative and the cooperatives recorded as related to it."""
    coop_ids = {loan.cooperative_id}
    for a, b in RelatedCooperative.objects.filter(
        Q(cooperative_id=loan.cooperative_id) | Q(related_id=loan.cooperative_id)
    ).values_list("cooperative_id", "related_id"):
        coop_ids |= {a, b}
    return coop_ids


def related_group_loans(loan: Loan):
    """Loans of the borrower and its related persons: its cooperative, cooperatives recorded as related to it,
    and the members of all of them."""
    return Loan.objects.exclude(pk=loan.pk).filter(cooperative_id__in=related_cooperative_ids(loan))


def exposure_of(loans, on: date) -> Decimal:
    """The caps count every commitment: outstanding principal plus the undisbursed rest of every approved,
    contracted or disbursing loan (`Loan.exposure`)."""
    return sum((other.exposure(on) for other in loans.filter(status__in=Loan.COMMITTED).with_events()), Decimal(0))


def _lock_borrowers(loan: Loan) -> None:
    """Hold the rows of the borrower's cooperative and its related cooperatives until the transaction ends, so
    two approvals (contracts, disbursements) for the same group check the caps one after the other, each seeing
    the other's commitment. Always in primary-key order, so two groups never wait on each other in a circle.
    (SQLite has no row locks; its single writer serialises the transactions instead.)"""
    ids = related_cooperative_ids(loan)
    list(Cooperative.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def worst_group(loans, on: date) -> tuple[int, Loan | None]:
    worst, which = 1, None
    for other in loans.filter(status__in=OPEN_STATUSES + [S.WRITTEN_OFF]).with_events():
        group = other.state(on).debt_group
        if group > worst:
            worst, which = group, other
    return worst, which


# Eligibility ------------------------------------------------------------------------------------------------------


def loan_eligibility(*, loan: Loan, on: date) -> list[Check]:
    """The conditions of Nghị định 45/2021/NĐ-CP (Điều 23, 24) for this application, each with its reason."""
    coop: Cooperative = loan.cooperative
    product = loan.product
    amount = loan.amount
    checks = []

    minimum = product.min_own_contribution_pct
    pct = loan.own_contribution_pct
    checks.append(
        Check(
            "own_contribution",
            f"Vốn đối ứng tối thiểu {plain_number(minimum)}% tổng vốn dự án",
            loan.own_contribution * 100 >= minimum * loan.total_cost,
            f"Vốn đối ứng {money(loan.own_contribution)} / tổng vốn {money(loan.total_cost)} = {plain_number(pct)}%.",
        )
    )

    group, bad = worst_group(borrower_loans(loan), on)
    checks.append(
        Check(
            "no_bad_debt",
            "Không có nợ xấu (nhóm 3 - 5)",
            group < 3,
            f"Khoản vay {bad.code} đang ở nhóm {group}." if group >= 3 else "Không có khoản vay nào ở nhóm 3 - 5.",
        )
    )

    checks.append(
        Check(
            "registry_active",
            "Đang hoạt động theo sổ đăng ký",
            coop.status == Cooperative.Status.ACTIVE,
            f"Tình trạng trong sổ đăng ký: {coop.get_status_display()}.",
        )
    )

    overdue = coop.is_annual_congress_overdue(on)
    due = coop.next_annual_congress_due(on)
    checks.append(
        Check(
            "annual_congress",
            "Đại hội thành viên thường niên đúng hạn",
            not overdue,
            f"Hạn đại hội thường niên {due:%d/%m/%Y} đã qua mà chưa tổ chức."
            if overdue
            else "Không có đại hội thường niên nào quá hạn.",
        )
    )

    checks += limit_checks(loan=loan, on=on)
    checks.append(
        Check(
            "product_limits",
            "Trong hạn mức và thời hạn của sản phẩm",
            amount <= product.max_amount
            and (loan.approved_term_months or loan.requested_term_months) <= product.max_term_months
            and _kind_allowed(loan),
            f"Sản phẩm cho vay tối đa {money(product.max_amount)}, {product.max_term_months} tháng; "
            f"đối tượng: {', '.join(product.borrower_kinds_display())}.",
        )
    )
    return checks


def limit_checks(*, loan: Loan, on: date) -> list[Check]:
    """The caps of Nghị định 45/2021/NĐ-CP, Điều 23, as shares of the fund's actual charter capital in force on
    `on`, with the shares in force then (`FundThreshold`): the borrower's exposure, and with its related persons.
    This loan counts for its amount until approved, then for its own exposure (`Loan.exposure`)."""
    rules = thresholds_on(on)
    single_pct, group_pct = rules.single_borrower_cap_pct, rules.related_group_cap_pct
    single_label = f"Dư nợ và cam kết của bên vay tối đa {plain_number(single_pct)}% vốn điều lệ thực có của Quỹ"
    group_label = f"Dư nợ và cam kết cùng người có liên quan tối đa {plain_number(group_pct)}% vốn điều lệ thực có"
    capital = FundCapital.amount_on(on)
    if capital is None:
        return [
            Check("single_limit", single_label, False, "Chưa khai báo vốn điều lệ."),
            Check("group_limit", group_label, False, "Chưa khai báo vốn điều lệ."),
        ]
    this = loan.exposure(on) if loan.status in Loan.COMMITTED else loan.amount
    checks = []
    for code, label, pct, others in (
        ("single_limit", single_label, single_pct, borrower_loans(loan)),
        ("group_limit", group_label, group_pct, related_group_loans(loan)),
    ):
        current = exposure_of(others, on)
        cap = (capital * pct / 100).quantize(Decimal(1))
        who = "bên vay" if code == "single_limit" else "nhóm người có liên quan"
        checks.append(
            Check(
                code,
                label,
                current + this <= cap,
                f"Dư nợ và cam kết hiện có của {who}: {money(current)}; khoản vay này: {money(this)}; "
                f"cộng {money(current + this)} so với giới hạn {plain_number(pct)}% × {money(capital)} = {money(cap)}.",
            )
        )
    return checks


def _require_within_limits(loan: Loan, on: date, step: str) -> None:
    failed = failed_checks(limit_checks(loan=loan, on=on))
    if failed:
        reasons = [f"{c.label}: {c.reason}" for c in failed]
        raise ValidationError([f"Không thể {step}: vượt giới hạn cho vay."] + reasons)


def _kind_allowed(loan: Loan) -> bool:
    product = loan.product
    if loan.member_id:
        return product.for_members
    if loan.cooperative.kind == Cooperative.Kind.UNION:
        return product.for_unions
    if loan.cooperative.kind == Cooperative.Kind.GROUP:
        return False  # a THT has no legal personality; its members borrow in their own name
    return product.for_cooperatives


def failed_checks(checks: list[Check]) -> list[Check]:
    return [c for c in checks if not c.passed]


# Workflow ---------------------------------------------------------------------------------------------------------


def _require_staff(user) -> None:
    if not user.has_perm("fund.change_loan"):
        raise PermissionDenied("Chỉ cán bộ Quỹ được thực hiện thao tác này.")


def _require_status(loan: Loan, *allowed) -> None:
    if loan.status not in allowed:
        raise ValidationError(
            f"Hồ sơ đang ở trạng thái “{loan.get_status_display()}”, không thể thực hiện thao tác này."
        )


def _move(loan: Loan, to: str, *, on: date, by, note: str = "") -> None:
    LoanEvent.objects.create(loan=loan, from_status=loan.status, to_status=to, on=on, by=by, note=note)
    loan.status = to


@transaction.atomic
def loan_receive(*, loan: Loan, by, on: date | None = None) -> Loan:
    """A new application enters the book as received."""
    _require_staff(by)
    if loan.member_id and loan.member.cooperative_id != loan.cooperative_id:
        raise ValidationError("Thành viên vay phải thuộc HTX, THT đã chọn.")
    loan.status = S.RECEIVED
    loan.full_clean()
    loan.save()
    LoanEvent.objects.create(loan=loan, from_status="", to_status=S.RECEIVED, on=on or loan.received_on, by=by)
    return loan


@transaction.atomic
def loan_send_to_appraisal(*, loan: Loan, on: date, by, agencies=None) -> list[Appraisal]:
    """Ask agencies for their appraisal opinion: always those `loan_appraisal_agencies` names (the default), and any
    department or the fund's own unit staff add. Another area's committee has no say on this borrower."""
    _require_staff(by)
    _require_status(loan, S.RECEIVED, S.APPRAISAL)
    required = loan_appraisal_agencies(loan)
    agencies = required if agencies is None else list(agencies)
    if not agencies:
        raise ValidationError("Chọn ít nhất một cơ quan thẩm định.")
    foreign = [a.name for a in agencies if a.is_area_committee and a not in required]
    if foreign:
        raise ValidationError(
            f"{'; '.join(foreign)} không phải Ủy ban nhân dân nơi bên vay hoạt động ({loan.cooperative.unit.name})."
        )
    missing = [a.name for a in required if a not in agencies]
    if missing:
        raise ValidationError("Hồ sơ phải được gửi thẩm định cho: " + "; ".join(missing) + ".")
    made = [Appraisal.objects.get_or_create(loan=loan, agency=a, defaults={"requested_on": on})[0] for a in agencies]
    if loan.status != S.APPRAISAL:
        _move(loan, S.APPRAISAL, on=on, by=by, note="Gửi thẩm định: " + "; ".join(a.name for a in agencies))
        loan.save(update_fields=["status"])
    return made


@transaction.atomic
def appraisal_record(*, appraisal: Appraisal, recommendation: str, opinion: str, by) -> Appraisal:
    """An agency officer records their agency's opinion; who and when are kept."""
    if not user_scope(by).sees_agency(appraisal.agency_id):
        raise PermissionDenied("Ý kiến này không gửi đến cơ quan của bạn.")
    if appraisal.loan.status != S.APPRAISAL:
        raise ValidationError("Hồ sơ không còn ở bước thẩm định.")
    if recommendation == Appraisal.Recommendation.PENDING:
        raise ValidationError("Chọn ý kiến thẩm định.")
    if not opinion.strip():
        raise ValidationError("Nhập nội dung ý kiến thẩm định.")
    if appraisal.loan.approved_by_id == by.pk:
        raise ValidationError("Người phê duyệt không được thẩm định cùng hồ sơ.")
    appraisal.recommendation = recommendation
    appraisal.opinion = opinion.strip()
    appraisal.recorded_by = by
    appraisal.recorded_at = timezone.now()
    appraisal.save()
    return appraisal


@transaction.atomic
def loan_approve(*, loan: Loan, amount: Decimal, term_months: int, rate: Decimal, on: date, by) -> Loan:
    """Approve with amount, term and rate. Maker-checker: whoever appraised this loan may not approve it.
    The borrower group's rows are locked first, so two approvals at the same moment cannot both fit under a cap
    that only one of them fits."""
    _require_staff(by)
    _require_status(loan, S.APPRAISAL)
    _lock_borrowers(loan)
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    _require_status(loan, S.APPRAISAL)
    if loan.appraisals.filter(recorded_by=by).exists():
        raise ValidationError("Người đã thẩm định hồ sơ này không được phê duyệt (nguyên tắc bốn mắt).")
    if not loan.appraisals.exclude(recommendation=Appraisal.Recommendation.PENDING).exists():
        raise ValidationError("Chưa có ý kiến thẩm định nào.")
    if amount > loan.requested_amount:
        raise ValidationError("Số tiền phê duyệt không được lớn hơn số tiền đề nghị.")
    loan.approved_amount, loan.approved_term_months, loan.approved_rate = amount, term_months, rate
    failed = failed_checks(loan_eligibility(loan=loan, on=on))
    if failed:
        raise ValidationError(["Chưa đủ điều kiện cho vay:"] + [f"{c.label}: {c.reason}" for c in failed])
    product = loan.product
    loan.frequency, loan.amortization, loan.rate_method = product.frequency, product.amortization, product.rate_method
    loan.grace_months = min(product.grace_months, term_months - 1)
    loan.day_count = product.day_count
    # The contract may not charge more overdue interest than the ceiling in force when it is approved.
    loan.overdue_multiplier = product.overdue_multiplier_on(on)
    loan.approved_by, loan.approved_on = by, on
    _move(loan, S.APPROVED, on=on, by=by, note=f"Phê duyệt {money(amount)}, {term_months} tháng, {rate}%/năm")
    loan.full_clean()
    loan.save()
    return loan


@transaction.atomic
def loan_reject(*, loan: Loan, reason: str, on: date, by) -> Loan:
    _require_staff(by)
    _require_status(loan, S.RECEIVED, S.APPRAISAL)
    if not reason.strip():
        raise ValidationError("Nhập lý do từ chối.")
    loan.rejection_reason = reason.strip()
    _move(loan, S.REJECTED, on=on, by=by, note=reason.strip())
    loan.save()
    return loan


@transaction.atomic
def loan_sign_contract(*, loan: Loan, number: str, on: date, by) -> Loan:
    """Sign the contract; the caps are checked again on the signing date (the capital or the group's other
    commitments may have changed since the approval)."""
    _require_staff(by)
    _require_status(loan, S.APPROVED)
    if not number.strip():
        raise ValidationError("Nhập số hợp đồng.")
    if on < loan.approved_on:
        raise ValidationError("Ngày ký hợp đồng không được trước ngày phê duyệt.")
    _lock_borrowers(loan)
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    _require_status(loan, S.APPROVED)
    _require_within_limits(loan, on, "ký hợp đồng")
    loan.contract_number, loan.contract_signed_on = number.strip(), on
    _move(loan, S.CONTRACTED, on=on, by=by, note=f"Hợp đồng số {number.strip()}")
    loan.save()
    return loan


@transaction.atomic
def loan_disburse(*, loan: Loan, amount: Decimal, on: date, by, note: str = "") -> Disbursement:
    """Pay out a tranche. No bad debt anywhere at the first disbursement (Nghị định 45/2021, Điều 24); the caps
    are checked again on the date of each tranche."""
    _require_staff(by)
    _require_status(loan, S.CONTRACTED, S.DISBURSING)
    _lock_borrowers(loan)
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    _require_status(loan, S.CONTRACTED, S.DISBURSING)
    done = loan.disbursed_total()
    if amount <= 0:
        raise ValidationError("Số tiền giải ngân phải lớn hơn 0.")
    if done + amount > loan.approved_amount:
        raise ValidationError(
            f"Vượt số tiền phê duyệt: đã giải ngân {money(done)}, "
            f"còn được giải ngân {money(loan.approved_amount - done)}."
        )
    if on < loan.contract_signed_on:
        raise ValidationError("Ngày giải ngân không được trước ngày ký hợp đồng.")
    first = loan.disbursements.order_by("disbursed_on").first()
    if first is None:
        group, bad = worst_group(borrower_loans(loan), on)
        if group >= 3:
            raise ValidationError(f"Bên vay đang có nợ xấu (khoản {bad.code}, nhóm {group}): không được giải ngân.")
    else:
        if on < first.disbursed_on:
            raise ValidationError("Các lần giải ngân sau không được trước lần đầu.")
        maturity = loan.planned_schedule()[-1].due_date
        if on >= maturity:
            raise ValidationError("Không giải ngân sau ngày đáo hạn.")
    _require_within_limits(Loan.objects.with_events().get(pk=loan.pk), on, "giải ngân")
    tranche = Disbursement.objects.create(loan=loan, disbursed_on=on, amount=amount, by=by, note=note)
    target = S.REPAYING if done + amount == loan.approved_amount else S.DISBURSING
    if target != loan.status:
        _move(loan, target, on=on, by=by, note=f"Giải ngân {money(amount)}")
        loan.save(update_fields=["status"])
    return tranche


def _sync_repayment_status(loan: Loan, *, on: date, by) -> None:
    loan = Loan.objects.with_events().get(pk=loan.pk)
    last = max([p.paid_on for p in loan.payments.all() if not p.reversed] + [on])
    repaid = loan.state(last).is_repaid and loan.disbursed_total() == loan.approved_amount
    if repaid and loan.status == S.REPAYING:
        _move(loan, S.SETTLED, on=last, by=by, note="Đã trả hết nợ")
        loan.closed_on = last
        loan.save(update_fields=["status", "closed_on"])
    elif not repaid and loan.status == S.SETTLED:
        _move(loan, S.REPAYING, on=on, by=by, note="Mở lại do hủy giao dịch trả nợ")
        loan.closed_on = None
        loan.save(update_fields=["status", "closed_on"])


@transaction.atomic
def repayment_record(*, loan: Loan, amount: Decimal, on: date, by, note: str = "") -> Payment:
    """Money received; its allocation is derived by replaying (see fund.ledger)."""
    _require_staff(by)
    _require_status(loan, S.DISBURSING, S.REPAYING)
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    first = loan.disbursements.order_by("disbursed_on").first()
    if amount <= 0:
        raise ValidationError("Số tiền trả phải lớn hơn 0.")
    if first is None or on < first.disbursed_on:
        raise ValidationError("Ngày trả không được trước ngày giải ngân đầu tiên.")
    if on > timezone.localdate():
        raise ValidationError("Không ghi nhận khoản trả ở ngày tương lai.")
    state = Loan.objects.with_events().get(pk=loan.pk).state(on)
    if amount > state.payoff_amount:
        raise ValidationError(
            f"Số tiền vượt quá số phải trả để tất toán ngày {on:%d/%m/%Y}: {money(state.payoff_amount)}."
        )
    payment = Payment.objects.create(loan=loan, paid_on=on, amount=amount, by=by, note=note)
    later = Loan.objects.with_events().get(pk=loan.pk).state(max(on, timezone.localdate()))
    if later.unallocated > 0:
        raise ValidationError("Khoản trả này làm các khoản trả sau vượt quá số phải trả; kiểm tra lại ngày trả.")
    _sync_repayment_status(loan, on=on, by=by)
    return payment


@transaction.atomic
def repayment_reverse(*, payment: Payment, reason: str, by) -> Payment:
    """Cancel a wrongly entered payment; everything after it is recomputed by the replay."""
    _require_staff(by)
    if payment.reversed:
        raise ValidationError("Giao dịch này đã được hủy.")
    if not reason.strip():
        raise ValidationError("Nhập lý do hủy giao dịch.")
    payment.reversed = True
    payment.reversed_at = timezone.now()
    payment.reversed_by = by
    payment.reversal_reason = reason.strip()
    payment.save()
    _sync_repayment_status(payment.loan, on=timezone.localdate(), by=by)
    return payment


def restructuring_kind(*, loan: Loan, on: date, term_months: int) -> str:
    """Gia hạn nợ when the new final maturity falls after the one in force before `on`, else điều chỉnh kỳ hạn
    trả nợ (Thông tư 11/2021/TT-NHNN, Điều 10 khoản 1 điểm b(ii) and c(ii); Thông tư 31/2024/TT-NHNN, Điều 10)."""
    live = [i.due_date for i in loan.state(on).instalments if not i.closed]
    new_terms = replace(loan.terms(), term_months=term_months, grace_months=0)
    new_maturity = due_dates(on, new_terms)[-1]
    if live and new_maturity <= max(live):
        return Restructuring.Kind.ADJUSTMENT
    return Restructuring.Kind.EXTENSION


@transaction.atomic
def loan_restructure(*, loan: Loan, on: date, term_months: int, reason: str, by) -> Restructuring:
    """A new schedule for the unpaid principal from `on`; counted for the debt group."""
    _require_staff(by)
    _require_status(loan, S.REPAYING)
    if not reason.strip():
        raise ValidationError("Nhập lý do cơ cấu lại.")
    if term_months < 1 or term_months > loan.product.max_term_months:
        raise ValidationError(f"Thời hạn mới từ 1 đến {loan.product.max_term_months} tháng.")
    tranche = loan.disbursements.order_by("-disbursed_on").first()
    if tranche is None or on < tranche.disbursed_on:
        # The replay re-spreads what was disbursed by then: an earlier date would leave a tranche after it.
        raise ValidationError("Ngày cơ cấu không được trước ngày giải ngân gần nhất.")
    last = loan.restructurings.order_by("-restructured_on").first()
    if last and on <= last.restructured_on:
        raise ValidationError("Ngày cơ cấu phải sau lần cơ cấu trước.")
    if loan.payments.filter(reversed=False, paid_on__gt=on).exists():
        raise ValidationError("Đã có khoản trả sau ngày cơ cấu; hủy các khoản đó trước.")
    item = Restructuring.objects.create(
        loan=loan,
        restructured_on=on,
        new_term_months=term_months,
        kind=restructuring_kind(loan=loan, on=on, term_months=term_months),
        reason=reason,
        by=by,
    )
    LoanEvent.objects.create(
        loan=loan, from_status=loan.status, to_status=loan.status, on=on, by=by, note=f"Cơ cấu lại: {reason}"
    )
    return item


@transaction.atomic
def loan_write_off(*, loan: Loan, on: date, reason: str, by) -> Loan:
    _require_staff(by)
    _require_status(loan, S.DISBURSING, S.REPAYING)
    if not reason.strip():
        raise ValidationError("Nhập lý do xóa nợ.")
    loan.write_off_reason, loan.closed_on = reason.strip(), on
    _move(loan, S.WRITTEN_OFF, on=on, by=by, note=reason.strip())
    loan.save()
    return loan


# Snapshots: a cache of the replay ---------------------------------------------------------------------------------

SNAPSHOT_FIELDS = [
    "status",
    "disbursed",
    "outstanding_principal",
    "overdue_principal",
    "overdue_interest",
    "penalty_due",
    "days_past_due",
    "debt_group",
    "provision",
    "restructure_count",
    "written_off_principal",
    "recovered",
]
SNAPSHOT_BATCH = 500


def snapshot_values(loan: Loan, on: date) -> dict:
    """A loan's figures at the end of `on`, as the report shows them.

    A written-off loan is off the balance sheet: nothing outstanding, overdue or provisioned; it carries instead
    the principal written off (what was outstanding at the end of the write-off day) and what was recovered after.
    """
    state = loan.state(on)
    written_off = state.written_off
    if written_off:
        status = S.WRITTEN_OFF
    elif state.is_repaid and state.disbursed == loan.approved_amount:
        status = S.SETTLED
    else:
        status = S.REPAYING if state.disbursed == loan.approved_amount else S.DISBURSING
    values = {
        "status": status,
        "disbursed": state.disbursed,
        "outstanding_principal": state.outstanding_principal,
        "overdue_principal": state.overdue_principal,
        "overdue_interest": state.overdue_interest,
        "penalty_due": state.penalty_due,
        "days_past_due": state.days_past_due,
        "debt_group": state.debt_group,
        "provision": state.provision,
        "restructure_count": state.restructure_count,
        "written_off_principal": ledger.ZERO,
        "recovered": ledger.ZERO,
    }
    if written_off:
        off = loan.closed_on
        values.update(
            outstanding_principal=ledger.ZERO,
            overdue_principal=ledger.ZERO,
            overdue_interest=ledger.ZERO,
            penalty_due=ledger.ZERO,
            provision=ledger.ZERO,
            written_off_principal=loan.state(off).outstanding_principal,
            recovered=sum(
                (p.amount for p in loan.payments.all() if not p.reversed and off < p.paid_on <= on), ledger.ZERO
            ),
        )
    return values


def _lock_loans(ids) -> None:
    # Whoever stores figures and whoever changes a loan's events take this lock first, so the nightly run can
    # never store figures read before a change that has already dropped the loan's rows.
    list(Loan.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk").values_list("pk", flat=True))


def _store(rows: list[LoanSnapshot]) -> None:
    LoanSnapshot.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["loan", "on"], update_fields=SNAPSHOT_FIELDS
    )


@transaction.atomic
def _snapshot_batch(ids: list[int], on: date) -> int:
    _lock_loans(ids)
    loans = Loan.objects.booked().with_events().filter(pk__in=ids, disbursements__disbursed_on__lte=on).distinct()
    rows = [LoanSnapshot(loan=loan, on=on, **snapshot_values(loan, on)) for loan in loans]
    _store(rows)
    return len(rows)


def portfolio_snapshot(*, on: date) -> int:
    """Store every booked loan's figures at the end of `on`. Idempotent: one row per (loan, day)."""
    ids = list(
        Loan.objects.booked()
        .filter(disbursements__disbursed_on__lte=on)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(_snapshot_batch(ids[i : i + SNAPSHOT_BATCH], on) for i in range(0, len(ids), SNAPSHOT_BATCH))


def loan_snapshots_invalidate(*, loan_id: int, since: date) -> list[date]:
    """Drop the loan's stored figures for `since` and every later day: an event dated `since` was recorded,
    changed or deleted (or the loan's terms changed). Until they are stored again the report replays the loan
    for those days. Returns the days dropped, for `loan_snapshots_refresh`."""
    with transaction.atomic():
        _lock_loans([loan_id])
        stale = LoanSnapshot.objects.filter(loan_id=loan_id, on__gte=since)
        days = sorted(set(stale.values_list("on", flat=True)))
        if days:
            stale.delete()
    return days


@transaction.atomic
def loan_snapshots_refresh(*, loan_id: int, days: list[date]) -> int:
    """Store again one loan's figures for days whose rows were dropped (the rest of each day is untouched)."""
    _lock_loans([loan_id])
    loan = Loan.objects.booked().with_events().filter(pk=loan_id).first()
    if loan is None:
        return 0
    first = min((d.disbursed_on for d in loan.disbursements.all()), default=None)
    rows = [LoanSnapshot(loan=loan, on=day, **snapshot_values(loan, day)) for day in days if first and day >= first]
    _store(rows)
    return len(rows)


def loan_snapshot_gaps(*, limit: int = 200) -> list[tuple[int, list[date]]]:
    """Loans missing their stored figures for nights the portfolio was stored, with those nights: a change
    dropped them and the refresh it asked for never reached a worker (the broker was down). Every booked loan
    disbursed by the latest stored night has a row for it, unless its rows were dropped since; its missing nights
    are the stored nights after its own latest row (`loan_snapshots_refresh` skips those before its money)."""
    latest = LoanSnapshot.objects.aggregate(on=Max("on"))["on"]
    if latest is None:
        return []
    stale = (
        Loan.objects.booked()
        .filter(Exists(Disbursement.objects.filter(loan=OuterRef("pk"), disbursed_on__lte=latest)))
        .exclude(Exists(LoanSnapshot.objects.filter(loan=OuterRef("pk"), on=latest)))
        .annotate(last=Subquery(LoanSnapshot.objects.filter(loan=OuterRef("pk")).order_by("-on").values("on")[:1]))
        .order_by("pk")
        .values_list("pk", "last")[:limit]
    )
    stale = list(stale)
    if not stale:
        return []
    nights = sorted(set(LoanSnapshot.objects.values_list("on", flat=True).distinct().order_by()))
    return [(pk, [d for d in nights if last is None or d > last]) for pk, last in stale]


def member_for(cooperative: Cooperative, *, full_name: str, id_number: str) -> MemberBorrower:
    member, _ = MemberBorrower.objects.get_or_create(
        id_number=id_number, defaults={"cooperative": cooperative, "full_name": full_name}
    )
    return member


def agency_appraisals_move(old: Agency, new: Agency, change) -> list[Moved]:
    """A retired agency's appraisals not yet given go to its successor (portal.agencychanges); one the successor
    was already asked for on the same loan is enough, so the retired agency's request is withdrawn. Given opinions
    keep their agency."""
    moved: list[Moved] = []
    pending = Appraisal.objects.select_for_update().filter(agency=old, recommendation=Appraisal.Recommendation.PENDING)
    for appraisal in pending.select_related("loan").order_by("pk"):
        if Appraisal.objects.filter(loan=appraisal.loan, agency=new).exists():
            appraisal.delete()
            moved.append(Moved("Đề nghị thẩm định", appraisal.loan.code, appraisal.pk, f"{new} đã được đề nghị"))
        else:
            Appraisal.objects.filter(pk=appraisal.pk).update(agency=new)
            moved.append(Moved("Đề nghị thẩm định", appraisal.loan.code, appraisal.pk))
    return moved
