"""Agencies merged into one (portal.agencychanges): accounts and open work move to the successor with a record of each
move; closed work keeps its original agency; a retired agency's officer sees nothing, the successor's officers
see what moved."""

import itertools
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cooperatives.models import SectorDepartment
from directives.models import Report, ReportDraft, TaskAssignment
from directives.services import report_get_or_create
from fund.models import Appraisal
from portal.access import user_scope
from portal.agencychanges import agency_change_record
from portal.models import AdministrativeUnit, Agency, AgencyChange, AgencyMove, User
from portal.roles import AGENCY_OFFICER
from tests.directives.factories import assignment, report_request
from tests.fund.factories import LoanFactory
from tests.properties import examples

DAY = date(2025, 7, 1)
SOURCE = "Quyết định số 1234/QĐ-UBND ngày 30/6/2025 của UBND tỉnh Cà Mau"
SERIAL = itertools.count()


def _department(name):
    province = AdministrativeUnit.objects.filter(level="province").order_by("code").first()
    return Agency.objects.create(name=f"{name} {next(SERIAL)}", kind=Agency.Kind.DEPARTMENT, unit=province)


def _officer(agency, username=None):
    user = User.objects.create_user(username=username or f"canbo{next(SERIAL)}", password="x", agency=agency)
    user.groups.add(Group.objects.get(name=AGENCY_OFFICER))
    return user


def _accept(report):
    Report.objects.filter(pk=report.pk).update(state=Report.State.ACCEPTED)


@pytest.fixture
def merger(demo, fund_officer):
    """Two departments about to merge, a third that succeeds them, and work of every kind, open and closed."""
    farming, environment = _department("Sở Nông nghiệp cũ"), _department("Sở Tài nguyên cũ")
    successor = _department("Sở Nông nghiệp và Môi trường")
    w = {"farming": farming, "environment": environment, "successor": successor}
    w["farmer"], w["surveyor"] = _officer(farming), _officer(environment)
    w["newcomer"] = _officer(successor)
    w["open_task"] = assignment(farming)
    w["done_task"] = assignment(farming)
    TaskAssignment.objects.filter(pk=w["done_task"].pk).update(completed_on=date(2023, 5, 2))
    w["open_request"] = report_request([farming, environment], title="Báo cáo quý IV/2025")
    w["open_report"] = report_get_or_create(request=w["open_request"], agency=farming)
    ReportDraft.objects.create(request=w["open_request"], agency=farming, data={"narrative": "đang soạn"})
    w["closed_request"] = report_request([farming], title="Báo cáo năm 2022")
    w["closed_report"] = report_get_or_create(request=w["closed_request"], agency=farming)
    _accept(w["closed_report"])
    loan, other = LoanFactory(), LoanFactory()
    w["pending"] = Appraisal.objects.create(loan=loan, agency=environment, requested_on=date(2025, 6, 1))
    w["given"] = Appraisal.objects.create(
        loan=other,
        agency=environment,
        requested_on=date(2024, 3, 1),
        recommendation=Appraisal.Recommendation.APPROVE,
        opinion="Đồng ý",
        recorded_by=w["surveyor"],
        recorded_at=timezone.now(),
    )
    SectorDepartment.objects.create(sector="agriculture", agency=farming)
    return w


def _merge(w, by=None):
    return agency_change_record(
        kind="merge",
        before=[w["farming"], w["environment"]],
        after=w["successor"],
        effective_on=DAY,
        legal_source=SOURCE,
        by=by,
    )


