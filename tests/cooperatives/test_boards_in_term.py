"""Boards in term: the selector's answer equals a plain recomputation, and expired boards are flagged."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cooperatives.models import Congress, Cooperative, GovernanceForm, Person, Position, Post
from cooperatives.selectors import BOARD_POSTS_BY_FORM, board_expired_q, with_board_status
from tests.properties import examples

from .factories import CooperativeFactory

AS_OF = date(2026, 6, 30)
DAY0 = date(2015, 1, 1)

# Dates on a coarse grid, so that a congress on the very day a term ends (or as_of) comes up often.
dates = st.integers(min_value=0, max_value=40).map(lambda n: DAY0 + timedelta(days=90 * n))


def rarely_none(strategy):
    return st.tuples(st.integers(min_value=0, max_value=7), strategy).map(lambda t: None if t[0] == 0 else t[1])


posts = st.sampled_from([Post.BOARD_CHAIR, Post.BOARD_MEMBER, Post.DIRECTOR, Post.DIRECTOR, Post.TREASURER])
positions = st.lists(
    st.tuples(posts, rarely_none(dates), rarely_none(st.integers(min_value=0, max_value=24).map(lambda n: 90 * n))),
    min_size=1,
    max_size=3,
)
kinds = st.sampled_from([Congress.Kind.TERM, Congress.Kind.TERM, Congress.Kind.ANNUAL, Congress.Kind.FOUNDING])
congresses = st.lists(st.tuples(kinds, dates.map(lambda d: d + timedelta(days=900))), max_size=3)
cooperatives = st.lists(
    st.tuples(st.sampled_from([GovernanceForm.FULL, GovernanceForm.REDUCED]), positions, congresses),
    min_size=1,
    max_size=4,
)


def expected(form, rows, held, as_of):
    """The rule of board_in_term_q, in plain Python: (has a board, board in term)."""
    board = [(s, e) for post, s, e in rows if post in BOARD_POSTS_BY_FORM[form] and (s is None or s <= as_of)]
    if not board:
        return False, False
    if any(e is None or e >= as_of for _s, e in board):
        return True, True
    last_end = max(e for _s, e in board)
    renewed = any(kind == Congress.Kind.TERM and last_end < d <= as_of for kind, d in held)
    return True, renewed


@pytest.mark.django_db
@settings(max_examples=examples(60))
@given(data=cooperatives, as_of=dates.map(lambda d: d + timedelta(days=900)))
def test_the_board_selector_agrees_with_a_plain_recomputation(hong_dan_commune, data, as_of):
    made = {}
    for form, rows, held in data:
        coop = CooperativeFactory(unit=hong_dan_commune, governance_form=form)
        for index, (post, start, length) in enumerate(rows):
            end = None if start is None or length is None else start + timedelta(days=length)
            # One person per position: the conflict rules are not what this test is about.
            person = Person.objects.create(cooperative=coop, full_name=f"Người {index}")
            Position.objects.create(person=person, post=post, term_start=start, term_end=end)
            rows[index] = (post, start, end)
        for kind, held_date in held:
            Congress.objects.create(cooperative=coop, kind=kind, held_date=held_date, fiscal_year=held_date.year)
        made[coop.pk] = expected(form, rows, held, as_of)
    got = {
        c.pk: (c.has_board, c.board_in_term) for c in with_board_status(Cooperative.objects.filter(pk__in=made), as_of)
    }
    assert got == made
    expired = set(Cooperative.objects.filter(pk__in=made).filter(board_expired_q(as_of)).values_list("pk", flat=True))
    assert expired == {pk for pk, (has, in_term) in made.items() if has and not in_term}


@pytest.mark.parametrize("size", [3, 12])
def test_board_status_costs_one_query_at_any_size(django_assert_num_queries, hong_dan_commune, size):
    for _ in range(size):
        person = Person.objects.create(cooperative=CooperativeFactory(unit=hong_dan_commune), full_name="Lê Thử")
        Position.objects.create(person=person, post=Post.BOARD_CHAIR, term_start=date(2020, 1, 1))
    with django_assert_num_queries(1):
        rows = list(with_board_status(Cooperative.objects.all(), AS_OF))
    assert len(rows) == size and all(r.board_in_term for r in rows)


def _board(coop, start, end, post=Post.BOARD_CHAIR):
    person = Person.objects.create(cooperative=coop, full_name="Trần Thị Thử")
    return Position.objects.create(person=person, post=post, term_start=start, term_end=end)


def _status(coop, as_of):
    row = with_board_status(Cooperative.objects.filter(pk=coop.pk), as_of).get()
    return row.has_board, row.board_in_term


def test_a_term_ending_on_the_day_is_still_in_term_and_out_the_day_after(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune)
    _board(coop, date(2021, 3, 15), date(2026, 3, 15))
    assert _status(coop, date(2026, 3, 15)) == (True, True)
    assert _status(coop, date(2026, 3, 16)) == (True, False)


def test_only_a_term_congress_after_the_end_renews_the_term(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune)
    _board(coop, date(2021, 3, 15), date(2026, 3, 15))
    Congress.objects.create(cooperative=coop, kind=Congress.Kind.TERM, held_date=date(2026, 3, 15))
    Congress.objects.create(cooperative=coop, kind=Congress.Kind.ANNUAL, fiscal_year=2025, held_date=date(2026, 4, 2))
    assert _status(coop, date(2026, 5, 1)) == (True, False)
    Congress.objects.create(cooperative=coop, kind=Congress.Kind.TERM, held_date=date(2026, 5, 1))
    assert _status(coop, date(2026, 4, 30)) == (True, False)
    assert _status(coop, date(2026, 5, 1)) == (True, True)


def test_in_the_reduced_form_the_director_is_the_board(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune, governance_form=GovernanceForm.REDUCED)
    _board(coop, date(2024, 1, 1), date(2029, 1, 1), post=Post.DIRECTOR)
    assert _status(coop, date(2026, 1, 1)) == (True, True)
    coop.governance_form = GovernanceForm.FULL
    coop.save()
    assert _status(coop, date(2026, 1, 1)) == (False, False)
