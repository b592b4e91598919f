"""Appraisal requests go where Công văn 1047/UBND-KT sends them: the committee of the borrower's own area and the
departments of its sector, in the demo as in the workflow."""

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError

from cooperatives.models import SectorDepartment
from fund import demo as fund_demo
from fund import services
from fund.models import Appraisal, Loan
from portal.models import AdministrativeUnit, Agency

from .factories import CooperativeFactory, LoanFactory, MemberFactory

AGRICULTURE = "Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu"
TRADE = "Sở Công Thương tỉnh Bạc Liêu"


@pytest.fixture
def agency(demo):
    return lambda name: Agency.objects.get(name=name)


@pytest.fixture
def sectors(agency):
    SectorDepartment.objects.create(sector="crops", agency=agency(AGRICULTURE))
    SectorDepartment.objects.create(sector="trade", agency=agency(TRADE))


def _coop(commune: str, sector: str):
    return CooperativeFactory(
        unit=AdministrativeUnit.objects.get(name=commune, parent__level="district"), sector=sector
    )


def test_a_loan_goes_to_its_areas_committee_and_its_sectors_department(fund_officer, agency, sectors):
    loan = LoanFactory(cooperative=_coop("Xã Ninh Quới", "crops"))
    made = services.loan_send_to_appraisal(loan=loan, on=date(2024, 1, 5), by=fund_officer)
    assert {a.agency.name for a in made} == {"Ủy ban nhân dân Huyện Hồng Dân", AGRICULTURE}

    trader = LoanFactory(cooperative=_coop("Thị trấn Gành Hào", "trade"))
    assert [a.name for a in services.loan_appraisal_agencies(trader)] == ["Ủy ban nhân dân Huyện Đông Hải", TRADE]


def test_a_members_loan_goes_to_the_committee_where_their_cooperative_works(fund_officer, sectors):
    member = MemberFactory(cooperative=_coop("Xã Long Điền", "crops"))
    loan = LoanFactory(cooperative=member.cooperative, member=member)
    assert [a.name for a in services.loan_appraisal_agencies(loan)] == ["Ủy ban nhân dân Huyện Đông Hải", AGRICULTURE]


def test_a_communes_own_committee_comes_before_its_districts(fund_officer, agency, sectors):
    commune = AdministrativeUnit.objects.get(code="956-02")
    own = Agency.objects.create(name="Ủy ban nhân dân Xã Ninh Quới (2022)", kind=Agency.Kind.COMMUNE_PC, unit=commune)
    loan = LoanFactory(cooperative=_coop("Xã Ninh Quới", "transport"))
    assert services.loan_appraisal_agencies(loan) == [own]


def test_when_the_2022_committees_have_retired_the_loan_goes_to_the_committee_of_the_commune_of_today(
    fund_officer, agency, sectors
):
    Agency.objects.filter(name="Ủy ban nhân dân Huyện Hồng Dân").update(is_active=False)
    loan = LoanFactory(cooperative=_coop("Xã Ninh Quới A", "transport"))  # today in Xã Ninh Quới, Cà Mau
    assert [a.name for a in services.loan_appraisal_agencies(loan)] == ["Ủy ban nhân dân Xã Ninh Quới"]


def test_another_areas_committee_is_refused_and_the_lawful_ones_are_required(fund_officer, agency, sectors):
    loan = LoanFactory(cooperative=_coop("Xã Ninh Quới", "crops"))
    hong_dan, dong_hai = agency("Ủy ban nhân dân Huyện Hồng Dân"), agency("Ủy ban nhân dân Huyện Đông Hải")
    with pytest.raises(ValidationError, match="Đông Hải không phải Ủy ban nhân dân nơi bên vay hoạt động"):
        services.loan_send_to_appraisal(
            loan=loan, agencies=[hong_dan, dong_hai, agency(AGRICULTURE)], on=date(2024, 1, 5), by=fund_officer
        )
    with pytest.raises(ValidationError, match="phải được gửi thẩm định cho: Sở Nông nghiệp"):
        services.loan_send_to_appraisal(loan=loan, agencies=[hong_dan], on=date(2024, 1, 5), by=fund_officer)
    extra = agency("Sở Tài chính tỉnh Bạc Liêu")
    made = services.loan_send_to_appraisal(
        loan=loan, agencies=[hong_dan, agency(AGRICULTURE), extra], on=date(2024, 1, 5), by=fund_officer
    )
    assert len(made) == 3 and not Appraisal.objects.filter(agency=dong_hai).exists()


def test_the_appraisal_form_comes_with_the_lawful_agencies_ticked(client, fund_officer, agency, sectors):
    loan = LoanFactory(cooperative=_coop("Xã Ninh Quới", "crops"), status="received")
    client.force_login(fund_officer)
    page = client.get(loan.get_absolute_url()).content.decode()
    boxes = {
        chunk.split('value="', 1)[1].split('"', 1)[0]: "checked" in chunk
        for chunk in page.split('name="agencies"')[1:]
        if 'value="' in chunk.split(">", 1)[0]
    }
    checked = {pk for pk, on in boxes.items() if on}
    assert checked == {str(agency("Ủy ban nhân dân Huyện Hồng Dân").pk), str(agency(AGRICULTURE).pk)}


def test_the_demo_sends_every_loan_to_its_own_areas_committee_and_its_sectors_departments(demo):
    fund_demo.load(StringIO())
    appraised = Loan.objects.exclude(status="received").select_related("cooperative__unit")
    assert appraised.count() == 23
    districts = set()
    for loan in appraised:
        lawful = services.loan_appraisal_agencies(loan)
        assert {a.agency for a in loan.appraisals.all()} == set(lawful), loan.code
        committee = lawful[0]
        assert committee.kind == Agency.Kind.DISTRICT_PC and committee.unit == loan.cooperative.unit.parent
        districts.add(committee.name)
        if loan.status not in ("appraisal", "rejected"):
            assert not loan.appraisals.filter(recommendation="pending").exists(), loan.code
    assert len(districts) == 7  # the eight demo cooperatives cover every district, not just Hồng Dân and Đông Hải
    assert Appraisal.objects.filter(agency__name=AGRICULTURE).exists()
