"""The fund's demo data: every stage, every debt group, idempotent, and polite to the registry."""

from io import StringIO

from django.utils import timezone

from cooperatives.models import Cooperative
from fund import demo as fund_demo
from fund.models import Loan, LoanProduct, LoanSnapshot

from .factories import CooperativeFactory


def test_the_demo_alone_makes_its_own_cooperatives_loans_in_every_stage_and_every_group(demo):
    fund_demo.load(StringIO())
    assert Cooperative.objects.filter(registration_code__startswith="DEMO-QUY-").count() == 8
    assert LoanProduct.objects.count() == 3
    assert Loan.objects.count() == 25
    assert set(Loan.objects.values_list("status", flat=True)) == set(Loan.Status.values)
    today = timezone.localdate()
    groups = {loan.state(today).debt_group for loan in Loan.objects.booked().with_events()}
    assert groups == {1, 2, 3, 4, 5}
    assert LoanSnapshot.objects.exists()


def test_loading_the_demo_twice_adds_nothing(demo):
    fund_demo.load(StringIO())
    counts = (Loan.objects.count(), LoanSnapshot.objects.count(), Cooperative.objects.count())
    fund_demo.load(StringIO())
    assert (Loan.objects.count(), LoanSnapshot.objects.count(), Cooperative.objects.count()) == counts


def test_the_demo_creates_no_cooperative_when_the_registry_has_some(demo):
    CooperativeFactory.create_batch(3)
    fund_demo.load(StringIO())
    assert Cooperative.objects.count() == 3
    assert Loan.objects.count() == 25
