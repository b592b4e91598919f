"""Operations: the tools that run the portal rather than serve its users. Backups and their restore, the health
probe, the demo data and scale seeding commands, and the benchmark harness (ops/bench/). They read every app
(load_demo and seed_scale fill every app's tables, the benchmark loads every app's pages and counts their rows), so
they stand on the top floor, below only the wiring in config/; no app reads them, which keeps the kernel down to
what the portal's users need.
"""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Vận hành"
