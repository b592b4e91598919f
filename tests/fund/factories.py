"""Factories for the fund's tests: each test builds its own cooperatives, products and loans."""

from datetime import date
from decimal import Decimal

import factory

from cooperatives.models import Congress, Cooperative
from fund.models import Disbursement, FundCapital, Loan, LoanProduct, MemberBorrower, Payment
from portal.models import AdministrativeUnit


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"Huyện Thử Nghiệm {n}")
    level = "district"


class CooperativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cooperative
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Hợp tác xã Nông nghiệp Thử {n}")
    slug = factory.Sequence(lambda n: f"htx-thu-{n}")
    registration_code = factory.Sequence(lambda n: f"TEST-{n:04d}")
    unit = factory.SubFactory(UnitFactory)
    sector = "crops"
    certificate_date = date(2015, 1, 1)
    status = "active"

    @factory.post_generation
    def congresses(self, create, extracted, **kwargs):
        """Annual congresses held for every fiscal year up to 2030, so the congress check passes by default."""
        if create and extracted is not False:
            Congress.objects.bulk_create(
                [
                    Congress(cooperative=self, kind="annual", fiscal_year=y, held_date=date(y + 1, 3, 1))
                    for y in range(2014, 2031)
                ]
            )


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoanProduct

    code = factory.Sequence(lambda n: f"sp-{n}")
    name = factory.Sequence(lambda n: f"Sản phẩm cho vay {n}")
    max_amount = Decimal(5_000_000_000)
    max_term_months = 60
    annual_rate = Decimal("12")
    frequency = "monthly"
    amortization = "equal_principal"
    rate_method = "declining"
    grace_months = 0
    overdue_multiplier = Decimal("1.5")
    for_members = True


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberBorrower

    cooperative = factory.SubFactory(CooperativeFactory)
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thành Viên {n}")
    id_number = factory.Sequence(lambda n: f"{95000000000 + n:012d}")


class LoanFactory(factory.django.DjangoModelFactory):
    """An application as received."""

    class Meta:
        model = Loan

    code = factory.Sequence(lambda n: f"HS-{n:05d}")
    product = factory.SubFactory(ProductFactory)
    cooperative = factory.SubFactory(CooperativeFactory)
    project_name = "Mở rộng vùng nuôi tôm - lúa"
    purpose = "Mua giống, vật tư"
    total_cost = Decimal(150_000_000)
    own_contribution = Decimal(50_000_000)
    requested_amount = Decimal(100_000_000)
    requested_term_months = 12
    received_on = date(2024, 1, 2)


def capital(amount=Decimal(10_000_000_000), on=date(2020, 1, 1)):
    return FundCapital.objects.create(effective_from=on, amount=amount)


def booked_loan(
    *,
    by,
    amount=Decimal(120_000_000),
    term=12,
    on=date(2024, 1, 15),
    rate=Decimal("12"),
    amortization="equal_principal",
    frequency="monthly",
    grace=0,
    status=Loan.Status.REPAYING,
    **kwargs,
):
    """A disbursed loan, written directly (the workflow services have their own tests)."""
    loan = LoanFactory(
        requested_amount=amount,
        total_cost=amount * 2,
        own_contribution=amount,
        requested_term_months=term,
        received_on=on,
        status=status,
        approved_amount=amount,
        approved_term_months=term,
        approved_rate=rate,
        frequency=frequency,
        amortization=amortization,
        rate_method="declining",
        grace_months=grace,
        approved_by=by,
        approved_on=on,
        contract_number="HĐ-1",
        contract_signed_on=on,
        **kwargs,
    )
    Disbursement.objects.create(loan=loan, disbursed_on=on, amount=amount, by=by)
    return loan


def pay(loan, on, amount, by=None):
    return Payment.objects.create(loan=loan, paid_on=on, amount=Decimal(amount), by=by)


def fresh(loan):
    return Loan.objects.with_events().get(pk=loan.pk)


def application(**kwargs):
    """An unsaved application whose product and cooperative exist (for the services to receive)."""
    kwargs.setdefault("product", ProductFactory())
    kwargs.setdefault("cooperative", CooperativeFactory())
    return LoanFactory.build(**kwargs)
