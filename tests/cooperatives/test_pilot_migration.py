"""The migration that turns each cooperative's single pilot support amount into an investment record."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("cooperatives", "0012_dated_size_thresholds")]
AFTER = [("cooperatives", "0013_pilot_investment")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _migrate_to_latest():
    """Every app at its latest migration again (not only AFTER: later migrations of the app add columns too)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_apps(transactional_db, units):
    """The schema as it was before the migration; migrated forward again whatever the test did."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate_to_latest()


def _old_cooperative(apps, unit, n, support, certificate=date(2015, 5, 10), **extra):
    Cooperative = apps.get_model("cooperatives", "Cooperative")
    return Cooperative.objects.create(
        name=f"Hợp tác xã Thử {n}",
        slug=f"htx-thu-{n}",
        registration_code=f"52010{n:05d}",
        certificate_date=certificate,
        unit_id=unit.pk,
        sector="crops",
        pilot_support=support,
        **extra,
    )


def test_every_amount_becomes_one_investment_and_the_total_is_kept_to_the_dong(old_apps, units):
    unit = units["Xã Ninh Quới"]
    amounts = [Decimal("1500000000"), Decimal("123456789012347"), Decimal("1"), Decimal("0")]
    old = [_old_cooperative(old_apps, unit, n, amount, is_pilot=n < 2) for n, amount in enumerate(amounts)]
    # One amount whose entry is on record: the year it was first recorded is the year it is filed under.
    Historical = old_apps.get_model("cooperatives", "HistoricalCooperative")
    recorded = Historical.objects.create(
        id=old[0].pk,
        name=old[0].name,
        slug=old[0].slug,
        registration_code=old[0].registration_code,
        certificate_date=old[0].certificate_date,
        unit_id=unit.pk,
        sector="crops",
        pilot_support=amounts[0],
        history_date=datetime(2021, 6, 1, 3, 0, tzinfo=UTC),
        history_type="~",
    )
    assert recorded.pk

    _migrate(AFTER)

    from cooperatives.models import Cooperative, InvestmentSource, PilotInvestment

    rows = {i.cooperative_id: i for i in PilotInvestment.objects.all()}
    assert set(rows) == {old[0].pk, old[1].pk, old[2].pk}  # none for the cooperative with 0
    assert sum(i.amount for i in rows.values()) == sum(amounts)
    for cooperative, amount in zip(old[:3], amounts[:3], strict=True):
        assert rows[cooperative.pk].amount == amount
        assert rows[cooperative.pk].source == InvestmentSource.OTHER
        assert "bổ sung năm" in rows[cooperative.pk].purpose
    assert rows[old[0].pk].year == 2021  # first recorded
    assert rows[old[1].pk].year == 2015  # no history: the year of registration
    # Still a pilot: the flag is set where it was not, and the new rule agrees.
    assert Cooperative.objects.get(pk=old[2].pk).is_pilot
    assert set(Cooperative.objects.pilots().values_list("pk", flat=True)) == {c.pk for c in old[:3]}
    assert not any(f.name == "pilot_support" for f in Cooperative._meta.get_fields())


def test_going_back_gives_each_cooperative_the_sum_of_its_investments(old_apps, units):
    unit = units["Xã Ninh Quới"]
    cooperative = _old_cooperative(old_apps, unit, 7, Decimal("300000000"), is_pilot=True)
    _migrate(AFTER)
    from cooperatives.models import InvestmentSource, PilotInvestment

    PilotInvestment.objects.create(
        cooperative_id=cooperative.pk, year=2024, source=InvestmentSource.PROVINCE, amount=200_000_000, purpose="Kho"
    )

    back = _migrate(BEFORE)

    assert back.get_model("cooperatives", "Cooperative").objects.get(pk=cooperative.pk).pilot_support == 500_000_000
