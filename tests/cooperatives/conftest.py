import pytest


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
