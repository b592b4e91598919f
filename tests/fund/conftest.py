import pytest

from .factories import capital


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo accounts' passwords are hashed on every test that loads them; MD5 keeps that instant here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads (public and private) land in the test's own folder, never in the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def fund_capital(db):
    return capital()
