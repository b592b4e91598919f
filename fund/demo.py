"""Demo data of the fund: capital, plans, 3 products and about 25 loans in every stage, some overdue in each debt
group. Dates are relative to today so the arrears stay meaningful. Idempotent: loans are keyed on their code.

Borrowers come from the registry. When the registry is empty (this app alone), a handful of demo cooperatives
with registration codes "DEMO-QUY-..." are created; when it has cooperatives, nothing is created there.
"""

from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.text import slugify

from cooperatives.demo import load_sector_departments
from cooperatives.models import Congress, Cooperative
from portal.models import AdministrativeUnit, User
from portal.search import fold

from . import services
from .models import (
    Appraisal,
    Disbursement,
    DisbursementPlan,
    FundCapital,
    Loan,
    LoanEvent,
    LoanProduct,
    MemberBorrower,
    Payment,
    Restructuring,
)

D = Decimal
S = Loan.Status

DEMO_COOPERATIVES = [
    ("DEMO-QUY-01", "Hợp tác xã Nông nghiệp Ninh Quới", "956-02", "crops"),
    ("DEMO-QUY-02", "Hợp tác xã Thủy sản Gành Hào", "960-01", "aquaculture"),
    ("DEMO-QUY-03", "Hợp tác xã Dịch vụ nông nghiệp Vĩnh Hưng", "958-02", "agri_services"),
    ("DEMO-QUY-04", "Hợp tác xã Muối Long Điền", "960-02", "salt"),
    ("DEMO-QUY-05", "Hợp tác xã Chăn nuôi Phước Long", "957-01", "livestock"),
    ("DEMO-QUY-06", "Hợp tác xã Vận tải Bạc Liêu", "954-01", "transport"),
    ("DEMO-QUY-07", "Hợp tác xã Thương mại Giá Rai", "959-01", "trade"),
    ("DEMO-QUY-08", "Hợp tác xã Lúa tôm Hòa Bình", "961-02", "crops"),
]

PRODUCTS = [
    {
        "code": "san-xuat-nong-nghiep",
        "name": "Cho vay đầu tư sản xuất nông nghiệp",
        "description": "Vốn lưu động và đầu tư cho trồng trọt, chăn nuôi, nuôi trồng thủy sản theo chuỗi giá trị.",
        "max_amount": D(2_000_000_000),
        "max_term_months": 36,
        "annual_rate": D("7.20"),
        "frequency": "monthly",
        "amortization": "equal_principal",
        "rate_method": "declining",
        "grace_months": 3,
        "collateral_rules": (
            "Thế chấp quyền sử dụng đất, tài sản hình thành từ vốn vay; miễn bảo đảm cho khoản đến 100 triệu đồng."
        ),
    },
    {
        "code": "ha-tang-may-moc",
        "name": "Cho vay đầu tư hạ tầng, máy móc thiết bị",
        "description": "Kho bãi, nhà sơ chế, máy gặt đập, lò sấy, phương tiện vận tải của hợp tác xã.",
        "max_amount": D(5_000_000_000),
        "max_term_months": 60,
        "annual_rate": D("6.60"),
        "frequency": "quarterly",
        "amortization": "annuity",
        "rate_method": "declining",
        "grace_months": 6,
        "collateral_rules": "Thế chấp chính máy móc, công trình hình thành từ vốn vay.",
    },
    {
        "code": "thanh-vien-htx",
        "name": "Cho vay thành viên hợp tác xã, tổ hợp tác",
        "description": "Khoản vay nhỏ cho thành viên phát triển kinh tế hộ gắn với hoạt động của hợp tác xã.",
        "max_amount": D(200_000_000),
        "max_term_months": 24,
        "annual_rate": D("6.00"),
        "frequency": "monthly",
        "amortization": "annuity",
        "rate_method": "declining",
        "grace_months": 0,
        "for_cooperatives": False,
        "for_unions": False,
        "for_members": True,
        "collateral_rules": "Tín chấp có xác nhận của hợp tác xã; thế chấp nếu vay trên 100 triệu đồng.",
    },
]

MEMBERS = [
    ("Nguyễn Thị Hồng", "095180001234", 0),
    ("Trần Văn Tư", "095080004567", 1),
    ("Lâm Thị Bé Ba", "095190007890", 3),
]

