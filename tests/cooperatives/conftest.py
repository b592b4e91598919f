import pytest


@pytest.fixture
def units(demo):
    """District and commune units of the demo by name: the 2022 ones where today's list has a commune of the same
    name (Xã Ninh Quới of Huyện Hồng Dân, not today's Xã Ninh Quới of Cà Mau)."""
    from django.db.models import F

    from portal.models import AdministrativeUnit

    return {u.name: u for u in AdministrativeUnit.objects.order_by(F("valid_to").asc(nulls_first=True), "code")}


@pytest.fixture
def hong_dan_commune(units):
    return units["Xã Ninh Quới"]


@pytest.fixture
def dong_hai_commune(units):
    return units["Xã Long Điền"]
