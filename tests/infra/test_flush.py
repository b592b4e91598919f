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