def test_a_merge_moves_accounts_and_open_work_and_leaves_closed_work_with_its_agency(merger, fund_officer):
    w = merger
    change = _merge(w, by=fund_officer)
    for old in (w["farming"], w["environment"]):
        old.refresh_from_db()
        assert (old.is_active, old.valid_to, old.successor) == (False, date(2025, 6, 30), w["successor"])
    assert set(User.objects.filter(agency=w["successor"])) == {w["farmer"], w["surveyor"], w["newcomer"]}
    assert TaskAssignment.objects.get(pk=w["open_task"].pk).agency == w["successor"]
    assert TaskAssignment.objects.get(pk=w["done_task"].pk).agency == w["farming"]
    open_request = w["open_request"]
    assert set(open_request.agencies.all()) == {w["successor"]}
    assert Report.objects.get(pk=w["open_report"].pk).agency == w["successor"]
    assert ReportDraft.objects.get(request=open_request).agency == w["successor"]
    assert set(w["closed_request"].agencies.all()) == {w["farming"]}
    assert Report.objects.get(pk=w["closed_report"].pk).agency == w["farming"]
    assert Appraisal.objects.get(pk=w["pending"].pk).agency == w["successor"]
    assert Appraisal.objects.get(pk=w["given"].pk).agency == w["environment"]
    assert SectorDepartment.objects.get(sector="agriculture").agency == w["successor"]
    moves = {(m.what, m.from_agency.pk) for m in change.moves.all()}
    assert moves == {
        ("Tài khoản cán bộ", w["farming"].pk),
        ("Tài khoản cán bộ", w["environment"].pk),
        ("Phân công nhiệm vụ", w["farming"].pk),
        ("Yêu cầu báo cáo", w["farming"].pk),
        ("Yêu cầu báo cáo", w["environment"].pk),
        ("Đề nghị thẩm định", w["environment"].pk),
        ("Lĩnh vực phụ trách", w["farming"].pk),
    }
    assert all(m.to_agency == w["successor"] for m in change.moves.all())
    assert change.moves.count() == 7
    assert str(change).startswith("Hợp nhất, sáp nhập vào Sở Nông nghiệp và Môi trường")


def test_an_officer_left_in_a_retired_agency_loses_access_and_the_successors_officer_gains_it(client, merger):
    w = merger
    task_url = reverse("directives:assignment_detail", args=[w["open_task"].pk])
    report_url = reverse("directives:report_edit", args=[w["open_request"].pk])
    client.force_login(w["farmer"])
    assert client.get(task_url).status_code == 200 and client.get(report_url).status_code == 200
    client.force_login(w["newcomer"])
    assert client.get(task_url).status_code == 404 and client.get(report_url).status_code == 404

    _merge(w)
    left_behind = _officer(w["farming"])  # an account created in the old agency after it retired
    assert user_scope(User.objects.get(pk=left_behind.pk)).agency_ids == frozenset()
    client.force_login(left_behind)
    assert client.get(task_url).status_code == 404 and client.get(report_url).status_code == 404
    assert client.get(reverse("directives:workspace")).status_code in (200, 403)
    for gains in (w["newcomer"], w["farmer"]):  # the successor's own officer, and the one whose account moved
        client.force_login(User.objects.get(pk=gains.pk))
        assert client.get(task_url).status_code == 200 and client.get(report_url).status_code == 200
    closed = reverse("directives:report_detail", args=[w["closed_report"].pk])
    client.force_login(left_behind)
    assert client.get(closed).status_code == 404


def test_an_assignment_the_successor_already_holds_is_folded_into_it(merger):
    w = merger
    theirs = TaskAssignment.objects.create(task=w["open_task"].task, agency=w["successor"], progress_note="Đã họp")
    TaskAssignment.objects.filter(pk=w["open_task"].pk).update(role="lead", progress_note="Đã khảo sát")
    change = _merge(w)
    theirs.refresh_from_db()
    assert (theirs.role, theirs.progress_note) == ("lead", "Đã họp\nĐã khảo sát")
    assert not TaskAssignment.objects.filter(pk=w["open_task"].pk).exists()
    move = change.moves.get(what="Phân công nhiệm vụ")
    assert "gộp vào phân công sẵn có" in move.note


