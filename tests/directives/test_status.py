from datetime import date

import pytest
from django.db import IntegrityError

from directives.models import TaskAssignment
from directives.services import assignment_extend

from .factories import assignment

S = TaskAssignment.Status
DEADLINE = date(2022, 6, 30)


@pytest.mark.parametrize(
    ("completed_on", "on", "expected"),
    [
        (None, date(2022, 6, 29), S.IN_PROGRESS),
        (None, DEADLINE, S.IN_PROGRESS),  # the deadline day itself is still within the deadline
        (None, date(2022, 7, 1), S.OVERDUE),
        (date(2022, 6, 30), date(2022, 8, 1), S.DONE_ON_TIME),
        (date(2022, 7, 1), date(2022, 8, 1), S.DONE_LATE),
        # On a day before its completion the assignment was still open: overdue then, done later.
        (date(2022, 9, 15), date(2022, 7, 31), S.OVERDUE),
        (date(2022, 9, 15), date(2022, 6, 1), S.IN_PROGRESS),
        (date(2022, 9, 15), date(2022, 9, 15), S.DONE_LATE),
    ],
)
def test_task_status_at_the_deadline_boundaries(hong_dan, completed_on, on, expected):
    item = assignment(hong_dan, deadline=DEADLINE)
    item.completed_on = completed_on
    assert item.status(on) == expected


def test_an_ongoing_task_is_never_overdue(hong_dan):
    item = assignment(hong_dan, deadline=None, cycle="quarterly")
    assert item.status(date(2030, 1, 1)) == S.IN_PROGRESS
    item.completed_on = date(2022, 5, 1)
    assert item.status(date(2030, 1, 1)) == S.DONE_ON_TIME


def test_an_extension_moves_the_deadline_and_needs_a_reason(hong_dan, alliance_staff):
    item = assignment(hong_dan, deadline=DEADLINE)
    assert item.status(date(2022, 7, 10)) == S.OVERDUE
    assignment_extend(assignment=item, until=date(2022, 7, 31), reason="Chờ số liệu của xã", by=alliance_staff)
    assert item.status(date(2022, 7, 31)) == S.IN_PROGRESS
    assert item.status(date(2022, 8, 1)) == S.OVERDUE
    item.completed_on = date(2022, 7, 20)
    assert item.status(date(2022, 8, 1)) == S.DONE_ON_TIME


def test_the_database_refuses_an_extension_without_a_reason(hong_dan):
    item = assignment(hong_dan, deadline=DEADLINE)
    item.extended_deadline = date(2022, 8, 1)
    with pytest.raises(IntegrityError):
        item.save()


def test_an_officer_cannot_grant_an_extension(hong_dan, officer_hong_dan):
    from django.core.exceptions import PermissionDenied

    item = assignment(hong_dan, deadline=DEADLINE)
    with pytest.raises(PermissionDenied):
        assignment_extend(assignment=item, until=date(2022, 8, 1), reason="Tự gia hạn", by=officer_hong_dan)


def test_an_ongoing_task_needs_a_reporting_cycle(hong_dan):
    with pytest.raises(IntegrityError):
        assignment(hong_dan, deadline=None, cycle="")
