import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo accounts are hashed on every test that loads them; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads (public and private) land in the test's own folder, never in the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def units(demo):
    """District and commune units of the demo by name."""
    from portal.models import AdministrativeUnit

    return {u.name: u for u in AdministrativeUnit.objects.all()}


@pytest.fixture
def hong_dan_commune(units):
    return units["Xã Ninh Quới"]


@pytest.fixture
def dong_hai_commune(units):
    return units["Xã Long Điền"]