@pytest.mark.parametrize(
    ("kind", "which", "source", "field", "message"),
    [
        ("merge", ["farming"], SOURCE, "kind", "từ hai cơ quan trở lên"),
        ("rename", ["farming", "environment"], SOURCE, "kind", "một cơ quan thành một cơ quan khác"),
        ("merge", ["farming", "environment"], " ", "legal_source", "Hãy ghi căn cứ pháp lý"),
        ("merge", ["successor"], SOURCE, "before", "khác cơ quan kế thừa"),
    ],
)
def test_a_change_that_cannot_be_is_refused_in_vietnamese_and_changes_nothing(
    merger, kind, which, source, field, message
):
    w = merger
    with pytest.raises(ValidationError) as refused:
        agency_change_record(
            kind=kind, before=[w[k] for k in which], after=w["successor"], effective_on=DAY, legal_source=source
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not AgencyChange.objects.exists() and not AgencyMove.objects.exists()
    assert Agency.objects.filter(pk=w["farming"].pk, is_active=True).exists()
    assert w["farmer"].agency_id == User.objects.get(pk=w["farmer"].pk).agency_id


def test_a_retired_agency_can_neither_merge_again_nor_succeed(merger):
    w = merger
    _merge(w)
    third = _department("Sở Xây dựng cũ")
    with pytest.raises(ValidationError) as refused:
        agency_change_record(
            kind="rename", before=[third], after=w["farming"], effective_on=date(2025, 8, 1), legal_source=SOURCE
        )
    assert "đã ngừng hoạt động" in refused.value.message_dict["after"][0]
    with pytest.raises(ValidationError) as refused:
        agency_change_record(
            kind="rename", before=[w["farming"]], after=third, effective_on=date(2025, 8, 1), legal_source=SOURCE
        )
    assert "Đã ngừng hoạt động" in refused.value.message_dict["before"][0]


def test_alliance_staff_record_a_merge_in_the_admin_and_its_page_lists_every_move(client, merger, alliance_staff):
    w = merger
    client.force_login(alliance_staff)
    response = client.post(
        reverse("admin:portal_agencychange_add"),
        {
            "kind": "merge",
            "effective_on": "01/07/2025",
            "legal_source": SOURCE,
            "before": [w["farming"].pk, w["environment"].pk],
            "after": w["successor"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = AgencyChange.objects.get()
    assert change.recorded_by == alliance_staff and change.moves.count() == 7
    page = client.get(reverse("admin:portal_agencychange_change", args=[change.pk])).content.decode()
    for label in ("Tài khoản cán bộ", "Đề nghị thẩm định", "Báo cáo quý IV/2025", w["pending"].loan.code):
        assert label in page
    refused = client.post(
        reverse("admin:portal_agencychange_add"),
        {"kind": "merge", "effective_on": "01/07/2025", "legal_source": "", "before": [w["successor"].pk]},
    )
    assert refused.status_code == 200 and AgencyChange.objects.count() == 1
    assert "Đây là trường bắt buộc" in refused.content.decode() or "bắt buộc" in refused.content.decode()


WORK = st.lists(
    st.tuples(st.sampled_from(["task", "request", "appraisal"]), st.integers(0, 2), st.booleans()), max_size=8
)


@settings(max_examples=examples(12), deadline=None)
@given(work=WORK)
def test_after_any_merge_no_open_work_stays_with_a_retired_agency_and_closed_work_never_moves(demo, work):
    """Random work, open or closed, spread over two merging agencies and their successor."""
    agencies = [_department("Cơ quan A"), _department("Cơ quan B"), _department("Cơ quan kế thừa")]
    closed = []
    for kind, who, is_open in work:
        agency = agencies[who]
        if kind == "task":
            row = assignment(agency)
            if not is_open:
                TaskAssignment.objects.filter(pk=row.pk).update(completed_on=date(2024, 1, 2))
                closed.append(("task", row.pk, agency.pk))
        elif kind == "request":
            request = report_request([agency])
            report = report_get_or_create(request=request, agency=agency)
            if not is_open:
                _accept(report)
                closed.append(("report", report.pk, agency.pk))
        else:
            row = Appraisal.objects.create(loan=LoanFactory(), agency=agency, requested_on=date(2025, 1, 1))
            if not is_open:
                Appraisal.objects.filter(pk=row.pk).update(
                    recommendation="approve", recorded_by=User.objects.first(), recorded_at=timezone.now()
                )
                closed.append(("appraisal", row.pk, agency.pk))
    retired = agencies[:2]
    change = agency_change_record(
        kind="merge", before=agencies, after=agencies[2], effective_on=DAY, legal_source=SOURCE
    )
    assert not TaskAssignment.objects.filter(agency__in=retired, completed_on__isnull=True).exists()
    assert not Report.objects.filter(agency__in=retired).exclude(state=Report.State.ACCEPTED).exists()
    assert not Appraisal.objects.filter(agency__in=retired, recommendation="pending").exists()
    models = {"task": TaskAssignment, "report": Report, "appraisal": Appraisal}
    for kind, pk, agency_id in closed:
        assert models[kind].objects.get(pk=pk).agency_id == agency_id
    opened = sum(1 for kind, who, is_open in work if is_open and who < 2)
    assert change.moves.exclude(what="Tài khoản cán bộ").count() == opened
