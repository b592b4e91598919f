"""tests/infra/flush.py: after a transactional test every table holds exactly the session's starting rows again."""

import pytest
from django.db import connection

from portal.models import AdministrativeUnit, SiteSettings, User
from tests.infra.flush import _baseline, _flushed_tables, _restore


def _every_row() -> dict[str, list]:
    rows = {}
    with connection.cursor() as cursor:
        for table in _flushed_tables(connection):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


@pytest.mark.django_db(transaction=True)
def test_the_restore_puts_back_every_row_changed_added_or_deleted_and_nothing_else(demo):
    assert _baseline, "the session took no baseline"
    _restore(connection)  # whatever ran before (a `manage.py flush` empties the tables, the demo loads again)
    before = _every_row()
    assert sum(map(len, before.values())) > 1000  # the migrations' and the demo's rows
    User.objects.filter(username="donghai").delete()
    AdministrativeUnit.objects.create(code="99-x", name="Xã Thử", level="commune")
    SiteSettings.objects.update(phone="=1+1")
    assert _every_row() != before

    _restore(connection)

    assert _every_row() == before
    assert User.objects.filter(username="donghai").exists()


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_that_rewinds_the_sequences_the_restored_rows_leave_room_for_new_ones(demo):
    """`manage.py flush` (as the backup tests' restore runs it) truncates and rewinds every sequence on PostgreSQL;
    the restore puts rows back with their ids, so the sequences must move past them."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    _restore(connection)
    user = User.objects.create(username="moi-sau-khoi-phuc")
    unit = AdministrativeUnit.objects.create(code="99-y", name="Xã Mới", level="commune")
    assert user.pk > User.objects.exclude(pk=user.pk).order_by("-pk").first().pk
    assert unit.pk > AdministrativeUnit.objects.exclude(pk=unit.pk).order_by("-pk").first().pk


# The two tests below run in this order (pytest-django runs the transactional tests after the others, in file
# order): the first deletes and adds rows and commits; its teardown must put the session's rows back for the second.


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_commits_changes(demo):
    User.objects.filter(username="donghai").delete()
    AdministrativeUnit.objects.create(code="99-z", name="Xã Tạm", level="commune")


@pytest.mark.django_db(transaction=True)
def test_the_next_test_starts_from_the_session_s_rows_again():
    assert User.objects.filter(username="donghai").exists()
    assert not AdministrativeUnit.objects.filter(code="99-z").exists()
