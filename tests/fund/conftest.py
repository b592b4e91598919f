import pytest

from .factories import capital


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo accounts' passwords are hashed on every test that loads them; MD5 keeps that instant here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fund_capital(db):
    return capital()
