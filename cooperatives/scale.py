"""Scale data for the registry (`manage.py seed_scale --cooperatives N`): cooperatives with their figures and
congresses, spread over every commune, the scale communes of portal.scale's agencies seeder too. Registration codes
start with SCALE- and slugs with scale-, which is how `reset_cooperatives` finds them. See portal/scale.py for the
conventions.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.dispatch import receiver

from portal.models import AdministrativeUnit
from portal.scale import BATCH, MARK, SKIPPED, SLUG_MARK, Context, Seeder, bulk, raw_delete, scale_agencies_deleting

from . import models as m
from .models import Congress, Cooperative, InvestmentSource, PilotInvestment, Sector, YearlyFigure

NAME_WORDS = [
    "Nông nghiệp",
    "Thủy sản",
    "Tôm lúa",
    "Muối",
    "Dịch vụ",
    "Rau an toàn",
    "Chăn nuôi",
    "Vận tải",
    "Môi trường",
    "Thương mại",
]
PLACE_WORDS = ["Phước Long", "Hồng Dân", "Đông Hải", "Vĩnh Lợi", "Hòa Bình", "Giá Rai", "Ninh Quới", "Gành Hào"]
YEARS = (2019, 2020, 2021)


def seed_cooperatives(ctx: Context) -> None:
    """`n` cooperatives spread over every commune (demo and scale), each with 3 years of figures and annual
    congresses (the last one missing for one in eight, so overdue lists have rows)."""
    n = ctx.sizes["cooperatives"]
    if Cooperative.objects.filter(registration_code__startswith=MARK).count() == n:
        ctx.say(f"  cooperatives: đã có {n}, bỏ qua")
        return SKIPPED
    ctx.reset_dependants("cooperatives")
    reset_cooperatives(ctx)
    if n == 0:
        return
    communes = list(AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.COMMUNE).only("pk", "name"))
    if not communes:
        raise RuntimeError("Chưa có đơn vị cấp xã: chạy `manage.py load_demo` trước.")
    rng = ctx.rng
    sectors = list(Sector.values)
    kinds = [Cooperative.Kind.COOPERATIVE] * 6 + [Cooperative.Kind.GROUP] * 3 + [Cooperative.Kind.UNION]
    statuses = [Cooperative.Status.ACTIVE] * 8 + [Cooperative.Status.SUSPENDED, Cooperative.Status.DISSOLVED]
    made = 0
    for start in range(0, n, BATCH):
        coops = []
        for i in range(start, min(n, start + BATCH)):
            unit = communes[i % len(communes)]
            kind = kinds[i % len(kinds)]
            prefix = {"htx": "Hợp tác xã", "tht": "Tổ hợp tác", "union": "Liên hiệp HTX"}[kind]
            coop = Cooperative(
                kind=kind,
                name=f"{prefix} {rng.choice(NAME_WORDS)} {rng.choice(PLACE_WORDS)} {i + 1:05d}",
                slug=f"{SLUG_MARK}htx-{i + 1:05d}",
                registration_code=f"{MARK}{i + 1:05d}",
                certificate_date=date(2005, 1, 1) + timedelta(days=rng.randrange(0, 5800)),
                tax_code=f"19{i + 1:08d}",
                address=f"Ấp {rng.randrange(1, 20)}, {unit.name}",
                unit=unit,
                sector=sectors[i % len(sectors)],
                charter_capital=Decimal(rng.randrange(50, 5000) * 1_000_000),
                status=statuses[i % len(statuses)],
                is_pilot=i % 50 == 0,
            )
            coop.unit = unit  # search_parts reads unit.name: the commune is already in memory
            coop.refresh_search_text()
            coops.append(coop)
        coops = Cooperative.objects.bulk_create(coops, batch_size=BATCH)
        figures, congresses = [], []
        for coop in coops:
            members = rng.randrange(7, 300)
            for year in YEARS:
                revenue = Decimal(rng.randrange(100, 20_000) * 1_000_000)
                figures.append(
                    YearlyFigure(
                        cooperative=coop,
                        year=year,
                        members_official=members,
                        members_associate=rng.randrange(0, 40),
                        workers=rng.randrange(5, 120),
                        revenue=revenue,
                        profit=(revenue * Decimal(rng.randrange(-5, 25)) / 100).quantize(Decimal(1)),
                        avg_member_income=Decimal(rng.randrange(30, 90) * 1_000_000),
                        assets=Decimal(rng.randrange(200, 50_000) * 1_000_000),
                        keeps_accounts=rng.random() < 0.8,
                    )
                )
                if year == YEARS[-1] and coop.pk % 8 == 0:
                    continue
                held = date(year + 1, 3, rng.randrange(1, 28))
                congresses.append(
                    Congress(
                        cooperative=coop, kind=Congress.Kind.ANNUAL, fiscal_year=year, planned_date=held, held_date=held
                    )
                )
        bulk(YearlyFigure, figures)
        bulk(Congress, congresses)
        # Two investments per pilot, from the index alone (the random stream, and so the rest of the data, stays).
        sources = InvestmentSource.values
        bulk(
            PilotInvestment,
            [
                PilotInvestment(
                    cooperative=coop,
                    year=YEARS[0] + k,
                    source=sources[(coop.pk + k) % len(sources)],
                    amount=Decimal((coop.pk % 9 + 1 + k) * 100_000_000),
                    purpose="Máy móc, nhà xưởng phục vụ thành viên",
                )
                for coop in coops
                if coop.is_pilot
                for k in (0, 1)
            ],
        )
        made += len(coops)
    ctx.say(f"  cooperatives: {made} đơn vị, {made * len(YEARS)} dòng số liệu năm")


def reset_cooperatives(ctx: Context) -> None:
    """The scale cooperatives and every row hanging on them, including what the registry's own jobs made for them
    (`load_demo` and the nightly task write congress reminders and notices for every cooperative)."""
    coops = m.Cooperative.objects.filter(registration_code__startswith=MARK)
    raw_delete(m.Notice.objects.filter(reminder__cooperative__in=coops))
    raw_delete(m.EvaluationScore.objects.filter(evaluation__cooperative__in=coops))
    raw_delete(m.ImprovementPlan.objects.filter(evaluation__cooperative__in=coops))
    raw_delete(m.Position.objects.filter(person__cooperative__in=coops))
    raw_delete(m.Training.objects.filter(person__cooperative__in=coops))
    raw_delete(m.CongressDocument.objects.filter(congress__cooperative__in=coops))
    for model in (m.CongressReminder, m.Evaluation, m.Person, m.YearlyFigure, m.Congress, m.PilotInvestment):
        raw_delete(model.objects.filter(cooperative__in=coops))
    raw_delete(coops)


@receiver(scale_agencies_deleting)
def _remove_demo_cooperatives_on_scale_units(sender, *, units, **kwargs):
    """Demo cooperatives that a `load_demo` older than this one spread over every commune, the scale ones too: a few
    hundred, with the demo's evaluations and plans, so through the ORM, which follows every cascade."""
    Cooperative.objects.filter(Q(unit__in=units) | Q(notified_commune__in=units)).delete()


SEEDERS = [
    Seeder(
        "cooperatives",
        seed_cooperatives,
        reset_cooperatives,
        10_000,
        "HTX, liên hiệp, THT, mỗi đơn vị 3 năm số liệu và đại hội",
        needs=("agencies",),
    ),
]
