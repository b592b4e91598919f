"""Scale data for benchmarks (`manage.py seed_scale`): the registry of seeders and the foundation's own seeders.

`SEEDERS` lists every kind of bulk data the issue's benchmark needs, in order (later seeders read what earlier
ones made). Each entry names a module path; the module has `seed(ctx)` and `reset(ctx)`. A module that does not
exist yet is skipped with a printed note, as `load_demo` skips missing demo modules, so another app adds its
data by writing one module (`fund/scale.py` with `seed`/`reset`) and, if it is not listed below, one line here.

Every row made here is marked so `--reset` can find it again without touching real or demo data:
unit codes, registration codes and usernames start with SCALE- / scale-, slugs with scale-.
Rows are written with bulk_create in batches; models with `search_text` get `refresh_search_text()` first.
Deletes go straight to SQL (no per-row signals: simple_history would otherwise write one history row each).
"""

import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

MARK = "SCALE-"
SKIPPED = "already seeded"  # what a seeder returns when the rows it would make are there already
SLUG_MARK = "scale-"
BATCH = 2000


@dataclass(frozen=True)
class Seeder:
    name: str  # also the command-line option (--cooperatives 10000)
    module: str  # dotted path of a module with seed(ctx) and reset(ctx)
    default: int  # the issue's default size
    help: str
    needs: tuple = ()  # seeders whose rows this one's rows point at: wiping those wipes this one first


SEEDERS = [
    Seeder("agencies", "portal.scale", 200, "cơ quan (kèm đơn vị hành chính và một cán bộ mỗi cơ quan)"),
    Seeder(
        "cooperatives",
        "portal.scale",
        10_000,
        "HTX, liên hiệp, THT, mỗi đơn vị 3 năm số liệu và đại hội",
        needs=("agencies",),
    ),
    Seeder("documents", "portal.scale", 20_000, "văn bản (directives.Document)"),
    Seeder("articles", "public.scale", 50_000, "tin bài"),
    Seeder("loans", "fund.scale", 5_000, "khoản vay kèm lịch trả nợ và các lần trả", needs=("cooperatives",)),
    Seeder(
        "report_requests",
        "directives.scale",
        200,
        "cơ quan nhận yêu cầu báo cáo trong một năm, kèm báo cáo",
        needs=("agencies",),
    ),
    Seeder("visits", "public.scale_visits", 1_000_000, "lượt truy cập, gộp thành dòng theo ngày"),
]


@dataclass
class Context:
    """What a seeder gets: the requested sizes, an output stream, a seeded random generator, its timings."""

    sizes: dict
    out: object
    rng: random.Random = field(default_factory=lambda: random.Random(20220406))
    timings: dict = field(default_factory=dict)

    def say(self, message: str) -> None:
        self.out.write(message)


def bulk(model, rows, batch=BATCH):
    """bulk_create in batches; returns the created objects (with primary keys on PostgreSQL and SQLite)."""
    made = []
    for start in range(0, len(rows), batch):
        made.extend(model.objects.bulk_create(rows[start : start + batch], batch_size=batch))
    return made


def raw_delete(queryset) -> int:
    """Delete without loading rows or sending signals (the rows are ours, made without history either)."""
    return queryset._raw_delete(queryset.db)


# Dispatch: portal.scale holds three seeders, so seed/reset look at which one the command is running.


def seed(ctx: Context, name: str):
    return {"agencies": seed_agencies, "cooperatives": seed_cooperatives, "documents": seed_documents}[name](ctx)


def reset(ctx: Context, name: str) -> None:
    {"agencies": reset_agencies, "cooperatives": reset_cooperatives, "documents": reset_documents}[name](ctx)


# Agencies -----------------------------------------------------------------------------------------------------


def _scale_units():
    from portal.models import AdministrativeUnit

    return AdministrativeUnit.objects.filter(code__startswith=MARK)


