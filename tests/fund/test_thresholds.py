"""The figures the law may change are dated rows with their legal source: a figure for a date uses the values
then in force, staff edit them in the admin, and every edit keeps its history."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cooperatives.models import SizeClass, SizeThreshold, YearlyFigure
from fund import services
from fund.ledger import Thresholds
from fund.models import FundThreshold, thresholds_on

from .factories import LoanFactory, ProductFactory, booked_loan, fresh

D = Decimal
BN = D(1_000_000_000)


def test_the_values_in_force_are_seeded_with_their_legal_sources(db):
    assert set(FundThreshold.objects.values_list("key", flat=True)) == set(FundThreshold.Key.values)
    assert not FundThreshold.objects.filter(legal_source="").exists()
    assert thresholds_on(date(2025, 1, 1)) == Thresholds()
    in_force = FundThreshold.objects.filter(valid_from__lte=date(2025, 1, 1)).order_by("valid_from")
    sources = dict(in_force.values_list("key", "legal_source"))
    assert "Thông tư 31/2024/TT-NHNN" in sources["group3_days"]
    assert "Nghị định 45/2021/NĐ-CP" in sources["single_borrower_cap_pct"]


def test_a_figure_for_a_past_date_uses_the_day_limits_then_in_force(db, fund_officer):
    FundThreshold.objects.create(
        key="group3_days", value=61, valid_from=date(2024, 4, 1), legal_source="Quy chế cho vay của Quỹ (thử)"
    )
    # Nothing paid since the first due date 15/02/2024.
    loan = fresh(booked_loan(by=fund_officer))
    before = loan.state(date(2024, 3, 31))  # 45 days late, the old limits: group 2
    assert (before.days_past_due, before.debt_group) == (45, 2)
    assert loan.state(date(2024, 4, 20)).debt_group == 3  # 65 days late, 61 days is group 3 from 01/04/2024
    assert loan.debt_group(date(2024, 3, 31)) == 2  # the past figure does not move


def test_a_day_limit_edit_is_seen_at_once(db, fund_officer):
    loan = fresh(booked_loan(by=fund_officer))
    on = date(2024, 2, 15) + timedelta(days=95)
    assert loan.debt_group(on) == 3
    FundThreshold.objects.create(key="group3_days", value=120, valid_from=date(2024, 1, 1), legal_source="Thử")
    assert loan.debt_group(on) == 2


def test_day_limits_that_do_not_rise_from_group_to_group_are_refused_in_vietnamese(db):
    row = FundThreshold(key="group3_days", value=200, valid_from=date(2025, 1, 1), legal_source="Thử")
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "phải tăng dần" in " ".join(refused.value.messages)
    row = FundThreshold(key="single_borrower_cap_pct", value=30, valid_from=date(2025, 1, 1), legal_source="Thử")
    with pytest.raises(ValidationError):
        row.full_clean()


def test_fund_staff_edit_a_threshold_in_the_admin_and_the_old_value_stays_in_the_history(client, fund_officer):
    client.force_login(fund_officer)
    assert client.get("/admin/fund/fundthreshold/").status_code == 200
    form = {
        "key": "single_borrower_cap_pct",
        "value": "12",
        "valid_from": "01/01/2026",
        "legal_source": "Nghị định 253/2025/NĐ-CP",
    }
    response = client.post("/admin/fund/fundthreshold/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert thresholds_on(date(2026, 1, 1)).single_borrower_cap_pct == D(12)
    assert thresholds_on(date(2025, 12, 31)).single_borrower_cap_pct == D(15)
    row = FundThreshold.objects.get(key="single_borrower_cap_pct", valid_from=date(2026, 1, 1))
    response = client.post(f"/admin/fund/fundthreshold/{row.pk}/change/", dict(form, value="14"))
    assert response.status_code == 302
    assert thresholds_on(date(2026, 1, 1)).single_borrower_cap_pct == D(14)
    assert [(h.value, h.history_user) for h in row.history.all()] == [(D(14), fund_officer), (D(12), fund_officer)]
    bad = dict(form, value="13", valid_from="02/01/2026", key="group2_days")
    bad["value"] = "95"
    page = client.post("/admin/fund/fundthreshold/add/", bad)
    assert page.status_code == 200 and "phải tăng dần" in page.content.decode()
    assert "02/01/2026" in page.content.decode()  # what was typed is kept


def test_the_overdue_interest_of_a_loan_never_exceeds_the_ceiling_in_force_at_approval(db, fund_officer):
    product = ProductFactory.build(overdue_multiplier=D("2"))
    with pytest.raises(ValidationError) as refused:
        product.full_clean()
    assert "không vượt quá 1,5 lần" in " ".join(refused.value.messages)


def test_a_products_day_count_is_copied_to_the_loan_at_approval(db, fund_capital, fund_officer, officer_hong_dan):
    from .test_limits import approve, in_appraisal

    loan = in_appraisal(officer_hong_dan, product=ProductFactory(day_count="actual_365"))
    loan = approve(loan, fund_officer)
    assert loan.day_count == "actual_365" and loan.terms().day_count == "actual_365"
    assert fresh(loan).overdue_multiplier == D("1.5")


def test_the_cap_shares_come_from_the_rows_in_force(db, fund_capital):
    FundThreshold.objects.create(key="related_group_cap_pct", value=20, valid_from=date(2024, 1, 1), legal_source="Thử")
    checks = services.loan_eligibility(loan=LoanFactory(), on=date(2024, 6, 1))
    assert "tối đa 20%" in next(c.label for c in checks if c.code == "group_limit")


def test_a_size_figure_uses_the_thresholds_in_force_at_the_end_of_its_year(db):
    SizeThreshold.objects.create(
        sector_group="agriculture",
        size_class="large",
        min_members=400,
        min_revenue=60 * BN,
        min_capital=20 * BN,
        valid_from=date(2026, 1, 1),
        legal_source="Nghị định sửa đổi (thử)",
    )
    for year, size in ((2025, SizeClass.LARGE), (2026, SizeClass.MEDIUM)):
        figure = YearlyFigure(year=year, members_official=300, revenue=50 * BN, assets=0)
        assert SizeThreshold.classify("crops", figure) == size
    # A year before the first row is recorded uses the earliest rows.
    assert SizeThreshold.classify("crops", YearlyFigure(year=2020, members_official=300, revenue=50 * BN)) == "large"


def test_another_process_sees_an_edited_threshold_at_once(db):
    from fund import models

    on = date(2026, 1, 1)
    assert thresholds_on(on).single_borrower_cap_pct == D(15)
    other_process = dict(models._threshold_memo)  # what a worker remembers before the edit
    FundThreshold.objects.create(key="single_borrower_cap_pct", value=12, valid_from=on, legal_source="Thử")
    models._threshold_memo.clear()
    models._threshold_memo.update(other_process)
    assert thresholds_on(on).single_borrower_cap_pct == D(12)


def test_thresholds_are_read_from_the_database_when_the_shared_cache_is_down(db, settings):
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
        "counters": {"BACKEND": "portal.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/1"},
    }
    FundThreshold.objects.create(
        key="single_borrower_cap_pct", value=11, valid_from=date(2026, 1, 1), legal_source="Thử"
    )
    assert thresholds_on(date(2026, 1, 2)).single_borrower_cap_pct == D(11)


def test_with_no_rows_the_built_in_values_are_the_migrations_latest(db):
    migration = __import__("importlib").import_module("fund.migrations.0008_thresholds_and_day_count")
    FundThreshold.objects.all().delete()
    latest = {}
    for key, value, _valid_from, _source in sorted(migration.SEED, key=lambda r: r[2]):
        latest[key] = value
    built_in = thresholds_on(date(2026, 1, 1))
    assert {key: getattr(built_in, key) for key in latest} == latest


def test_a_threshold_reads_with_a_decimal_comma():
    row = FundThreshold(key="overdue_multiple_max", value=D("1.50"), valid_from=date(2017, 3, 15), legal_source="x")
    assert str(row) == "Lãi quá hạn tối đa (bội số lãi suất trong hạn): 1,5 từ 15/03/2017"
