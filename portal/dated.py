"""Dated rows: values the law or a province changes from a date on (size classes, debt-group days, lending caps).

Each row holds from its `valid_from`. On a date, the row in force is the latest one from on or before that date;
before the first row a date takes the earliest one, so a figure older than the table is still read by some rule
rather than by none.
"""

from collections.abc import Callable, Hashable, Iterable
from datetime import date
from operator import attrgetter
from typing import TypeVar

Row = TypeVar("Row")


def in_force(
    rows: Iterable[Row],
    on: date,
    *,
    key: Callable[[Row], Hashable] = lambda row: None,
    since: Callable[[Row], date] = attrgetter("valid_from"),
) -> dict[Hashable, Row]:
    """For each `key` of `rows`, the row in force on `on` (of rows from the same day, the last given), else the
    earliest row of that key."""
    chosen = {}
    for row in sorted(rows, key=since):
        k = key(row)
        if k not in chosen or since(row) <= on:
            chosen[k] = row
    return chosen
