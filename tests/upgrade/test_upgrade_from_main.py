"""A database made by an earlier release, migrated by this one, keeps every row.

tests/upgrade/ holds the demo database (`load_demo`, then tests/upgrade/extra_rows.py) as made at commit 151df2b,
the last one before the public site left the kernel app, dumped from SQLite and from PostgreSQL. Each test restores
the dump for the suite's own database engine, runs this checkout's `migrate` on it, and compares: every table keeps
its rows, permissions and the admin's history keep pointing at the same models, the schema is the one a new database
gets, and the demo loaded again adds nothing (so the models read the adopted tables).

To make a new pair after a change of the schema worth testing this way: check out the commit, migrate an empty
database on each engine, run `load_demo` and `manage.py shell < tests/upgrade/extra_rows.py`, then dump it
(SQLite: `iterdump`; PostgreSQL: `pg_dump --no-owner --no-privileges`), gzipped.
"""

import gzip
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

HERE = Path(__file__).parent
COMMIT = "151df2b"
MOVED = {"category", "tag", "article", "historicalarticle", "attachment", "page", "historicalpage", "poll", "choice",
         "vote", "weblinkgroup", "weblink", "dailyvisit", "contactmessage"}  # fmt: skip

pytestmark = pytest.mark.django_db  # the suite's database is not touched; the marker only gives access to the engine


