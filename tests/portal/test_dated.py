"""Dated rows: the row in force on a date, else the earliest; one rule for size classes and the fund's thresholds."""

from dataclasses import dataclass
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.dated import in_force
from tests.properties import examples


@dataclass(frozen=True)
class Rate:
    kind: str
    valid_from: date
    value: int


def test_the_row_in_force_is_the_latest_from_on_or_before_the_date_else_the_earliest():
    rows = [Rate("a", date(2024, 7, 1), 2), Rate("a", date(2020, 1, 1), 1), Rate("b", date(2025, 1, 1), 9)]
    chosen = in_force(rows, date(2024, 12, 31), key=lambda r: r.kind)
    assert {k: r.value for k, r in chosen.items()} == {"a": 2, "b": 9}
    assert in_force(rows, date(2019, 1, 1), key=lambda r: r.kind)["a"].value == 1
    assert in_force(rows, date(2024, 6, 30), key=lambda r: r.kind)["a"].value == 1


@settings(max_examples=examples(100))
@given(
    rows=st.lists(
        st.builds(Rate, st.sampled_from("ab"), st.dates(date(2020, 1, 1), date(2026, 12, 31)), st.integers()),
        max_size=6,
    ),
    on=st.dates(date(2019, 1, 1), date(2027, 12, 31)),
)
def test_in_force_agrees_with_the_brute_force(rows, on):
    chosen = in_force(rows, on, key=lambda r: r.kind)
    for kind in {r.kind for r in rows}:
        mine = [r for r in rows if r.kind == kind]
        current = [r for r in mine if r.valid_from <= on]
        if current:
            latest = max(r.valid_from for r in current)
            assert chosen[kind] == [r for r in current if r.valid_from == latest][-1]
        else:
            assert chosen[kind].valid_from == min(r.valid_from for r in mine)
    assert set(chosen) == {r.kind for r in rows}
