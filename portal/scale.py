"""Scale data for benchmarks (`manage.py seed_scale`): the toolkit every app's seeders use, and the kernel's own
seeder (agencies, with their units and officers).

Each app with bulk data to seed declares it in its own `scale` module, `SEEDERS = [Seeder(...)]`, each naming its
seed(ctx) and reset(ctx). The runner (ops.seeding) collects them from every installed app in INSTALLED_APPS order,
which lists the kernel first and each app after the apps its rows point at, so each seeder runs after the ones it
`needs`. Each seeder draws from a random generator of its own (rng_for), so its rows do not depend on which other
seeders ran before it.

Every row made here is marked so `--reset` can find it again without touching real or demo data:
unit codes, registration codes and usernames start with SCALE- / scale-, slugs with scale-.
Rows are written with bulk_create in batches; models with `search_text` get `refresh_search_text()` first.
Deletes go straight to SQL (no per-row signals: simple_history would otherwise write one history row each).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.dispatch import Signal

from . import roles
from .models import AdministrativeUnit, Agency, User

MARK = "SCALE-"
SKIPPED = "already seeded"  # what a seeder returns when the rows it would make are there already
SLUG_MARK = "scale-"
BATCH = 2000
RANDOM_SEED = 20220406


@dataclass(frozen=True)
class Seeder:
    name: str  # also the command-line option (--cooperatives 10000)
    seed: Callable  # seed(ctx): makes ctx.sizes[name] rows; returns SKIPPED when they were there already
    reset: Callable  # reset(ctx): removes every row seed made
    default: int  # the default size
    help: str
    needs: tuple = ()  # seeders whose rows this one's rows point at: wiping those wipes this one first


def rng_for(name: str) -> random.Random:
    """The seeder `name`'s own generator: the same rows whatever ran before it (a string seed is hashed the same
    way in every process)."""
    return random.Random(f"{RANDOM_SEED}:{name}")


@dataclass
class Context:
    """What a seeder gets: the requested sizes, an output stream, a seeded random generator, its timings, and
    every seeder of the run (in order), so that it can wipe the ones that stand on its rows."""

    sizes: dict
    out: object
    rng: random.Random = field(default_factory=lambda: random.Random(RANDOM_SEED))
    timings: dict = field(default_factory=dict)
    seeders: list = field(default_factory=list)

    def say(self, message: str) -> None:
        self.out.write(message)

    def reset_dependants(self, name: str) -> None:
        """Wipe, latest first, every seeder whose rows point (directly or through another) at `name`'s rows,
        before `name` wipes its own: the database would refuse the dangling references. Their seeders remake
        them."""
        hit, found = {name}, []
        for seeder in self.seeders:  # listed after what they need
            if hit & set(seeder.needs):
                hit.add(seeder.name)
                found.append(seeder)
        for seeder in reversed(found):
            seeder.reset(self)


def bulk(model, rows, batch=BATCH):
    """bulk_create in batches; returns the created objects (with primary keys on PostgreSQL and SQLite)."""
    made = []
    for start in range(0, len(rows), batch):
        made.extend(model.objects.bulk_create(rows[start : start + batch], batch_size=batch))
    return made


def raw_delete(queryset) -> int:
    """Delete without loading rows or sending signals (the rows are ours, made without history either)."""
    return queryset._raw_delete(queryset.db)


# Sent just before the scale agencies and their units are deleted, with `agencies` and `units` (querysets). An app
# that hangs rows on them outside its own seeder removes those rows in a receiver, or the database would refuse the
# delete: a `load_demo` older than this one spread demo cooperatives over every commune and assigned the demo
# directives' tasks to every district, the scale ones too (cooperatives.scale, directives.scale).
scale_agencies_deleting = Signal()


# Agencies -----------------------------------------------------------------------------------------------------


def _scale_units():
    return AdministrativeUnit.objects.filter(code__startswith=MARK)


def seed_agencies(ctx: Context) -> None:
    """`n` agencies: a tenth of them district committees, the rest commune committees under those districts,
    each on a unit of its own, each with one officer account (role Cán bộ đơn vị)."""
    n = ctx.sizes["agencies"]
    if Agency.objects.filter(unit__code__startswith=MARK).count() == n:
        ctx.say(f"  agencies: đã có {n}, bỏ qua")
        return SKIPPED
    ctx.reset_dependants("agencies")  # e.g. scale cooperatives sit on scale communes; their seeders remake them
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
    # Through the ORM (a few hundred rows): it also removes what the portal's jobs made for these accounts and
    # agencies (notices, reminders), which raw deletes would leave pointing at nothing.
    agencies = Agency.objects.filter(unit__code__startswith=MARK)
    units = _scale_units()
    User.objects.filter(username__startswith=SLUG_MARK).delete()
    scale_agencies_deleting.send(sender=Seeder, agencies=agencies, units=units)
    agencies.delete()
    # Through the ORM too (a few hundred rows), for what the demo hangs on every district (unit targets).
    units.filter(level="commune").delete()
    units.delete()


SEEDERS = [
    Seeder("agencies", seed_agencies, reset_agencies, 200, "cơ quan (kèm đơn vị hành chính và một cán bộ mỗi cơ quan)"),
]
