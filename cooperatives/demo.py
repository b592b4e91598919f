"""Demo registry for Bạc Liêu: about 60 cooperatives and 30 cooperative groups across the seven district-level
units, with figures 2020-2025, congresses (some overdue), evaluations (some weak, with improvement plans), people
and trainings. Deterministic (seeded random); every person is invented. Idempotent: keyed on registration codes,
and a cooperative's children are only made when the cooperative itself is new."""

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from portal.demo import RETIRED_ON
from portal.models import AdministrativeUnit, Agency
from portal.scale import MARK as SCALE_MARK
from portal.search import fold
from portal.unitmap import today_areas

from .models import (
    AGRICULTURE_SECTORS,
    Congress,
    Cooperative,
    Evaluation,
    EvaluationCriterion,
    EvaluationScore,
    GovernanceForm,
    Grade,
    ImprovementPlan,
    Person,
    PilotInvestment,
    PlanProgress,
    Position,
    Post,
    Sector,
    SectorDepartment,
    Training,
    UnitTarget,
    YearlyFigure,
    annual_congress_deadline,
)
from .services import congress_reminders_send

SEED = 1047
TODAY = date(2026, 11, 26)
FIGURE_YEARS = range(2020, 2026)
EVALUATION_YEARS = range(2022, 2026)
MILLION = Decimal(1_000_000)

# (sector, name stem, sub-sector) - plausible lines of business in Bạc Liêu.
KINDS_OF_WORK = [
    (Sector.CROPS, "Nông nghiệp", "Trồng lúa, cung ứng giống lúa"),
    (Sector.CROPS, "Lúa sạch", "Sản xuất lúa chất lượng cao"),
    (Sector.AQUACULTURE, "Tôm - Lúa", "Nuôi tôm kết hợp trồng lúa"),
    (Sector.AQUACULTURE, "Thủy sản", "Nuôi tôm thẻ chân trắng, tôm sú"),
    (Sector.AQUACULTURE, "Nuôi tôm công nghệ cao", "Nuôi tôm siêu thâm canh"),
    (Sector.SALT, "Muối", "Sản xuất, tiêu thụ muối"),
    (Sector.CROPS, "Trái cây", "Trồng nhãn, xoài, mít"),
    (Sector.LIVESTOCK, "Chăn nuôi", "Chăn nuôi heo, bò"),
    (Sector.AGRI_SERVICES, "Dịch vụ Nông nghiệp", "Làm đất, thu hoạch, sấy lúa"),
    (Sector.TRADE, "Thương mại - Dịch vụ", "Kinh doanh vật tư nông nghiệp"),
    (Sector.TRANSPORT, "Vận tải", "Vận tải hành khách, hàng hóa"),
    (Sector.INDUSTRY, "Tiểu thủ công nghiệp", "Đan lát, chế biến nông sản"),
    (Sector.ENVIRONMENT, "Môi trường", "Thu gom rác thải, nước sạch"),
]
GROUP_WORK = [
    (Sector.AQUACULTURE, "nuôi tôm", "Nuôi tôm quảng canh cải tiến"),
    (Sector.CROPS, "sản xuất lúa", "Trồng lúa"),
    (Sector.SALT, "làm muối", "Sản xuất muối"),
    (Sector.CROPS, "trồng rau màu", "Rau màu, dưa hấu"),
    (Sector.LIVESTOCK, "chăn nuôi", "Nuôi gà, vịt"),
]
HAMLETS = ["Ấp 1", "Ấp 2", "Ấp Bà Ai", "Ấp Cây Me", "Ấp Thạnh Hưng", "Ấp Vĩnh Lạc", "Ấp Long Hà", "Ấp Nhà Mát"]
NAMED_HAMLETS = HAMLETS[2:]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Lâm", "Dương", "Tạ", "Quách"]
MIDDLE = ["Văn", "Thị", "Minh", "Hoàng", "Thanh", "Ngọc", "Hữu", "Quốc"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hải",
    "Hòa",
    "Khánh",
    "Lộc",
    "Mến",
    "Nhân",
    "Phương",
    "Sang",
    "Tài",
    "Thảo",
    "Trí",
    "Út",
    "Vinh",
    "Xuân",
    "Yến",
]
COURSES = [
    ("Bồi dưỡng nghiệp vụ quản lý hợp tác xã", "Liên minh Hợp tác xã tỉnh Bạc Liêu"),
    ("Kế toán hợp tác xã theo Thông tư 71/2019/TT-BTC", "Liên minh Hợp tác xã tỉnh Bạc Liêu"),
    ("Xây dựng phương án sản xuất kinh doanh", "Sở Kế hoạch và Đầu tư tỉnh Bạc Liêu"),
    ("Triển khai Luật Hợp tác xã 2023", "Liên minh Hợp tác xã Việt Nam"),
]
TARGETS = {"954": 2, "956": 3, "957": 2, "958": 2, "959": 3, "960": 3, "961": 2}

