from datetime import date

import pytest
from django.core.exceptions import ValidationError

from cooperatives.models import Position, Post
from cooperatives.services import position_assign

from .factories import CooperativeFactory, PersonFactory

START = date(2024, 1, 1)

# Luật HTX 2023, Điều 56: every pair that one person may not hold at once.
CONFLICTING = [
    (Post.BOARD_MEMBER, Post.CONTROL_MEMBER),
    (Post.BOARD_CHAIR, Post.CONTROL_HEAD),
    (Post.BOARD_MEMBER, Post.CONTROLLER),
    (Post.BOARD_MEMBER, Post.CHIEF_ACCOUNTANT),
    (Post.BOARD_CHAIR, Post.TREASURER),
    (Post.CONTROL_MEMBER, Post.DIRECTOR),
    (Post.CONTROLLER, Post.DIRECTOR),
    (Post.CONTROL_HEAD, Post.CHIEF_ACCOUNTANT),
    (Post.CONTROL_MEMBER, Post.TREASURER),
]


@pytest.fixture
def person(hong_dan_commune):
    return PersonFactory(cooperative=CooperativeFactory(unit=hong_dan_commune))


@pytest.mark.parametrize(("first", "second"), CONFLICTING)
def test_conflicting_posts_are_refused_with_a_clear_message_in_either_order(person, first, second):
    position_assign(person=person, post=first, term_start=START)
    with pytest.raises(ValidationError) as caught:
        position_assign(person=person, post=second, term_start=START)
    assert "Một người không được vừa là" in str(caught.value)
    assert Position.objects.filter(person=person).count() == 1


@pytest.mark.parametrize(("first", "second"), CONFLICTING[:3])
def test_the_reverse_order_is_refused_too(person, first, second):
    position_assign(person=person, post=second, term_start=START)
    with pytest.raises(ValidationError):
        position_assign(person=person, post=first, term_start=START)


def test_the_board_chair_may_also_be_the_director(person):
    position_assign(person=person, post=Post.BOARD_CHAIR, term_start=START)
    position_assign(person=person, post=Post.DIRECTOR, term_start=START)
    assert person.positions.count() == 2


def test_conflicting_posts_in_terms_that_do_not_overlap_are_allowed(person):
    position_assign(person=person, post=Post.CONTROL_HEAD, term_start=date(2015, 1, 1), term_end=date(2019, 12, 31))
    position_assign(person=person, post=Post.BOARD_MEMBER, term_start=date(2020, 1, 1))
    assert person.positions.count() == 2


def test_a_term_that_ends_before_it_starts_is_refused(person):
    with pytest.raises(ValidationError, match="Ngày kết thúc"):
        position_assign(person=person, post=Post.DIRECTOR, term_start=date(2024, 1, 1), term_end=date(2023, 1, 1))


def test_the_admin_refuses_conflicting_posts_entered_together(client, superuser, person):
    client.force_login(superuser)
    url = f"/admin/cooperatives/person/{person.pk}/change/"
    data = {
        "cooperative": person.cooperative_id,
        "full_name": person.full_name,
        "birth_year": "",
        "gender": "",
        "phone": "",
        "id_number": "",
        "positions-TOTAL_FORMS": "2",
        "positions-INITIAL_FORMS": "0",
        "positions-0-post": Post.BOARD_MEMBER,
        "positions-0-term_start": "2024-01-01",
        "positions-1-post": Post.CONTROL_MEMBER,
        "positions-1-term_start": "2024-01-01",
        "trainings-TOTAL_FORMS": "0",
        "trainings-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Một người không được vừa là" in response.content.decode()
    assert person.positions.count() == 0
