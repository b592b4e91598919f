"""Operations: the tools that run the portal rather than serve its users. Backups and their restore, the health
probe, the scale seeding and demo loading, and the benchmark harness (ops/bench/). Each of them reads every app
(a backup counts every table, the seeder fills every app's tables, the benchmark loads every app's pages), so they
stand on the top floor, below only the wiring in config/; no app reads them, and the kernel stays what its users
need."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Vận hành"
