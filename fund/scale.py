"""Scale data for the fund (`manage.py seed_scale --loans N`): disbursed loans with their repayments.

Each loan goes to a scale cooperative (cooperatives.scale's seeder) under one of the demo's products, is
disbursed in one tranche, and its repayments are the instalments of the schedule the fund's own code builds
(fund.schedule.loan_schedule, as Loan.planned_schedule calls it), paid on their due dates; one loan in eight stops
paying a few instalments before today, so the portfolio has arrears and every debt group. Rows are written with
bulk_create (no history, no per-row signals). Loan codes start with SCALE-, which is how `reset_loans` finds them.
"""

from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cooperatives.models import Cooperative
from portal.models import User
from portal.scale import BATCH, MARK, SKIPPED, Context, Seeder, bulk, raw_delete

from . import schedule
from .models import (
    Appraisal,
    Disbursement,
    Loan,
    LoanDocument,
    LoanEvent,
    LoanProduct,
    LoanSnapshot,
    Payment,
    Restructuring,
)

AMOUNTS = [100, 200, 300, 500, 800, 1_000, 1_500, 2_000]  # million đồng
PROJECTS = [
    "Mở rộng vùng nuôi tôm - lúa",
    "Mua máy gặt đập liên hợp",
    "Xây dựng kho lạnh bảo quản nông sản",
    "Cải tạo ao nuôi thủy sản",
    "Mua vật tư, con giống vụ mới",
    "Đầu tư dây chuyền chế biến muối sạch",
]


def _scale_loans():
    return Loan.objects.filter(code__startswith=MARK)


def seed_loans(ctx: Context):
    """`n` loans, disbursed between five years ago and last month, repaid along their schedules up to today."""
    n = ctx.sizes["loans"]
    if _scale_loans().count() == n:
        ctx.say(f"  loans: đã có {n}, bỏ qua")
        return SKIPPED
    reset_loans(ctx)
    if n == 0:
        return None
    products = list(LoanProduct.objects.filter(for_cooperatives=True).order_by("pk"))
    staff = User.objects.filter(username="quy").first() or User.objects.filter(is_superuser=True).first()
    coops = list(
        Cooperative.objects.filter(
            registration_code__startswith=MARK,
            kind__in=[Cooperative.Kind.COOPERATIVE, Cooperative.Kind.UNION],
            status=Cooperative.Status.ACTIVE,
        )
        .order_by("pk")
        .only("pk", "name")
    )
    if not products or staff is None:
        raise RuntimeError("Chưa có sản phẩm vay hoặc cán bộ Quỹ: chạy `manage.py load_demo` trước.")
    if not coops:
        raise RuntimeError("Chưa có HTX quy mô: chạy seed_scale với --cooperatives trước.")
    rng = ctx.rng
    today = timezone.localdate()
    made = payments_made = 0
    for start in range(0, n, BATCH):
        loans, plans = [], []
        for i in range(start, min(n, start + BATCH)):
            product = products[i % len(products)]
            coop = coops[i % len(coops)]
            term = rng.choice([t for t in (12, 24, 36, 48, 60) if t <= product.max_term_months] or [12])
            amount = Decimal(rng.choice(AMOUNTS) * 1_000_000)
            # Signed and disbursed the same day, between five years ago and last month.
            signed_on = today - relativedelta(months=rng.randrange(1, 61)) - timedelta(days=rng.randrange(0, 28))
            approved_on = signed_on - timedelta(days=rng.randrange(3, 20))
            received_on = approved_on - timedelta(days=rng.randrange(20, 60))
            loan = Loan(
                code=f"{MARK}L{i + 1:05d}",
                product=product,
                cooperative=coop,
                project_name=f"{rng.choice(PROJECTS)} ({i + 1})",
                purpose="Bổ sung vốn sản xuất, kinh doanh theo phương án của hợp tác xã.",
                total_cost=amount * 10 // 7,
                own_contribution=amount * 10 // 7 - amount,
                requested_amount=amount,
                requested_term_months=term,
                received_on=received_on,
                status=Loan.Status.REPAYING,
                approved_amount=amount,
                approved_term_months=term,
                approved_rate=product.annual_rate,
                frequency=product.frequency,
                amortization=product.amortization,
                rate_method=product.rate_method,
                day_count=product.day_count,
                grace_months=min(product.grace_months, term - 1),
                overdue_multiplier=product.overdue_multiplier,
                approved_by=staff,
                approved_on=approved_on,
                contract_number=f"{i + 1}/{signed_on.year}/HĐTD-QM",
                contract_signed_on=signed_on,
            )
            loan.cooperative = coop  # search_parts reads cooperative.name: already in memory
            loan.product = product  # terms() falls back to the product's figures
            loan.refresh_search_text()
            # The fund's own schedule of the one tranche (what Loan.planned_schedule shows once disbursed).
            planned = schedule.loan_schedule([(signed_on, amount)], loan.terms())
            rows = [row for row in planned if row.due_date <= today]
            defaulter = i % 8 == 0 and rows
            if defaulter:
                rows = rows[: max(0, len(rows) - rng.randrange(1, 7))]  # missed the last 1-6 instalments
            settled = not defaulter and rows and rows[-1].number == len(planned)
            if settled:
                loan.status, loan.closed_on = Loan.Status.SETTLED, rows[-1].due_date
            loans.append(loan)
            plans.append((loan, signed_on, rows))
        Loan.objects.bulk_create(loans, batch_size=BATCH)
        events, disbursements, payments = [], [], []
        for loan, signed_on, rows in plans:
            flow = [
                (Loan.Status.RECEIVED, loan.received_on),
                (Loan.Status.APPROVED, loan.approved_on),
                (Loan.Status.CONTRACTED, signed_on),
                (Loan.Status.REPAYING, signed_on),
            ]
            if loan.status == Loan.Status.SETTLED:
                flow.append((Loan.Status.SETTLED, loan.closed_on))
            previous = ""
            for status, on in flow:
                events.append(LoanEvent(loan=loan, from_status=previous, to_status=status, on=on, by=staff))
                previous = status
            disbursements.append(Disbursement(loan=loan, disbursed_on=signed_on, amount=loan.approved_amount, by=staff))
            payments.extend(Payment(loan=loan, paid_on=row.due_date, amount=row.total, by=staff) for row in rows)
        bulk(LoanEvent, events)
        bulk(Disbursement, disbursements)
        bulk(Payment, payments, batch=5000)
        made += len(loans)
        payments_made += len(payments)
    ctx.say(f"  loans: {made} khoản vay, {payments_made} lần trả nợ")
    return None


def reset_loans(ctx: Context) -> None:
    loans = _scale_loans()
    for model in (LoanSnapshot, Payment, Disbursement, Restructuring, LoanEvent, Appraisal, LoanDocument):
        raw_delete(model.objects.filter(loan__in=loans))
    raw_delete(loans)


SEEDERS = [
    Seeder(
        "loans", seed_loans, reset_loans, 5_000, "khoản vay kèm lịch trả nợ và các lần trả", needs=("cooperatives",)
    ),
]
