"""After a transactional test: the PostgreSQL test database emptied with DELETE instead of TRUNCATE, and every
table given back the rows the session started with (below).

Tests on `transactional_db` or `live_server` (and Django's TransactionTestCase) commit for real, so the database is
flushed after each of them. On PostgreSQL Django flushes with one `TRUNCATE` of every table: PostgreSQL gives each
table, index and TOAST table a new file, and the old ones are removed at commit, a fixed cost per table whether it
holds a row or not. On a database of a hundred small tables a `DELETE FROM` of each, in the same single transaction,
empties the same tables in a fraction of that time (measured: 0.2 s instead of 5 s on the loaded CI machine).

The foreign keys Django creates on PostgreSQL are DEFERRABLE INITIALLY DEFERRED, and the statements run in the one
transaction `execute_sql_flush` opens, so the order of the deletes does not matter: the constraints are checked at
commit, when every table is empty. A flush that must also reset sequences or cascade to other tables (neither is
asked for by pytest-django's fixtures) keeps Django's own TRUNCATE.
"""

from contextlib import contextmanager


@contextmanager
def delete_instead_of_truncate():
    """While the block runs, flushes on PostgreSQL delete the rows of each table instead of truncating them."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))}" for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush
    try:
        yield
    finally:
        DatabaseOperations.sql_flush = truncate


# --- back to the session's starting rows, instead of empty ----------------------------------------------------------
#
# After the flush the database was empty, and the next test to ask for the foundation's demo (`demo`, tests/conftest.py)
# loaded it again: 1.9 s on SQLite, more on PostgreSQL, after every one of the suite's hundred-odd transactional and
# browser tests, and Django's post_migrate work (content types, permissions, the role groups) on top. Instead, the rows
# the session started with (the migrations' and the demo's, read once right after the demo first loaded) are written
# back in the flush's own transaction: PostgreSQL's COPY, SQLite's executemany. The next test starts where every test
# of the session starts.

_baseline: dict[str, tuple] = {}
_sequences: list[str] = []  # PostgreSQL: statements that move each restored table's id sequence past its rows


def take_baseline(connection) -> None:
    """Remember every row of every table the flush empties (call it once the session's demo is loaded)."""
    _baseline.clear()
    _sequences.clear()
    with connection.cursor() as cursor:
        for table in _flushed_tables(connection):
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quoted} TO STDOUT") as copy:
                    data = b"".join(bytes(block) for block in copy)
                if data:
                    _baseline[table] = (data,)
            else:
                cursor.execute(f"SELECT * FROM {quoted}")
                rows = cursor.fetchall()
                if rows:
                    _baseline[table] = (len(cursor.description), rows)
    if connection.vendor == "postgresql":
        _sequences.extend(_sequence_statements(connection))


def _sequence_statements(connection) -> list[str]:
    """A `manage.py flush` (a backup test's restore) rewinds PostgreSQL's sequences to 1: after the baseline's rows
    are back, the next row saved would take an id they hold. Each statement moves one table's sequence to its
    highest id when it stands below it, never back."""
    from django.apps import apps

    statements = []
    for model in apps.get_models(include_auto_created=True):
        table, pk = model._meta.db_table, model._meta.pk
        if table not in _baseline or pk.get_internal_type() not in ("AutoField", "BigAutoField", "SmallAutoField"):
            continue
        quoted, column = connection.ops.quote_name(table), connection.ops.quote_name(pk.column)
        statements.append(
            f"SELECT setval(s, m) FROM (SELECT pg_get_serial_sequence('{quoted}', '{pk.column}')::regclass AS s, "
            f"(SELECT max({column}) FROM {quoted}) AS m) AS t "
            "WHERE m IS NOT NULL AND COALESCE(pg_sequence_last_value(s), 0) < m"
        )
    return statements


def _flushed_tables(connection) -> list[str]:
    return connection.introspection.django_table_names(only_existing=True, include_views=False)


def _restore(connection) -> None:
    from django.core.management.color import no_style
    from django.core.management.sql import sql_flush
    from django.db import transaction

    statements = sql_flush(no_style(), connection, reset_sequences=False, allow_cascade=False)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        for table, saved in _baseline.items():
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quoted} FROM STDIN") as copy:
                    copy.write(saved[0])
            else:  # SQLite: an explicit id moves the table's sqlite_sequence forward by itself
                width, rows = saved
                cursor.executemany(f"INSERT INTO {quoted} VALUES ({', '.join(['%s'] * width)})", rows)
        for sql in _sequences:
            cursor.execute(sql)


@contextmanager
def back_to_baseline_after_each_transactional_test():
    """While the block runs, a transactional test's teardown puts back the baseline rows (take_baseline) rather than
    leave the tables empty. A test case that flushes only some apps or keeps serialized rows flushes as Django does."""
    from django.db import connections
    from django.test import TransactionTestCase

    flush = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        if not _baseline or self.available_apps is not None or self.serialized_rollback:
            return flush(self)
        for alias in self._databases_names(include_mirrors=False):
            _restore(connections[alias])

    TransactionTestCase._fixture_teardown = _fixture_teardown
    try:
        yield
    finally:
        TransactionTestCase._fixture_teardown = flush
        _baseline.clear()
        _sequences.clear()
