"""The scale-seeding runner behind `manage.py seed_scale` and bench_queries' demo-size pass.

It collects the seeders every installed app declares in its `scale` module (`SEEDERS = [Seeder(...)]`, the toolkit
is portal/scale.py) in INSTALLED_APPS order, app by app and within an app in the order it lists them. INSTALLED_APPS
lists the kernel first and each app after the apps its rows point at, so each seeder runs after the ones it
`needs`; `seeders()` checks that. Each seeder draws from a random generator of its own, so its rows do not depend on
which seeders ran before it (or on `--only`).
"""

import time
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from portal.scale import SKIPPED, Context, Seeder, rng_for


def seeders() -> list[Seeder]:
    """Every installed app's seeders, each after the seeders it needs."""
    found: list[Seeder] = []
    for app in apps.get_app_configs():
        if not module_has_submodule(app.module, "scale"):
            continue
        for seeder in getattr(import_module(f"{app.name}.scale"), "SEEDERS", ()):
            names = {s.name for s in found}
            if seeder.name in names:
                raise ImproperlyConfigured(f"Two seeders are named {seeder.name!r} ({app.name}.scale).")
            missing = set(seeder.needs) - names
            if missing:
                raise ImproperlyConfigured(
                    f"Seeder {seeder.name!r} ({app.name}.scale) needs {', '.join(sorted(missing))}, which no app "
                    "listed before it in INSTALLED_APPS seeds."
                )
            found.append(seeder)
    return found


def run(*, sizes: dict, out, reset_only: bool = False, only: list[str] | None = None) -> dict:
    """Seed (or with reset_only wipe) every seeder, or those named in `only`.

    Returns {name: seconds, or SKIPPED when its rows were there already}. A seeder's seed(ctx) returns SKIPPED
    when it found its rows already made at the requested size."""
    every = seeders()
    ctx = Context(sizes=sizes, out=out, seeders=every)
    chosen = [s for s in every if not only or s.name in only]
    order = list(reversed(chosen)) if reset_only else chosen  # dependants first when wiping
    for seeder in order:
        ctx.rng = rng_for(seeder.name)
        started = time.perf_counter()
        with transaction.atomic():
            outcome = (seeder.reset if reset_only else seeder.seed)(ctx)
        seconds = round(time.perf_counter() - started, 2)
        ctx.timings[seeder.name] = SKIPPED if outcome == SKIPPED else seconds
        if outcome != SKIPPED:
            out.write(f"  {seeder.name}: {seconds} giây")
    return ctx.timings