# code, coop index, product, amount, term, stage, months since disbursement, behaviour
#   behaviour: "current" pays every instalment on time; ("late", days) stops paying so that the loan is about
#   `days` past due; "settled"; "payoff" repays early; "restructured"; "written_off".
LOANS = [
    ("QHT-001", 0, 0, 300_000_000, 24, S.RECEIVED, None, None),
    ("QHT-002", 1, 1, 1_200_000_000, 48, S.RECEIVED, None, None),
    ("QHT-003", 2, 0, 450_000_000, 24, S.APPRAISAL, None, None),
    ("QHT-004", 0, 1, 800_000_000, 36, S.APPRAISAL, None, None),
    ("QHT-005", 4, 2, 60_000_000, 12, S.APPRAISAL, None, None),
    ("QHT-006", 5, 1, 900_000_000, 36, S.APPROVED, None, None),
    ("QHT-007", 6, 0, 2_500_000_000, 36, S.REJECTED, None, None),
    ("QHT-008", 7, 0, 150_000_000, 12, S.REJECTED, None, None),
    ("QHT-009", 0, 1, 700_000_000, 36, S.CONTRACTED, None, None),
    ("QHT-010", 1, 0, 600_000_000, 24, S.DISBURSING, 1, "current"),
    ("QHT-011", 2, 0, 240_000_000, 24, S.REPAYING, 6, "current"),
    ("QHT-012", 3, 0, 360_000_000, 36, S.REPAYING, 10, "current"),
    ("QHT-013", 4, 1, 1_000_000_000, 48, S.REPAYING, 9, "current"),
    ("QHT-014", 5, 2, 120_000_000, 24, S.REPAYING, 5, "current"),
    ("QHT-015", 6, 0, 500_000_000, 36, S.REPAYING, 8, ("late", 40)),
    ("QHT-016", 7, 0, 200_000_000, 24, S.REPAYING, 7, ("late", 75)),
    ("QHT-017", 0, 0, 480_000_000, 36, S.REPAYING, 12, ("late", 135)),
    ("QHT-018", 1, 2, 90_000_000, 24, S.REPAYING, 11, ("late", 160)),
    ("QHT-019", 2, 0, 600_000_000, 36, S.REPAYING, 16, ("late", 250)),
    ("QHT-020", 3, 0, 300_000_000, 36, S.REPAYING, 22, ("late", 420)),
    ("QHT-021", 4, 0, 360_000_000, 24, S.REPAYING, 14, "restructured"),
    ("QHT-022", 5, 0, 120_000_000, 12, S.SETTLED, 15, "settled"),
    ("QHT-023", 6, 2, 50_000_000, 12, S.SETTLED, 6, "payoff"),
    ("QHT-024", 7, 0, 240_000_000, 24, S.WRITTEN_OFF, 26, "written_off"),
    ("QHT-025", 2, 1, 1_500_000_000, 60, S.REPAYING, 13, "current"),
]


def load(out) -> None:
    today = timezone.localdate()
    staff = User.objects.filter(username="quy").first() or User.objects.filter(is_superuser=True).first()
    if staff is None:
        out.write("Quỹ hỗ trợ: bỏ qua (chưa có tài khoản cán bộ Quỹ).")
        return
    coops = _cooperatives(today)
    if len(coops) < 2:
        out.write("Quỹ hỗ trợ: bỏ qua (chưa có hợp tác xã trong sổ đăng ký).")
        return
    FundCapital.objects.get_or_create(
        effective_from=date(2020, 1, 1), defaults={"amount": D(40_000_000_000), "note": "Quyết định thành lập Quỹ"}
    )
    FundCapital.objects.get_or_create(
        effective_from=date(2023, 1, 1), defaults={"amount": D(60_000_000_000), "note": "Bổ sung vốn từ ngân sách tỉnh"}
    )
    for year, amount in ((today.year - 1, 12_000_000_000), (today.year, 15_000_000_000)):
        DisbursementPlan.objects.get_or_create(year=year, defaults={"amount": D(amount)})
    products = [LoanProduct.objects.get_or_create(code=p["code"], defaults=p)[0] for p in PRODUCTS]
    members = [
        MemberBorrower.objects.get_or_create(
            id_number=id_number, defaults={"full_name": name, "cooperative": coops[index % len(coops)]}
        )[0]
        for name, id_number, index in MEMBERS
    ]
    load_sector_departments()  # with the registry's demo it is there already; this app alone needs it too
    made = 0
    for number, spec in enumerate(LOANS):
        if Loan.objects.filter(code=spec[0]).exists():
            continue
        _make_loan(spec, number, coops, products, members, staff, today)
        made += 1
    for months_back in (3, 2, 1):
        month_end = today.replace(day=1) - relativedelta(months=months_back - 1) - timedelta(days=1)
        services.portfolio_snapshot(on=month_end)
    out.write(f"Quỹ hỗ trợ: {len(products)} sản phẩm, {Loan.objects.count()} hồ sơ vay ({made} mới).")