def manage(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class SQLiteFile:
    def __init__(self, path: Path):
        self.path, self.url = path, f"sqlite:///{path}"

    def restore(self, dump: Path) -> None:
        with sqlite3.connect(self.path) as db:
            # Django's own function, which some CHECK constraints of the dump call.
            db.create_function("REGEXP", 2, lambda pattern, value: bool(re.search(pattern, str(value or ""))))
            db.executescript(gzip.decompress(dump.read_bytes()).decode())

    def query(self, sql: str, *params) -> list:
        with sqlite3.connect(self.path) as db:
            return db.execute(sql, params).fetchall()

    def tables(self) -> list[str]:
        return [
            r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        ]

    def columns(self) -> set:
        return {(t, r[1], r[2].lower()) for t in self.tables() for r in self.query(f'PRAGMA table_info("{t}")')}

    def indexes(self) -> set:
        return {
            r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type='index' AND name NOT LIKE 'sqlite_%'")
        }

    def drop(self) -> None:
        self.path.unlink(missing_ok=True)


class PostgresDatabase:
    def __init__(self, name: str, create: bool = True):
        base = settings.DATABASES["default"]
        self.name = name
        self.dsn = {"host": base.get("HOST") or "127.0.0.1", "port": str(base.get("PORT") or 5432),
                    "user": base.get("USER") or "postgres"}  # fmt: skip
        auth = self.dsn["user"] + (f":{base['PASSWORD']}" if base.get("PASSWORD") else "")
        self.url = f"postgres://{auth}@{self.dsn['host']}:{self.dsn['port']}/{name}"
        if create:
            self._admin(f'CREATE DATABASE "{name}"')

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.dsn) as db:
            db.execute(sql)

    def restore(self, dump: Path) -> None:
        env = {**os.environ, "PGPASSWORD": settings.DATABASES["default"].get("PASSWORD") or ""}
        done = subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.dsn["host"], "-p", self.dsn["port"], "-U",
             self.dsn["user"], "-d", self.name],
            input=gzip.decompress(dump.read_bytes()), env=env, capture_output=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr.decode()[-3000:]

    def query(self, sql: str, *params) -> list:
        import psycopg

        with psycopg.connect(dbname=self.name, **self.dsn) as db:
            return db.execute(sql, params).fetchall()

    def tables(self) -> list[str]:
        return [r[0] for r in self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]

    def columns(self) -> set:
        return set(self.query(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'"
        ))  # fmt: skip

    def indexes(self) -> set:
        return {r[0] for r in self.query("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def fresh_database(tmp_path):
    """Makes empty databases of the suite's engine, and removes them afterwards."""
    made = []

    def make():
        if connection.vendor == "postgresql":
            db = PostgresDatabase(f"htx_upgrade_{uuid.uuid4().hex[:10]}")
        else:
            db = SQLiteFile(tmp_path / f"{uuid.uuid4().hex[:10]}.sqlite3")
        made.append(db)
        return db

    yield make
    for db in made:
        db.drop()


def suite_database():
    name = connection.settings_dict["NAME"]
    return PostgresDatabase(name, create=False) if connection.vendor == "postgresql" else SQLiteFile(Path(name))


def counts(db) -> dict:
    return {table: db.query(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in db.tables()}


def group_permissions(db) -> set:
    return set(db.query(
        "SELECT g.name, ct.model, p.codename FROM auth_group g JOIN auth_group_permissions gp ON gp.group_id = g.id "
        "JOIN auth_permission p ON p.id = gp.permission_id JOIN django_content_type ct ON ct.id = p.content_type_id"
    ))  # fmt: skip


def content_types(db) -> dict:
    return {(label, model): pk for pk, label, model in db.query("SELECT id, app_label, model FROM django_content_type")}


def test_a_database_made_at_the_previous_main_keeps_every_row_and_gets_the_new_schema(fresh_database):
    engine = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    old = fresh_database()
    old.restore(HERE / f"main-{COMMIT}.{engine}.sql.gz")
    before, types_before, groups_before = counts(old), content_types(old), group_permissions(old)
    support = old.query("SELECT COUNT(*), SUM(pilot_support) FROM cooperatives_cooperative WHERE pilot_support > 0")[0]
    assert before["portal_article"] > 20 and before["portal_vote"] > 20 and before["portal_historicalarticle"] > 20

    manage(old.url, "migrate", "--noinput")

    after = counts(old)
    # Each pilot's single support amount became one investment: as many, and the same total to the đồng.
    invested = old.query("SELECT COUNT(*), SUM(amount) FROM cooperatives_pilotinvestment")[0]
    assert support[0] > 0 and invested[0] == support[0]
    assert Decimal(str(invested[1])) == Decimal(str(support[1]))
    # Models added since that main bring their own content type and permissions, and nothing else.
    added = set(content_types(old).values()) - set(types_before.values())
    expected = {t: n for t, n in before.items() if t != "django_migrations"}
    if added:
        ids = ", ".join(str(pk) for pk in added)
        expected["django_content_type"] += len(added)
        expected["auth_permission"] += old.query(
            f"SELECT COUNT(*) FROM auth_permission WHERE content_type_id IN ({ids})"
        )[0][0]
        # The roles that cover a whole app (portal.roles) get the new model's permissions too.
        expected["auth_group_permissions"] += old.query(
            "SELECT COUNT(*) FROM auth_group_permissions gp JOIN auth_permission p ON p.id = gp.permission_id "
            f"WHERE p.content_type_id IN ({ids})"
        )[0][0]
    assert {t: after.get(t) for t in before if t != "django_migrations"} == expected
    assert after["django_migrations"] >= before["django_migrations"]

    # The moved models' content types are the same rows, relabelled: permissions, groups, accounts and the admin's
    # log follow them; no second set was made.
    types_after = content_types(old)
    for model in MOVED:
        assert types_after[("public", model)] == types_before[("portal", model)]
        assert ("portal", model) not in types_after
    added_models = {model for (_label, model), pk in types_after.items() if pk in added}
    assert {g for g in group_permissions(old) if g[1] not in added_models} == groups_before
    assert old.query(
        "SELECT ct.app_label, p.codename FROM portal_user_user_permissions up JOIN portal_user u ON u.id = up.user_id "
        "JOIN auth_permission p ON p.id = up.permission_id JOIN django_content_type ct ON ct.id = p.content_type_id "
        "WHERE u.username = 'bientap'"
    ) == [("public", "delete_vote")]  # fmt: skip
    assert old.query(
        "SELECT ct.app_label, ct.model FROM django_admin_log l JOIN django_content_type ct ON ct.id = l.content_type_id"
    ) == [("public", "article")]  # fmt: skip

    # The same schema as a database made by this checkout from nothing: the suite's own test database, which
    # pytest-django made with this checkout's `migrate` (read only, through a connection of its own).
    new = suite_database()
    assert old.columns() == new.columns()
    assert old.indexes() == new.indexes()

    # The models read and write the adopted tables: the demo, loaded again, finds all its rows there.
    # It also counts a visit for each of the last 120 days that has none: the dump was made on 05/12/2026 in
    # Asia/Ho_Chi_Minh, and a run after that day's end there adds the days since.
    visited = {str(row[0]) for row in old.query("SELECT day FROM portal_dailyvisit")}
    today = timezone.localdate()
    new_days = sum(1 for back in range(120) if str(today - timedelta(days=back)) not in visited)
    manage(old.url, "load_demo")
    # Rows the demo makes now that it did not make at that commit: the editors' desk's draft and scheduled article;
    # the alliance's plan 58/KH-LMHTX (a scan) with its file and its relation to Công văn 1047; the letter's PDF
    # attached to the seed article; a head and a deputy who sign the documents of each agency; the demo CA's root
    # and a signing certificate for each of the 19 issuing agencies; the issued documents of the 4 half-year reports
    # that database holds as sent (reports_issue_missing) and the alliance's reminder letter to the 4 units whose
    # report had not arrived, with the register's counters (4 units and the alliance, 2022) and the notifications.
    # Today's tier: Cà Mau's 64 communes, the 31 old communes placed on today's map (and their history), UBND Xã
    # Ninh Quới with its officer `ninhquoi` (a role group, 2 signatories, a signing certificate) and the 2026
    # report request sent to it. Then the half-year report of 2026 it sent (its request, values, transitions, issued
    # document and register counter), and the merger of 2025: Sở NN&PTNT and Sở TN&MT of Bạc Liêu into Sở Nông nghiệp
    # và Môi trường tỉnh Cà Mau (a new agency with 2 signatories and a certificate under a demo root of its own, the
    # change, its 2 agencies before and 11 moves: the officer `sonn`, the sectors they oversee, open appraisals). That
    # database has 2026's targets per district already, so the demo sets none per commune. The 22 assignments of 2022
    # still open there are closed, as staff confirmed them by spring 2023, each with its history row. A poll of 2023,
    # closed, with its 4 choices and 112 votes; and the open data's files, one row for each of the 8 datasets.
    demo_since = {
        "portal_poll": 1,
        "portal_choice": 4,
        "portal_vote": 112,
        "opendata_datasetfile": 8,
        "portal_administrativeunit": 64,
        "portal_unitmapping": 31,
        "portal_historicalunitmapping": 31,
        "portal_agency": 2,
        "portal_user": 1,
        "portal_user_groups": 1,
        "directives_reportrequest": 2,
        "directives_historicalreportrequest": 6,
        "directives_reportrequest_agencies": 2,
        "directives_historicalreportrequest_agencies": 19,
        "portal_registercounter": 6,
        "portal_issueddocument": 6,
        "portal_issueddocument_addressed_to": 4,
        "portal_notification": 4,
        "portal_attachment": 1,
        "portal_article": 2,
        "portal_historicalarticle": 2,
        "portal_signatory": 2 * (after["portal_agency"] + 2),
        "portal_trustedroot": 2,
        "portal_dailyvisit": new_days,
        "portal_signingcertificate": 21,
        "directives_document": 1,
        "directives_historicaldocument": 1,
        "directives_documentfile": 1,
        "directives_historicaldocumentfile": 1,
        "directives_documentrelation": 1,
        "directives_report": 1,
        "directives_historicalreport": 2,
        "directives_reportvalue": 14,
        "directives_historicalreportvalue": 28,
        "directives_reporttransition": 2,
        "portal_agencychange": 1,
        "portal_agencychange_before": 2,
        "portal_agencymove": 11,
        "directives_historicaltaskassignment": 22,
    }
    assert {t: n for t, n in counts(old).items() if t != "django_session"} == {
        t: n + demo_since.get(t, 0) for t, n in after.items() if t != "django_session"
    }
    # Hồng Dân's half-year report issued and signed by its officer; the letter dated after the report's deadline.
    assert old.query("SELECT COUNT(*) FROM portal_issueddocument WHERE signed_pdf <> ''")[0][0] == 1
    assert (
        old.query("SELECT COUNT(*) FROM portal_issueddocument WHERE kind = 'CV' AND issued_on = '2022-07-25'")[0][0]
        == 1
    )
