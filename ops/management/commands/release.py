"""manage.py release: the one step of an upgrade that touches the shared database, run once before the hosts roll.

Django takes no lock around `migrate`: two hosts migrating at once both see a migration unapplied and both run it
(one then fails on a table that already exists, or worse, half of a data migration runs twice). Here `migrate` runs
under a PostgreSQL advisory lock (session level, a fixed key, on the primary), so a second `release` started at the
same moment (two hosts' deploy scripts, an operator's second terminal) waits, then finds nothing left to do.
`--backup` takes one backup (ops.backup) before the first migration is applied, and none when there is nothing to
migrate, so N hosts never make N backups. SQLite has one writer and no second host: it just migrates.
"""

import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from ops.backup import BackupError, create_backup

# pg_advisory_lock's key: any fixed 64-bit number that nothing else of ours locks. "HTXMIGR" in ASCII.
LOCK_KEY = 0x48_54_58_4D_49_47_52


@contextmanager
def migration_lock(connection, say):
    """Hold the migration lock on `connection` (PostgreSQL) for the block; elsewhere, nothing to hold."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            say("Một tiến trình release khác đang chạy migrate; chờ nó xong...")
            started = time.monotonic()
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            say(f"Đã chờ {time.monotonic() - started:.1f} giây; tiếp tục.")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def pending_migrations(connection) -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan]


class Command(BaseCommand):
    help = (
        "Bước nâng cấp chạy một lần trước khi thay mã trên các máy chủ: migrate dưới khóa của PostgreSQL "
        "(pg_advisory_lock), nên hai lệnh chạy cùng lúc không cùng migrate; --backup sao lưu một lần trước đó."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--backup", action="store_true", help="Sao lưu (manage.py backup) trước khi migrate, nếu có gì để migrate."
        )
        parser.add_argument("--dest", type=Path, default=None, help="Thư mục chứa bản sao lưu.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Cơ sở dữ liệu chính (primary).")

    def handle(self, *args, backup, dest, database, verbosity, **options):
        connection = connections[database]
        with migration_lock(connection, self.stdout.write):
            pending = pending_migrations(connection)
            if not pending:
                self.stdout.write("Không có migration nào cần chạy.")
                return
            self.stdout.write(f"Cần chạy {len(pending)} migration: {', '.join(pending)}")
            if backup:
                try:
                    folder = create_backup(dest or settings.PORTAL_BACKUP_DIR)
                except BackupError as error:
                    raise CommandError(f"Sao lưu không được, chưa migrate gì: {error}") from error
                self.stdout.write(f"Đã sao lưu: {folder}")
            call_command("migrate", database=database, interactive=False, verbosity=verbosity)
            self.stdout.write("Đã migrate xong.")