# Which of the demo's departments (portal.demo.DEPARTMENTS) oversees each sector and so appraises its loans.
# Transport and construction have no department in the demo's list: their loans go to the area's committee only.
SECTOR_DEPARTMENTS = {
    "Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu": sorted(AGRICULTURE_SECTORS),
    "Sở Công Thương tỉnh Bạc Liêu": [Sector.TRADE, Sector.INDUSTRY],
    "Sở Tài nguyên và Môi trường tỉnh Bạc Liêu": [Sector.ENVIRONMENT],
    "Ngân hàng Nhà nước chi nhánh tỉnh Bạc Liêu": [Sector.CREDIT],
}


def load_sector_departments() -> None:
    for name, sectors in SECTOR_DEPARTMENTS.items():
        agency = Agency.objects.filter(name=name).first()
        while agency is not None and agency.successor_id:  # merged since (portal.agencychanges): its successor's
            agency = agency.successor
        for sector in sectors if agency else []:
            SectorDepartment.objects.get_or_create(sector=sector, agency=agency)


def load(out) -> None:
    rng = random.Random(SEED)
    # Never the benchmark's scale districts (seed_scale): the demo stays the same size next to them.
    districts = list(
        AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.DISTRICT)
        .exclude(code__startswith=SCALE_MARK)
        .order_by("code")
    )
    if not districts:
        out.write("Chưa có đơn vị hành chính: bỏ qua dữ liệu hợp tác xã.")
        return
    load_sector_departments()
    criteria = list(EvaluationCriterion.objects.filter(is_active=True))
    communes = {d.pk: list(d.children.order_by("code")) for d in districts}
    created = 0
    seq = 0
    for round_no in range(9):
        for district in districts:
            seq += 1
            commune = communes[district.pk][round_no % len(communes[district.pk])]
            created += _cooperative(rng, seq, district, commune, criteria)
    for round_no in range(4):
        for district in districts:
            seq += 1
            commune = communes[district.pk][(round_no + 2) % len(communes[district.pk])]
            created += _group(rng, seq, district, commune)
    # Targets: 2025's set per district in January 2025; since the districts ended, per commune of today (one or two
    # new cooperatives for each commune that has the demo's cooperatives).
    for district in districts:
        UnitTarget.objects.get_or_create(
            unit=district, year=TODAY.year - 1, defaults={"new_cooperatives": TARGETS.get(district.code, 2) + 1}
        )
    # A database made by an earlier demo has this year's targets per district already: not a second set.
    if not UnitTarget.objects.filter(year=TODAY.year, unit__level=AdministrativeUnit.Level.DISTRICT).exists():
        areas = today_areas()
        units = Cooperative.objects.exclude(unit__code__startswith=SCALE_MARK).values_list("unit_id", flat=True)
        held = Counter(areas[unit_id].id for unit_id in units if areas[unit_id].is_commune)
        for area_id, n in sorted(held.items()):
            UnitTarget.objects.get_or_create(
                unit_id=area_id, year=TODAY.year, defaults={"new_cooperatives": 1 + (n >= 6)}
            )
    # The in-app reminders the daily beat task would have made by the demo's today (no e-mail from a demo load).
    reminders = congress_reminders_send(on=TODAY, send_email=False)
    out.write(f"Hợp tác xã, tổ hợp tác: {Cooperative.objects.count()} (mới {created}); nhắc đại hội mới: {reminders}")


