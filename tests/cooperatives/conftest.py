import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo accounts are hashed on every test that loads them; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
