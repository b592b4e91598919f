from datetime import date
from decimal import Decimal

import factory

from cooperatives.models import Congress, Cooperative, Person, Sector, YearlyFigure


class CooperativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cooperative

    kind = Cooperative.Kind.COOPERATIVE
    name = factory.Sequence(lambda n: f"Hợp tác xã Nông nghiệp Số {n}")
    slug = factory.Sequence(lambda n: f"htx-so-{n}")
    registration_code = factory.Sequence(lambda n: f"1900{n:06d}")
    certificate_date = date(2015, 5, 10)
    sector = Sector.CROPS
    charter_capital = Decimal("500000000")
    legal_representative = "Trần Văn Thử"
    representative_phone = "0911 222 333"
    representative_id_number = "095123456789"
    phone = "0291 3800 001"


class YearlyFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YearlyFigure

    year = 2025
    members_official = 30
    workers = 35
    revenue = Decimal("2000000000")
    assets = Decimal("800000000")


class CongressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Congress

    kind = Congress.Kind.ANNUAL


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Lê Văn Thử {n}")