def _name(rng) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _cooperative(rng, seq, district, commune, criteria) -> int:
    sector, stem, sub_sector = KINDS_OF_WORK[seq % len(KINDS_OF_WORK)]
    place = commune.name.replace("Thị trấn ", "").replace("Xã ", "")
    if (seq // len(KINDS_OF_WORK)) % 2:
        place = NAMED_HAMLETS[seq % len(NAMED_HAMLETS)].replace("Ấp ", "") + " " + place
    kind = Cooperative.Kind.UNION if seq == 20 else Cooperative.Kind.COOPERATIVE
    prefix = "Liên hiệp hợp tác xã" if kind == Cooperative.Kind.UNION else "Hợp tác xã"
    name = f"{prefix} {stem} {place}"
    code = f"1900{seq:06d}"
    # Founded between 2008 and 2024; a few this year and last year so targets show progress.
    if seq % 17 == 0:
        certificate = date(TODAY.year, 1 + seq % 9, 10)
    elif seq % 11 == 0:
        certificate = date(TODAY.year - 1, 3 + seq % 8, 15)
    else:
        certificate = date(2008 + seq % 16, 1 + seq % 12, 1 + seq % 27)
    status = Cooperative.Status.ACTIVE
    if seq in (9, 33):
        status = Cooperative.Status.SUSPENDED
    elif seq in (15, 47):
        status = Cooperative.Status.INACTIVE
    elif seq == 58:
        status = Cooperative.Status.DISSOLVED
    members = rng.randint(7, 260)
    reduced = members < 15
    # Drawn in the order the demo always drew them, so every other figure stays as it was.
    hamlet = rng.choice(HAMLETS)
    capital = Decimal(rng.randint(2, 300)) * 10 * MILLION
    # The legal representative is the board's chair who is also director (the director in the reduced form).
    representative = _name(rng)
    unit, address = commune, f"{hamlet}, {commune.name}, {district.name}, tỉnh Bạc Liêu"
    today = today_areas().get(commune.pk)
    if certificate > RETIRED_ON and today is not None and today.is_commune:  # since the districts ended: today's
        unit = AdministrativeUnit.objects.get(pk=today.id)
        address = f"{hamlet}, {unit.name}, tỉnh Cà Mau"
    cooperative, was_created = Cooperative.objects.get_or_create(
        registration_code=code,
        defaults={
            "kind": kind,
            "name": name,
            "slug": slugify(fold(name))[:240] + f"-{seq}",
            "certificate_date": certificate,
            "tax_code": code,
            "address": address,
            "unit": unit,
            "sector": sector,
            "sub_sector": sub_sector,
            "governance_form": GovernanceForm.REDUCED if reduced else GovernanceForm.FULL,
            "charter_capital": capital,
            "status": status,
            "status_since": date(2026, 3, 1) if status != Cooperative.Status.ACTIVE else None,
            "suspended_until": date(2027, 2, 28) if status == Cooperative.Status.SUSPENDED else None,
            "legal_representative": representative,
            "representative_title": "Giám đốc" if reduced else "Chủ tịch Hội đồng quản trị kiêm Giám đốc",
            "representative_phone": f"0900 000 {seq:03d}",
            "representative_id_number": f"095000000{seq:03d}",
            "phone": f"0291 3800 {seq:03d}",
            "email": f"htx{seq}@example.invalid",
            "is_pilot": seq % 8 == 1,
            "reregistered_2023": seq % 3 != 0,
            "board_term_years": 5,
        },
    )
    # Drawn where the old single support amount was, so every later row of the demo stays as it was.
    pilot_budget = Decimal(rng.randint(3, 12)) * 100 * MILLION if seq % 8 == 1 else 0
    if not was_created:
        return 0
    _figures(rng, cooperative, members)
    elected = _congresses(rng, cooperative, seq)
    people = _people(rng, cooperative, reduced, elected)
    _trainings(rng, people, seq)
    _evaluations(rng, cooperative, seq, criteria)
    if pilot_budget:
        _pilot_investments(cooperative, seq, pilot_budget)
    return 1


def _figures(rng, cooperative, members):
    revenue = Decimal(rng.randint(300, 20_000)) * MILLION
    rows = []
    for year in FIGURE_YEARS:
        if year < cooperative.certificate_date.year:
            continue
        growth = Decimal(rng.randint(90, 125)) / 100
        revenue = (revenue * growth).quantize(MILLION)
        official = max(5, members + rng.randint(-5, 12))
        rows.append(
            YearlyFigure(
                cooperative=cooperative,
                year=year,
                members_official=official,
                members_associate=rng.randint(0, 40),
                workers=official + rng.randint(0, 30),
                revenue=revenue,
                profit=(revenue * Decimal(rng.randint(-3, 15)) / 100).quantize(MILLION),
                avg_member_income=Decimal(rng.randint(40, 120)) * MILLION,
                assets=(revenue * Decimal(rng.randint(40, 140)) / 100).quantize(MILLION),
                keeps_accounts=rng.random() > 0.15,
            )
        )
    YearlyFigure.objects.bulk_create(rows)


# What pilot money bought, by sector group: demo text in our own words.
PILOT_PURPOSES = {
    "agri": [
        "Máy sấy lúa 20 tấn/mẻ và nhà che máy sấy",
        "Hệ thống tưới tiết kiệm nước cho 15 ha của thành viên",
        "Kho chứa nông sản 300 m² có kệ và quạt thông gió",
        "Máy gặt đập liên hợp phục vụ thành viên và bà con trong ấp",
        "Tập huấn quy trình sản xuất theo tiêu chuẩn VietGAP, chứng nhận cho 20 ha",
    ],
    "aqua": [
        "Ao lắng, hệ thống xử lý nước thải cho vùng nuôi tôm của thành viên",
        "Máy quạt nước và máy cho tôm ăn tự động",
        "Nhà sơ chế, kho lạnh bảo quản tôm 10 tấn",
        "Chứng nhận nuôi tôm theo tiêu chuẩn ASC cho vùng nuôi 30 ha",
    ],
    "salt": [
        "Bạt nhựa trải ruộng kết tinh muối sạch cho 12 ha của thành viên",
        "Kho chứa muối 500 tấn, sân phơi và nhà che",
        "Máy xay, sấy và đóng gói muối tinh",
    ],
    "other": [
        "Xe tải 2,5 tấn phục vụ vận chuyển hàng hóa cho thành viên",
        "Máy móc dây chuyền sơ chế, đóng gói sản phẩm OCOP",
        "Phần mềm kế toán, máy tính và đào tạo kế toán cho hợp tác xã",
        "Cửa hàng giới thiệu sản phẩm và quầy bán hàng tại chợ thị trấn",
    ],
}
PILOT_SOURCES = [
    ("central", "Chương trình mục tiêu quốc gia xây dựng nông thôn mới"),
    ("province", "Kế hoạch hỗ trợ HTX điểm của tỉnh"),
    ("district", ""),
    ("fund", "Cho vay ưu đãi, được hỗ trợ lãi suất"),
    ("other", "Vốn đối ứng của doanh nghiệp liên kết tiêu thụ"),
]


def _pilot_investments(cooperative, seq, budget):
    """One to three investments from varied sources over 2019-2024 adding up to `budget`, and figures that move
    after the first one: most pilots grow, one does worse, so the profile's comparison has both to show. The first
    pilot also got money in 2019, before the demo's figures begin (the profile says so).

    A separate seeded random: the rest of the demo stays as it was."""
    rng = random.Random(f"{SEED}-pilot-{seq}")
    first = max(2021, cooperative.certificate_date.year + 1)
    first = first if first <= TODAY.year else TODAY.year
    choices = list(range(first, 2025)) or [first]
    years = sorted(rng.sample(choices, k=min(rng.choice((2, 3)), len(choices))))
    if seq == 1:
        years.insert(0, 2019)
    if cooperative.sector == Sector.SALT:
        group = "salt"
    elif cooperative.sector == Sector.AQUACULTURE:
        group = "aqua"
    else:
        group = "agri" if cooperative.sector in AGRICULTURE_SECTORS else "other"
    purposes = rng.sample(PILOT_PURPOSES[group], k=len(years))
    shares = [rng.randint(2, 5) for _ in years]
    amounts = [(budget * share / sum(shares) / MILLION).quantize(Decimal(1)) * MILLION for share in shares]
    amounts[-1] += budget - sum(amounts)
    rows = []
    for index, (year, purpose, amount) in enumerate(zip(years, purposes, amounts, strict=True)):
        source, detail = PILOT_SOURCES[(seq + index) % len(PILOT_SOURCES)]
        decided = source in ("province", "district")
        rows.append(
            PilotInvestment(
                cooperative=cooperative,
                year=year,
                source=source,
                source_detail=detail,
                amount=amount,
                purpose=purpose,
                decision_number=f"{100 + seq * 3 + index}/QĐ-UBND" if decided else "",
                decision_date=date(year, 3 + index * 2, 12) if decided else None,
            )
        )
    bulk_create_with_history(rows, PilotInvestment)
    # From the year the money arrived (the first investment with figures before it), each year grows on the last:
    # 6-18% more revenue and a few more members; seq 49 does worse.
    start = next((y for y in years if cooperative.figures.filter(year=y - 1).exists()), None)
    if start is None:
        return
    worse = seq == 49
    base = cooperative.figures.get(year=start - 1)
    revenue, members, associate = base.revenue, base.members_official, base.members_associate
    figures = list(cooperative.figures.filter(year__gte=start).order_by("year"))
    for figure in figures:
        revenue = (revenue * Decimal(rng.randint(90, 97) if worse else rng.randint(106, 118)) / 100).quantize(1)
        members = max(5, members + (rng.randint(-4, -1) if worse else rng.randint(2, 8)))
        margin = Decimal(rng.randint(-3, 1) if worse else rng.randint(7, 12)) / 100
        figure.revenue = (revenue / MILLION).quantize(Decimal(1)) * MILLION
        figure.profit = (revenue * margin / MILLION).quantize(Decimal(1)) * MILLION
        figure.members_official, figure.members_associate = members, associate
    YearlyFigure.objects.bulk_update(figures, ["revenue", "profit", "members_official", "members_associate"])


def _congresses(rng, cooperative, seq):
    founded = cooperative.certificate_date
    rows = [Congress(cooperative=cooperative, kind=Congress.Kind.FOUNDING, held_date=founded - timedelta(days=20))]
    term_start = founded
    terms = []
    while term_start + relativedelta(years=5) < TODAY:
        term_start = term_start + relativedelta(years=5) - timedelta(days=rng.randint(5, 40))
        terms.append(term_start)
    # A few (every eighth with a term due) have let the board's term run out without a term congress.
    if terms and seq % 8 == 5:
        terms.pop()
    rows += [Congress(cooperative=cooperative, kind=Congress.Kind.TERM, held_date=d) for d in terms]
    elected = terms[-1] if terms else rows[0].held_date
    # Overdue for the 2025 fiscal year: every ninth cooperative; two more have held nothing since 2023.
    skip_from = 2025 if seq % 9 == 4 else (2024 if seq in (22, 41) else None)
    for fiscal_year in range(max(2019, founded.year), TODAY.year):
        deadline = annual_congress_deadline(date(fiscal_year, 12, 31))
        if skip_from and fiscal_year >= skip_from:
            if fiscal_year == 2025:
                rows.append(
                    Congress(
                        cooperative=cooperative,
                        kind=Congress.Kind.ANNUAL,
                        fiscal_year=fiscal_year,
                        planned_date=deadline - timedelta(days=15),
                    )
                )
            continue
        held = deadline - timedelta(days=rng.randint(5, 70))
        rows.append(
            Congress(cooperative=cooperative, kind=Congress.Kind.ANNUAL, fiscal_year=fiscal_year, held_date=held)
        )
    Congress.objects.bulk_create(rows)
    return elected


def _people(rng, cooperative, reduced, elected):
    # In the full form the board chair also serves as director, as is common (and allowed).
    posts = [Post.BOARD_CHAIR, Post.CHIEF_ACCOUNTANT, Post.TREASURER]
    if reduced:
        posts = [Post.DIRECTOR, Post.CONTROLLER, Post.CHIEF_ACCOUNTANT]
    else:
        posts += [Post.BOARD_MEMBER, Post.BOARD_MEMBER, Post.CONTROL_HEAD]
    # The people elected by the last term (or founding) congress, for the charter's term.
    start = elected
    end = start + relativedelta(years=cooperative.board_term_years)
    people = []
    for index, post in enumerate(posts):
        name = _name(rng)  # drawn for the first person too, so the rest of the demo stays as it was
        person = Person(
            cooperative=cooperative,
            full_name=cooperative.legal_representative if index == 0 else name,
            birth_year=rng.randint(1960, 1995),
            gender=rng.choice(["nam", "nu"]),
            phone=f"0900 1{cooperative.pk % 100:02d} {index:03d}",
        )
        person.refresh_search_text()
        people.append((person, post))
    bulk_create_with_history([p for p, _ in people], Person)
    positions = [Position(person=p, post=post, term_start=start, term_end=end) for p, post in people]
    if not reduced:
        positions.append(Position(person=people[0][0], post=Post.DIRECTOR, term_start=start, term_end=end))
    bulk_create_with_history(positions, Position)
    return people


def _trainings(rng, people, seq):
    rows = []
    for person, post in people:
        if post in (Post.BOARD_CHAIR, Post.DIRECTOR, Post.CHIEF_ACCOUNTANT) and rng.random() < 0.6:
            course, organiser = rng.choice(COURSES)
            year = TODAY.year if seq % 2 == 0 else rng.choice([2022, 2023, 2024, 2025])
            rows.append(
                Training(person=person, course=course, organiser=organiser, held_on=date(year, 1 + seq % 10, 12))
            )
    Training.objects.bulk_create(rows)


def _evaluations(rng, cooperative, seq, criteria):
    weak = seq % 7 == 3
    made = []
    for year in EVALUATION_YEARS:
        if cooperative.certificate_date.year > year:
            continue
        evaluation = Evaluation(cooperative=cooperative, year=year, evaluated_on=date(year, 12, 15))
        evaluation.months_suspended = 5 if (cooperative.status == Cooperative.Status.SUSPENDED and year == 2025) else 0
        share = rng.uniform(0.25, 0.45) if weak else rng.uniform(0.5, 0.97)
        scores = [
            EvaluationScore(
                criterion=c, points=(c.max_points * Decimal(str(round(share, 2)))).quantize(Decimal("0.01"))
            )
            for c in criteria
        ]
        evaluation.recompute(scores)
        made.append((evaluation, scores))
    bulk_create_with_history([e for e, _ in made], Evaluation)
    all_scores = []
    for evaluation, scores in made:
        for score in scores:
            score.evaluation = evaluation
        all_scores += scores
    EvaluationScore.objects.bulk_create(all_scores)
    for evaluation, _scores in made:
        year = evaluation.year
        if evaluation.grade == Grade.WEAK and year >= 2024:
            plan = ImprovementPlan.objects.create(
                evaluation=evaluation,
                title="Củng cố bộ máy, tổ chức lại sản xuất và mở sổ sách kế toán đầy đủ",
                actions="Kiện toàn Hội đồng quản trị; cử cán bộ đi tập huấn kế toán; xây dựng phương án kinh doanh.",
                responsible="UBND xã phối hợp Liên minh HTX tỉnh",
                deadline=date(year + 1, 6, 30),
            )
            PlanProgress.objects.bulk_create(
                [
                    PlanProgress(
                        plan=plan, on=date(year + 1, 2, 20), note="Đã kiện toàn Hội đồng quản trị.", percent_done=30
                    ),
                    PlanProgress(
                        plan=plan,
                        on=date(year + 1, 5, 10),
                        note="Đã mở sổ kế toán, đang lập phương án.",
                        percent_done=65,
                    ),
                ]
            )


def _group(rng, seq, district, commune) -> int:
    sector, work, sub_sector = GROUP_WORK[seq % len(GROUP_WORK)]
    hamlet = HAMLETS[seq % len(HAMLETS)]
    name = (
        f"Tổ hợp tác {work} {hamlet} {commune.name.replace('Xã ', '').replace('Thị trấn ', '').replace('Phường ', '')}"
    )
    code = f"THT-{district.code}-{seq:03d}"
    contract = date(2016 + seq % 9, 1 + seq % 12, 5)
    leader = _name(rng)
    _group_obj, was_created = Cooperative.objects.get_or_create(
        registration_code=code,
        defaults={
            "kind": Cooperative.Kind.GROUP,
            "name": name,
            "slug": slugify(fold(name))[:240] + f"-{seq}",
            "address": f"{hamlet}, {commune.name}, {district.name}, tỉnh Bạc Liêu",
            "unit": commune,
            "sector": sector,
            "sub_sector": sub_sector,
            "group_leader": leader,
            "legal_representative": leader,
            "representative_title": "Tổ trưởng",
            "cooperation_contract_date": contract,
            "certificate_date": contract,
            "notified_commune": commune,
            "notified_on": contract + timedelta(days=4),
            "status": Cooperative.Status.ACTIVE if seq % 10 else Cooperative.Status.INACTIVE,
            # every tenth group stopped meeting a year after its contract: a status other than active has its date
            "status_since": None if seq % 10 else contract + timedelta(days=365),
            "public_fields": ["address", "legal_representative"],
        },
    )
    return int(was_created)
