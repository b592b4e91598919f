import pytest

from .factories import capital


@pytest.fixture
def fund_capital(db):
    return capital()
