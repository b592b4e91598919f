from datetime import date

import pytest

from cooperatives.models import Congress, Cooperative, annual_congress_deadline

from .factories import CongressFactory, CooperativeFactory


def test_a_fiscal_year_ending_before_1_7_2024_has_three_months_under_the_2012_law():
    assert annual_congress_deadline(date(2023, 12, 31)) == date(2024, 3, 31)
    assert annual_congress_deadline(date(2024, 6, 30)) == date(2024, 9, 30)


def test_a_fiscal_year_ending_on_or_after_1_7_2024_has_four_months_under_the_2023_law():
    assert annual_congress_deadline(date(2024, 7, 1)) == date(2024, 11, 1)
    assert annual_congress_deadline(date(2024, 12, 31)) == date(2025, 4, 30)


@pytest.fixture
def coop(hong_dan_commune):
    return CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2015, 5, 10))


def test_the_2023_fiscal_year_congress_is_due_31_3_2024_and_overdue_the_day_after(coop):
    CongressFactory(cooperative=coop, fiscal_year=2022, held_date=date(2023, 3, 20))
    assert coop.next_annual_congress_due(date(2024, 3, 31)) == date(2024, 3, 31)
    assert not coop.is_annual_congress_overdue(date(2024, 3, 31))
    assert coop.is_annual_congress_overdue(date(2024, 4, 1))


def test_the_2024_fiscal_year_congress_is_due_30_4_2025_and_overdue_the_day_after(coop):
    CongressFactory(cooperative=coop, fiscal_year=2023, held_date=date(2024, 3, 1))
    assert coop.next_annual_congress_due(date(2025, 4, 30)) == date(2025, 4, 30)
    assert not coop.is_annual_congress_overdue(date(2025, 4, 30))
    assert coop.is_annual_congress_overdue(date(2025, 5, 1))


def test_holding_the_congress_moves_the_due_date_to_the_next_fiscal_year(coop):
    CongressFactory(cooperative=coop, fiscal_year=2023, held_date=date(2024, 3, 1))
    CongressFactory(cooperative=coop, fiscal_year=2024, held_date=date(2025, 4, 2))
    assert coop.next_annual_congress_due(date(2025, 5, 1)) == date(2026, 4, 30)
    assert not coop.is_annual_congress_overdue(date(2025, 5, 1))


def test_a_planned_but_not_held_congress_does_not_count(coop):
    CongressFactory(cooperative=coop, fiscal_year=2023, held_date=date(2024, 3, 1))
    CongressFactory(cooperative=coop, fiscal_year=2024, planned_date=date(2025, 4, 20))
    assert coop.is_annual_congress_overdue(date(2025, 5, 1))


def test_a_cooperative_registered_after_a_fiscal_year_owes_nothing_for_it(hong_dan_commune):
    young = CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2025, 2, 1))
    assert young.next_annual_congress_due(date(2025, 6, 1)) == date(2026, 4, 30)


def test_eighteen_months_without_an_annual_congress_is_flagged_from_the_next_day(coop):
    CongressFactory(cooperative=coop, fiscal_year=2023, held_date=date(2024, 3, 15))
    assert not coop.months_without_annual_congress_exceeded(date(2025, 9, 15))
    assert coop.months_without_annual_congress_exceeded(date(2025, 9, 16))


def test_the_term_congress_is_due_when_the_boards_term_ends(coop):
    CongressFactory(cooperative=coop, kind=Congress.Kind.FOUNDING, held_date=date(2015, 4, 20))
    assert coop.next_term_congress_due(date(2020, 1, 1)) == date(2020, 4, 20)
    CongressFactory(cooperative=coop, kind=Congress.Kind.TERM, held_date=date(2020, 4, 1))
    coop.board_term_years = 3
    assert coop.next_term_congress_due(date(2021, 1, 1)) == date(2023, 4, 1)
    assert coop.is_term_congress_overdue(date(2023, 4, 2))
    assert not coop.is_term_congress_overdue(date(2023, 4, 1))


def test_a_cooperative_group_owes_no_member_congress(hong_dan_commune):
    group = CooperativeFactory(unit=hong_dan_commune, kind=Cooperative.Kind.GROUP, name="Tổ hợp tác nuôi tôm Ấp 1")
    assert group.next_annual_congress_due(date(2026, 6, 1)) is None
    assert not group.is_annual_congress_overdue(date(2026, 6, 1))
    assert not group.months_without_annual_congress_exceeded(date(2026, 6, 1))


def test_the_overdue_queryset_agrees_with_the_method_in_three_queries(
    coop, hong_dan_commune, django_assert_num_queries
):
    on_time = CooperativeFactory(unit=hong_dan_commune)
    for c in (coop, on_time):
        CongressFactory(cooperative=c, fiscal_year=2023, held_date=date(2024, 3, 1))
    CongressFactory(cooperative=on_time, fiscal_year=2024, held_date=date(2025, 4, 1))
    with django_assert_num_queries(3):
        overdue = set(Cooperative.objects.annual_congress_overdue(date(2025, 5, 1)).values_list("pk", flat=True))
    assert overdue == {coop.pk}


def test_an_annual_congress_must_name_its_fiscal_year(coop):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Congress.objects.create(cooperative=coop, kind=Congress.Kind.ANNUAL, held_date=date(2024, 3, 1))