def _cooperatives(today: date) -> list[Cooperative]:
    if Cooperative.objects.exists():
        active = list(Cooperative.objects.filter(status="active", kind="htx").order_by("pk")[:8])
        return active or list(Cooperative.objects.order_by("pk")[:8])
    made = []
    for code, name, unit_code, sector in DEMO_COOPERATIVES:
        unit = AdministrativeUnit.objects.filter(code=unit_code).first()
        unit = unit or AdministrativeUnit.objects.filter(level="province").first()
        if unit is None:
            return []
        coop, _ = Cooperative.objects.get_or_create(
            registration_code=code,
            defaults={
                "name": name,
                "slug": code.lower(),
                "unit": unit,
                "sector": sector,
                "certificate_date": date(2016, 3, 15),
                "charter_capital": D(1_500_000_000),
                "address": unit.name,
            },
        )
        for year in range(today.year - 3, today.year):
            Congress.objects.get_or_create(
                cooperative=coop,
                kind=Congress.Kind.ANNUAL,
                fiscal_year=year,
                defaults={"held_date": date(year + 1, 3, 20)},
            )
        made.append(coop)
    return made


def _appraiser(agency) -> User:
    """The agency's officer who records its opinion. Agencies without a demo login (most district committees) get
    a named account that cannot log in: it only says who signed the opinion."""
    officer = agency.officers.order_by("username").first()
    if officer:
        return officer
    username = "tham-dinh-" + slugify(fold(agency.short_name or agency.name))
    user, created = User.objects.get_or_create(
        username=username[:150],
        defaults={"agency": agency, "last_name": "Cán bộ thẩm định", "first_name": agency.short_name},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _make_loan(spec, number, coops, products, members, staff, today):
    code, coop_index, product_index, amount, term, stage, months_ago, behaviour = spec
    product = products[product_index]
    amount = D(amount)
    member = members[number % len(members)] if product.for_members else None
    coop = member.cooperative if member else coops[coop_index % len(coops)]
    start = today - relativedelta(months=months_ago or 0) - timedelta(days=3 + number % 9)
    received = start - timedelta(days=45)
    if months_ago is None:
        received = today - timedelta(days=10 + number * 4)
    loan = Loan.objects.create(
        code=code,
        product=product,
        cooperative=coop,
        member=member,
        project_name=_project(product_index, coop),
        purpose="Mua vật tư, con giống và thuê máy phục vụ sản xuất theo kế hoạch của hợp tác xã.",
        total_cost=amount * 10 // 7,
        own_contribution=amount * 10 // 7 - amount,
        requested_amount=amount,
        requested_term_months=term,
        collateral="Quyền sử dụng đất nông nghiệp, giấy chứng nhận số BL 0" + str(123400 + number),
        received_on=received,
    )
    flow = [(S.RECEIVED, received, "")]
    if stage == S.RECEIVED:
        return _events(loan, flow, staff)
    appraised = received + timedelta(days=3)
    flow.append((S.APPRAISAL, appraised, "Gửi thẩm định"))
    # Where the law sends it: the committee of the borrower's area and the departments of its sector.
    appraisers = services.loan_appraisal_agencies(loan)
    for agency in appraisers:
        done = stage != S.APPRAISAL or number % 2 == 0 and agency == appraisers[0]
        Appraisal.objects.create(
            loan=loan,
            agency=agency,
            requested_on=appraised,
            recommendation=Appraisal.Recommendation.APPROVE if done else Appraisal.Recommendation.PENDING,
            opinion="Dự án khả thi, hợp tác xã hoạt động thực chất, đề nghị cho vay." if done else "",
            recorded_by=_appraiser(agency) if done else None,
            recorded_at=timezone.now() if done else None,
        )
    if stage == S.APPRAISAL:
        loan.status = S.APPRAISAL
        loan.save()
        return _events(loan, flow, staff)
    if stage == S.REJECTED:
        loan.rejection_reason = (
            "Số tiền đề nghị vượt hạn mức của sản phẩm."
            if amount > product.max_amount
            else "Phương án kinh doanh chưa chứng minh được nguồn trả nợ."
        )
        loan.status = S.REJECTED
        loan.save()
        flow.append((S.REJECTED, appraised + timedelta(days=14), loan.rejection_reason))
        return _events(loan, flow, staff)
    approved_on = appraised + timedelta(days=14)
    loan.approved_amount, loan.approved_term_months, loan.approved_rate = amount, term, product.annual_rate
    loan.frequency, loan.amortization, loan.rate_method = product.frequency, product.amortization, product.rate_method
    loan.grace_months, loan.overdue_multiplier = product.grace_months, product.overdue_multiplier
    loan.day_count = product.day_count
    loan.approved_by, loan.approved_on = staff, approved_on
    loan.status = S.APPROVED
    flow.append((S.APPROVED, approved_on, f"Phê duyệt {amount:,.0f} đồng".replace(",", ".")))
    if stage == S.APPROVED:
        loan.save()
        return _events(loan, flow, staff)
    signed = min(approved_on + timedelta(days=7), start)
    loan.contract_number, loan.contract_signed_on = f"{number + 1:03d}/{signed.year}/HĐTD-QHT", signed
    loan.status = S.CONTRACTED
    flow.append((S.CONTRACTED, signed, f"Hợp đồng số {loan.contract_number}"))
    if stage == S.CONTRACTED:
        loan.save()
        return _events(loan, flow, staff)
    first = amount if stage != S.DISBURSING else amount * 6 // 10
    Disbursement.objects.create(loan=loan, disbursed_on=start, amount=first, by=staff, note="Đợt 1")
    loan.status = S.DISBURSING if first < amount else S.REPAYING
    flow.append((loan.status, start, "Giải ngân đợt 1"))
    loan.save()
    _repay(loan, behaviour, today, staff, flow)
    return _events(loan, flow, staff)


def _repay(loan, behaviour, today, staff, flow):
    loan = Loan.objects.with_events().get(pk=loan.pk)
    rows = loan.planned_schedule()
    if behaviour == "restructured":
        cutoff = today - relativedelta(months=8)
    elif isinstance(behaviour, tuple):
        cutoff = today - timedelta(days=behaviour[1])
    elif behaviour == "written_off":
        cutoff = rows[3].due_date
    elif behaviour == "payoff":
        cutoff = rows[2].due_date
    else:
        cutoff = today
    for row in rows:
        if row.due_date <= cutoff and row.due_date <= today:
            Payment.objects.create(loan=loan, paid_on=row.due_date, amount=row.total, by=staff, note="Trả theo lịch")
    if behaviour == "payoff":
        on = cutoff + timedelta(days=12)
        state = Loan.objects.with_events().get(pk=loan.pk).state(on)
        Payment.objects.create(loan=loan, paid_on=on, amount=state.payoff_amount, by=staff, note="Trả nợ trước hạn")
        _close(loan, S.SETTLED, on, flow)
    elif behaviour == "settled":
        _close(loan, S.SETTLED, rows[-1].due_date, flow)
    elif behaviour == "written_off":
        on = today - relativedelta(months=2)
        loan.write_off_reason = (
            "Hợp tác xã đã giải thể, tài sản bảo đảm không đủ thu hồi; Hội đồng quản lý Quỹ quyết định xóa nợ."
        )
        _close(loan, S.WRITTEN_OFF, on, flow)
    elif behaviour == "restructured":
        on = today - relativedelta(months=2)
        Restructuring.objects.create(
            loan=loan, restructured_on=on, new_term_months=24, by=staff, reason="Thiệt hại do hạn mặn, gia hạn nợ."
        )
        flow.append((S.REPAYING, on, "Cơ cấu lại: thiệt hại do hạn mặn"))
        state = Loan.objects.with_events().get(pk=loan.pk).state(today)
        first_new = next(i for i in state.instalments if not i.closed)
        if first_new.due_date <= today:
            Payment.objects.create(
                loan=loan, paid_on=first_new.due_date, amount=first_new.principal + first_new.interest, by=staff
            )


def _close(loan, status, on, flow):
    loan.status, loan.closed_on = status, on
    loan.save()
    flow.append((status, on, loan.write_off_reason or "Đã trả hết nợ"))


def _events(loan, flow, staff):
    previous = ""
    for to_status, on, note in flow:
        LoanEvent.objects.create(loan=loan, from_status=previous, to_status=to_status, on=on, by=staff, note=note)
        previous = to_status


def _project(product_index, coop):
    return [
        f"Mở rộng sản xuất lúa - tôm của {coop.name}",
        f"Đầu tư kho lạnh và máy sấy của {coop.name}",
        "Nuôi tôm càng xanh kết hợp trồng lúa của hộ thành viên",
    ][product_index]