def seed_agencies(ctx: Context) -> None:
    """`n` agencies: a tenth of them district committees, the rest commune committees under those districts,
    each on a unit of its own, each with one officer account (role Cán bộ đơn vị)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from portal import roles
    from portal.models import AdministrativeUnit, Agency, User

    n = ctx.sizes["agencies"]
    if Agency.objects.filter(unit__code__startswith=MARK).count() == n:
        ctx.say(f"  agencies: đã có {n}, bỏ qua")
        return SKIPPED
    reset_dependants(ctx, "agencies")  # e.g. scale cooperatives sit on scale communes; their seeders remake them
    reset_agencies(ctx)
    if n == 0:
        return
    province = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE, parent=None).first()
    if province is None:
        raise RuntimeError("Chưa có đơn vị cấp tỉnh: chạy `manage.py load_demo` trước.")
    districts_count = max(1, n // 10)
    districts = bulk(
        AdministrativeUnit,
        [
            AdministrativeUnit(
                code=f"{MARK}{d:03d}",
                name=f"Huyện Quy Mô {d:03d}",
                level=AdministrativeUnit.Level.DISTRICT,
                parent=province,
            )
            for d in range(1, districts_count + 1)
        ],
    )
    communes_count = n - districts_count
    communes = bulk(
        AdministrativeUnit,
        [
            AdministrativeUnit(
                code=f"{MARK}{districts[c % districts_count].code[len(MARK) :]}-{c:04d}",
                name=f"Xã Quy Mô {c:04d}",
                level=AdministrativeUnit.Level.COMMUNE,
                parent=districts[c % districts_count],
            )
            for c in range(1, communes_count + 1)
        ],
    )
    agencies = bulk(
        Agency,
        [
            Agency(
                name=f"Ủy ban nhân dân {unit.name}",
                short_name=f"UBND {unit.name.split(' ', 1)[1]}",
                kind=Agency.Kind.DISTRICT_PC
                if unit.level == AdministrativeUnit.Level.DISTRICT
                else Agency.Kind.COMMUNE_PC,
                unit=unit,
            )
            for unit in [*districts, *communes]
        ],
    )
    # One password hash for all of them: hashing 200 times would take a minute and prove nothing.
    from django.conf import settings

    password = make_password(settings.DEMO_PASSWORD)
    users = bulk(
        User,
        [
            User(
                username=f"{SLUG_MARK}{i:04d}",
                first_name="Cán bộ",
                last_name=f"Quy mô {i:04d}",
                email=f"{SLUG_MARK}{i:04d}@example.invalid",
                password=password,
                agency=agency,
            )
            for i, agency in enumerate(agencies, start=1)
        ],
    )
    group = Group.objects.get(name=roles.AGENCY_OFFICER)
    bulk(User.groups.through, [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users])
    ctx.say(f"  agencies: {len(agencies)} cơ quan, {len(districts) + len(communes)} đơn vị, {len(users)} cán bộ")


def reset_agencies(ctx: Context) -> None:
    from directives.models import TaskAssignment
    from portal.models import Agency, User

    # Through the ORM (a few hundred rows): it also removes what the portal's jobs made for these accounts and
    # agencies (notices, reminders), which raw deletes would leave pointing at nothing. And a `load_demo` older
    # than this one assigned the demo directives' tasks to every district, the scale ones too.
    agencies = Agency.objects.filter(unit__code__startswith=MARK)
    User.objects.filter(username__startswith=SLUG_MARK).delete()
    TaskAssignment.objects.filter(agency__in=agencies).delete()
    agencies.delete()
    units = _scale_units()
    # Demo cooperatives that a `load_demo` older than this one spread over every commune, the scale ones too:
    # a few hundred, with the demo's evaluations and plans, so through the ORM, which follows every cascade.
    from cooperatives.models import Cooperative

    Cooperative.objects.filter(Q(unit__in=units) | Q(notified_commune__in=units)).delete()
    # Through the ORM too (a few hundred rows), for what the demo hangs on every district (unit targets).
    units.filter(level="commune").delete()
    units.delete()


# Cooperatives -------------------------------------------------------------------------------------------------

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
    from cooperatives.models import Congress, Cooperative, Sector, YearlyFigure
    from portal.models import AdministrativeUnit

    n = ctx.sizes["cooperatives"]
    if Cooperative.objects.filter(registration_code__startswith=MARK).count() == n:
        ctx.say(f"  cooperatives: đã có {n}, bỏ qua")
        return SKIPPED
    reset_dependants(ctx, "cooperatives")
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
        made += len(coops)
    ctx.say(f"  cooperatives: {made} đơn vị, {made * len(YEARS)} dòng số liệu năm")


def reset_cooperatives(ctx: Context) -> None:
    """The scale cooperatives and every row hanging on them, including what the registry's own jobs made for them
    (`load_demo` and the nightly task write congress reminders and notices for every cooperative)."""
    from cooperatives import models as m

    coops = m.Cooperative.objects.filter(registration_code__startswith=MARK)
    raw_delete(m.Notice.objects.filter(reminder__cooperative__in=coops))
    raw_delete(m.EvaluationScore.objects.filter(evaluation__cooperative__in=coops))
    raw_delete(m.ImprovementPlan.objects.filter(evaluation__cooperative__in=coops))
    raw_delete(m.Position.objects.filter(person__cooperative__in=coops))
    raw_delete(m.Training.objects.filter(person__cooperative__in=coops))
    raw_delete(m.CongressDocument.objects.filter(congress__cooperative__in=coops))
    for model in (m.CongressReminder, m.Evaluation, m.Person, m.YearlyFigure, m.Congress):
        raw_delete(model.objects.filter(cooperative__in=coops))
    raw_delete(coops)


# Documents ----------------------------------------------------------------------------------------------------

ISSUERS = [
    "Ủy ban nhân dân tỉnh Bạc Liêu",
    "Liên minh Hợp tác xã tỉnh Bạc Liêu",
    "Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu",
    "Sở Kế hoạch và Đầu tư tỉnh Bạc Liêu",
    "Chính phủ",
]
SUBJECTS = [
    "về việc triển khai thực hiện Luật Hợp tác xã năm 2023",
    "về việc báo cáo tình hình phát triển kinh tế tập thể",
    "về việc tổ chức đại hội thành viên thường niên",
    "về việc hỗ trợ hợp tác xã ứng dụng công nghệ cao",
    "về việc củng cố, giải thể hợp tác xã ngừng hoạt động",
    "về kế hoạch phát triển kinh tế tập thể giai đoạn 2021-2025",
]
FIELDS = ["Kinh tế tập thể", "Nông nghiệp", "Tài chính", "Đầu tư", ""]


def seed_documents(ctx: Context) -> None:
    """`n` documents of every type over 2015-2022, with a paragraph of full text each."""
    from directives.models import Document

    n = ctx.sizes["documents"]
    if Document.objects.filter(slug__startswith=SLUG_MARK).count() == n:
        ctx.say(f"  documents: đã có {n}, bỏ qua")
        return SKIPPED
    reset_documents(ctx)
    rng = ctx.rng
    types = list(Document.Type.values)
    made = 0
    for start in range(0, n, BATCH):
        docs = []
        for i in range(start, min(n, start + BATCH)):
            issued = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 8 * 365))
            subject = rng.choice(SUBJECTS)
            doc = Document(
                doc_type=types[i % len(types)],
                number=f"{i + 1}/{issued.year}/QM",
                slug=f"{SLUG_MARK}vb-{i + 1:06d}",
                issuer=rng.choice(ISSUERS),
                signer="Nguyễn Văn A",
                issue_date=issued,
                effective_date=issued + timedelta(days=rng.choice([0, 10, 45])),
                field=rng.choice(FIELDS),
                summary=subject[0].upper() + subject[1:],
                full_text=f"Căn cứ tình hình thực tế, {subject}. " * 5,
                status=Document.Status.IN_FORCE if i % 5 else Document.Status.EXPIRED,
                is_public=i % 10 != 0,
            )
            doc.refresh_search_text()
            docs.append(doc)
        Document.objects.bulk_create(docs, batch_size=BATCH)
        made += len(docs)
    ctx.say(f"  documents: {made} văn bản")


def reset_documents(ctx: Context) -> None:
    from directives.models import Document

    raw_delete(Document.objects.filter(slug__startswith=SLUG_MARK))


# Running ------------------------------------------------------------------------------------------------------


def _load(seeder: Seeder):
    import importlib

    try:
        return importlib.import_module(seeder.module)
    except ModuleNotFoundError as exc:
        if exc.name != seeder.module:
            raise
        return None


def _call(module, action: str, ctx: Context, seeder: Seeder):
    func = getattr(module, action)
    return func(ctx, seeder.name) if module.__name__ == __name__ else func(ctx)


def reset_dependants(ctx: Context, name: str) -> None:
    """Wipe, latest first, every seeder whose rows point (directly or through another) at `name`'s rows,
    before `name` wipes its own: the database would refuse the dangling references. Their seeders remake them."""
    hit, found = {name}, []
    for seeder in SEEDERS:  # listed after what they need
        if hit & set(seeder.needs):
            hit.add(seeder.name)
            found.append(seeder)
    for seeder in reversed(found):
        module = _load(seeder)
        if module is not None:
            _call(module, "reset", ctx, seeder)


def available(seeder: Seeder) -> bool:
    return _load(seeder) is not None


def run(*, sizes: dict, out, reset_only: bool = False, only: list[str] | None = None) -> dict:
    """Seed (or with reset_only wipe) every available seeder.

    Returns {name: seconds, SKIPPED when its rows were there already, or None when its module is missing}.
    A seeder's seed(ctx) returns SKIPPED when it found its rows already made at the requested size."""
    ctx = Context(sizes=sizes, out=out)
    chosen = [s for s in SEEDERS if not only or s.name in only]
    order = list(reversed(chosen)) if reset_only else chosen  # dependants first when wiping
    for seeder in order:
        module = _load(seeder)
        if module is None:
            ctx.timings[seeder.name] = None
            out.write(f"  {seeder.name}: chưa có ({seeder.module} chưa tồn tại), bỏ qua")
            continue
        started = time.perf_counter()
        with transaction.atomic():
            outcome = _call(module, "reset" if reset_only else "seed", ctx, seeder)
        seconds = round(time.perf_counter() - started, 2)
        ctx.timings[seeder.name] = SKIPPED if outcome == SKIPPED else seconds
        if outcome != SKIPPED:
            out.write(f"  {seeder.name}: {seconds} giây")
    return ctx.timings
