"""The report form's autosaved draft: who may read and write it, CSRF, versions, the rate limit; and that every
refusal of the form (bad input, a refused file, an expired session or CSRF token, a concurrent change) keeps what
the officer typed."""

from datetime import date
from html import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cooperatives.models import Cooperative
from directives import services
from directives.indicators import SEMIANNUAL_DEFAULT
from directives.models import Report, ReportDraft
from portal.models import AdministrativeUnit, Notification

from .factories import pdf_upload, report_request

TYPED = {
    "section_0": "Thành lập mới 2 hợp tác xã <nông nghiệp> & dịch vụ",
    "section_1": "Thiếu vốn lưu động; đề nghị hỗ trợ “vay ưu đãi”.",
    "ind_htx_total": "12",
    "ind_members": "340",
    "ind_boards_trained": "9",
}


def _form(version=0, action="save", **extra):
    return {"version": version, "action": action, **TYPED, **extra}


def _autosave(client, request, *, version=0, draft_version=0, **typed):
    data = {"version": version, "draft_version": draft_version, **(typed or TYPED)}
    return client.post(f"/bao-cao/yeu-cau/{request.pk}/nhap/", data)


def _assert_all_typed(page: str, typed: dict = TYPED):
    """Every value typed into the form is in the re-rendered page, as the browser would show it."""
    for name, value in typed.items():
        if name.startswith(("section_", "ind_")):
            assert escape(value, quote=False) in page or escape(value) in page, name


@pytest.fixture
def officer(client, officer_hong_dan):
    client.force_login(officer_hong_dan)
    return client


# --- the draft endpoint -------------------------------------------------------------------------------------------


def test_an_autosave_stores_the_text_without_starting_or_changing_the_report(officer, h1_request, hong_dan):
    notices = Notification.objects.count()
    response = _autosave(officer, h1_request)
    assert response.status_code == 200
    body = response.json()
    assert body["draft_version"] == 1 and body["message"].startswith("Đã lưu nháp lúc ")
    draft = ReportDraft.objects.get(request=h1_request, agency=hong_dan)
    assert draft.data["section_0"] == TYPED["section_0"] and draft.base_version == 0
    assert not Report.objects.exists()  # not a submission: no report, no cell in the matrix, no deadline met
    assert Notification.objects.count() == notices  # nobody is told


def test_a_reload_shows_the_draft_and_says_when_it_was_saved(officer, h1_request):
    _autosave(officer, h1_request)
    page = officer.get(f"/bao-cao/yeu-cau/{h1_request.pk}/").content.decode()
    assert "Đang hiển thị bản nháp tự lưu lúc" in page and "Đã lưu nháp lúc" in page
    _assert_all_typed(page)
    assert 'name="draft_version" value="1"' in page


def test_the_draft_is_read_back_as_json_by_its_own_unit_only(client, officer_hong_dan, officer_dong_hai, h1_request):
    client.force_login(officer_hong_dan)
    _autosave(client, h1_request)
    assert client.get(f"/bao-cao/yeu-cau/{h1_request.pk}/nhap/").json()["data"]["section_0"] == TYPED["section_0"]
    client.force_login(officer_dong_hai)  # Đông Hải is asked too, and has its own (empty) draft
    assert client.get(f"/bao-cao/yeu-cau/{h1_request.pk}/nhap/").json() == {"draft_version": 0, "data": {}}
    assert TYPED["section_0"] not in client.get(f"/bao-cao/yeu-cau/{h1_request.pk}/").content.decode()


def test_another_district_and_province_staff_get_404_for_a_request_they_were_not_asked(
    client, officer_dong_hai, alliance_staff, hong_dan
):
    own = report_request([hong_dan])
    for user in (officer_dong_hai, alliance_staff):
        client.force_login(user)
        assert client.get(f"/bao-cao/yeu-cau/{own.pk}/nhap/").status_code == 404
        assert _autosave(client, own, ind_htx_total="1").status_code == 404
    assert not ReportDraft.objects.exists()


def test_an_anonymous_autosave_is_sent_to_log_in_and_stores_nothing(client, h1_request):
    response = _autosave(client, h1_request)
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    assert not ReportDraft.objects.exists()


def test_an_autosave_without_the_csrf_token_is_refused(officer_hong_dan, h1_request):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer_hong_dan)
    assert _autosave(browser, h1_request).status_code == 403
    assert not ReportDraft.objects.exists()
    browser.get(f"/bao-cao/yeu-cau/{h1_request.pk}/")  # sets the CSRF cookie, as the page does
    token = browser.cookies["csrftoken"].value
    data = {"version": 0, "draft_version": 0, **TYPED}
    response = browser.post(f"/bao-cao/yeu-cau/{h1_request.pk}/nhap/", data, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and ReportDraft.objects.get().version == 1


def test_a_stale_draft_version_is_refused_in_vietnamese_and_may_then_overwrite_knowingly(
    client, officer_hong_dan, h1_request
):
    client.force_login(officer_hong_dan)
    _autosave(client, h1_request, section_0="Thẻ thứ nhất")  # version 1
    _autosave(client, h1_request, draft_version=1, section_0="Thẻ thứ nhất, sửa")  # version 2
    stale = _autosave(client, h1_request, draft_version=1, section_0="Thẻ thứ hai")
    assert stale.status_code == 409
    assert "Bản nháp vừa được lưu từ một thẻ hoặc máy khác" in stale.json()["error"]
    assert stale.json()["draft_version"] == 2
    assert ReportDraft.objects.get().data["section_0"] == "Thẻ thứ nhất, sửa"
    new = _autosave(client, h1_request, draft_version=2, section_0="Thẻ thứ hai")
    assert new.status_code == 200 and ReportDraft.objects.get().data["section_0"] == "Thẻ thứ hai"


def test_an_autosave_over_a_report_saved_meanwhile_is_refused(officer, h1_request):
    officer.post(f"/bao-cao/yeu-cau/{h1_request.pk}/", _form())
    report = Report.objects.get()
    response = _autosave(officer, h1_request, version=0, section_0="Bản cũ")
    assert response.status_code == 409 and "lưu hoặc gửi ở nơi khác" in response.json()["error"]
    assert response.json()["draft_version"] is None
    assert _autosave(officer, h1_request, version=report.version, section_0="Bản mới").status_code == 200


def test_a_submitted_report_is_never_changed_by_an_autosave(officer, h1_request):
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    officer.post(url, _form(action="submit"))
    report = Report.objects.get()
    assert report.state == "submitted"
    response = _autosave(officer, h1_request, version=report.version, section_0="Sửa sau khi gửi")
    assert response.status_code == 409 and "đã được gửi" in response.json()["error"]
    report.refresh_from_db()
    assert report.narrative["Kết quả đạt được"] == TYPED["section_0"] and not ReportDraft.objects.exists()


def test_saving_the_report_removes_the_draft_and_reviewers_never_see_a_draft(
    client, officer_hong_dan, alliance_staff, h1_request
):
    client.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    client.post(url, _form())
    report = Report.objects.get()
    _autosave(client, h1_request, version=report.version, section_0="Chỉ là nháp tự lưu")
    client.force_login(alliance_staff)
    assert "Chỉ là nháp tự lưu" not in client.get(report.get_absolute_url()).content.decode()
    client.force_login(officer_hong_dan)
    assert client.post(url, _form(report.version, section_0="Bản đã lưu")).status_code == 302
    assert not ReportDraft.objects.exists()
    assert "Đang hiển thị bản nháp" not in client.get(url).content.decode()


def test_the_autosave_is_rate_limited_per_user(officer, h1_request):
    for n in range(30):
        assert _autosave(officer, h1_request, draft_version=n).status_code == 200
    refused = _autosave(officer, h1_request, draft_version=30)
    assert refused.status_code == 429 and "quá nhiều lần" in refused.json()["error"]
    assert ReportDraft.objects.get().version == 30


def test_an_autosave_too_long_to_be_a_report_or_without_versions_is_refused(officer, h1_request):
    huge = _autosave(officer, h1_request, section_0="x" * (services.DRAFT_MAX_CHARS + 1))
    assert huge.status_code == 400 and "Nội dung dài quá 200.000 ký tự" in huge.json()["error"]
    bad = officer.post(f"/bao-cao/yeu-cau/{h1_request.pk}/nhap/", {"version": "một", **TYPED})
    assert bad.status_code == 400 and "tải lại trang" in bad.json()["error"]
    assert not ReportDraft.objects.exists()


def test_only_the_forms_own_fields_are_kept_without_control_characters(officer, h1_request):
    _autosave(officer, h1_request, section_0="Có\x00 nội\x1b dung", section_9="Không có phần này", other="x")
    assert ReportDraft.objects.get().data == {"section_0": "Có nội dung"}


def test_the_autosave_costs_a_fixed_number_of_queries(officer, h1_request, django_assert_max_num_queries):
    _autosave(officer, h1_request)
    with django_assert_max_num_queries(12):
        assert _autosave(officer, h1_request, draft_version=1).status_code == 200


# --- every refusal keeps what was typed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"ind_members": "-5"}, "Số liệu không được âm."),
        ({"ind_htx_total": "mười hai"}, "Nhập một số."),
        ({"ind_members": "12,5"}, None),
    ],
)
def test_a_validation_error_answers_in_vietnamese_and_keeps_every_typed_value(officer, h1_request, bad, message):
    response = officer.post(f"/bao-cao/yeu-cau/{h1_request.pk}/", _form(**bad))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Báo cáo chưa lưu được" in page
    if message:
        assert message in page
    assert "Null characters" not in page and "Enter a" not in page  # never Django's English
    _assert_all_typed(page, {k: v for k, v in TYPED.items() if k not in bad})
    assert not Report.objects.exists()


def test_a_percent_over_100_is_refused_and_the_text_kept(officer, hong_dan):
    request = report_request([hong_dan], sections="Kết quả", indicator_codes=["task_progress"])
    typed = {"section_0": "Đã làm xong phần lớn", "ind_task_progress": "120"}
    response = officer.post(f"/bao-cao/yeu-cau/{request.pk}/", {"version": 0, "action": "save", **typed})
    assert response.status_code == 400 and "Tỷ lệ không quá 100%." in response.content.decode()
    assert "Đã làm xong phần lớn" in response.content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("so-lieu.pdf", b"MZ not a pdf"), "không đúng định dạng"),
        (SimpleUploadedFile("so-lieu.exe", b"MZ\x90\x00"), "không"),
        ("too-big", "quá"),
    ],
)
def test_a_refused_upload_answers_in_vietnamese_and_keeps_the_text(officer, h1_request, settings, upload, message):
    if upload == "too-big":
        settings.PORTAL_MAX_UPLOAD_BYTES = 100
        upload = pdf_upload("Báo cáo lớn.pdf")
    response = officer.post(f"/bao-cao/yeu-cau/{h1_request.pk}/", _form(attachment=upload))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Báo cáo chưa lưu được" in page
    _assert_all_typed(page)
    assert not Report.objects.exists()


def test_after_the_session_expires_the_autosaved_draft_brings_the_text_back(client, officer_hong_dan, h1_request):
    client.force_login(officer_hong_dan)
    _autosave(client, h1_request)  # while typing
    client.logout()  # the session ends during a long typing session
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    response = client.post(url, _form())
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    client.force_login(officer_hong_dan)
    page = client.get(url).content.decode()
    assert "Đang hiển thị bản nháp tự lưu" in page
    _assert_all_typed(page)


def test_after_a_csrf_refusal_the_autosaved_draft_brings_the_text_back(officer_hong_dan, h1_request):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    browser.get(url)
    token = browser.cookies["csrftoken"].value
    saved = browser.post(f"{url}nhap/", {"version": 0, "draft_version": 0, **TYPED}, headers={"X-CSRFToken": token})
    assert saved.status_code == 200
    refused = browser.post(url, {**_form(), "csrfmiddlewaretoken": "expired" * 5})  # a token rotated meanwhile
    assert refused.status_code == 403
    assert not Report.objects.exists()
    page = browser.get(url).content.decode()
    assert "Đang hiển thị bản nháp tự lưu" in page
    _assert_all_typed(page)


def test_a_report_submitted_meanwhile_keeps_the_text_and_says_why(client, officer_hong_dan, h1_request):
    client.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    client.post(url, _form())
    opened = Report.objects.get().version
    client.post(url, _form(opened, action="submit"))  # a colleague submits
    typed = {**TYPED, "section_0": "Bản tôi đang gõ dở"}
    response = client.post(url, {"version": opened, "action": "save", **typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "đã được gửi hoặc đã được chấp nhận trong lúc bạn đang sửa" in page
    _assert_all_typed(page, typed)
    assert Report.objects.get().narrative["Kết quả đạt được"] == TYPED["section_0"]


def test_a_report_returned_and_resubmitted_meanwhile_is_a_conflict_that_keeps_the_text(
    client, officer_hong_dan, alliance_staff, h1_request
):
    client.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    client.post(url, _form(action="submit"))
    report = Report.objects.get()
    services.report_transition(report=report, action="return", by=alliance_staff, comment="Bổ sung")
    report.refresh_from_db()
    opened = report.version  # the officer opens the returned report
    services.report_save(
        report=report,
        expected_version=opened,
        narrative={"Kết quả đạt được": "Đồng nghiệp sửa"},
        values={},
        by=officer_hong_dan,
    )
    typed = {**TYPED, "section_0": "Tôi sửa cùng lúc"}
    response = client.post(url, {"version": opened, "action": "submit", **typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "đã được người khác lưu trong lúc bạn đang sửa" in page
    _assert_all_typed(page, typed)


# --- prefilled figures and their source -------------------------------------------------------------------------


def _coop(unit, n, **fields):
    fields = {"certificate_date": date(2020, 1, 1), **fields}
    return Cooperative.objects.create(name=f"Hợp tác xã {n}", slug=f"htx-{n}", unit=unit, sector="crops", **fields)


def test_each_prefilled_figure_says_its_source_and_links_to_the_list_that_counts_it(officer, h1_request, hong_dan):
    ninh_quoi = AdministrativeUnit.objects.get(code="956-02")
    _coop(ninh_quoi, 1)
    _coop(hong_dan.unit, 2, status="suspended", status_since=date(2021, 3, 1))
    _coop(ninh_quoi, 3, status="dissolved", status_since=date(2021, 5, 1))  # gone before the period's end
    _coop(ninh_quoi, 4, certificate_date=date(2022, 8, 1))  # registered after it
    _coop(AdministrativeUnit.objects.get(name="Thị trấn Gành Hào"), 5)  # Đông Hải
    response = officer.get(f"/bao-cao/yeu-cau/{h1_request.pk}/")
    page = response.content.decode()
    assert "Theo sổ đăng ký HTX ngày 30/06/2022" in page
    form = response.context["form"]
    row = next(r for r in form.indicator_rows() if r.field.name == "ind_htx_total")
    assert row.prefilled == 2 and not row.changed
    assert row.source.url == (
        f"/hop-tac-xa/quan-ly/danh-sach/?unit={hong_dan.unit_id}&kind=htx&chi_so=existing&ngay=30%2F06%2F2022"
    )
    assert f'href="{escape(row.source.url)}"' in page
    listed = officer.get(row.source.url)
    assert listed.status_code == 200 and listed.context["count"] == row.prefilled  # the list behind the figure
    members = next(r for r in form.indicator_rows() if r.field.name == "ind_members")
    assert members.source.text == "Theo số liệu năm 2022 trong sổ đăng ký HTX"


def test_a_figure_the_officer_changed_is_marked_for_them_and_for_the_reviewer(
    client, officer_hong_dan, alliance_staff, h1_request, hong_dan
):
    _coop(AdministrativeUnit.objects.get(code="956-02"), 1)
    client.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    client.post(url, _form(ind_htx_total="3"))
    value = Report.objects.get().values.get(code="htx_total")
    assert (value.prefilled, value.value) == (1, 3)  # both kept
    page = client.get(url)
    row = next(r for r in page.context["form"].indicator_rows() if r.field.name == "ind_htx_total")
    assert row.changed and "Đã sửa so với sổ đăng ký" in page.content.decode()
    client.force_login(alliance_staff)
    detail = client.get(Report.objects.get().get_absolute_url()).content.decode()
    assert "Đơn vị đã sửa" in detail and "Theo sổ đăng ký HTX ngày 30/06/2022" in detail


@pytest.mark.parametrize("codes", [["htx_total"], SEMIANNUAL_DEFAULT])
def test_the_form_with_a_saved_report_and_a_draft_costs_the_same_queries_whatever_its_size(
    officer, hong_dan, codes, django_assert_num_queries
):
    request = report_request([hong_dan], sections="A\nB\nC", indicator_codes=codes)
    url = f"/bao-cao/yeu-cau/{request.pk}/"
    officer.post(url, {"version": 0, "action": "save", "section_0": "Đã lưu"})
    report = Report.objects.get()
    for n in range(1 if len(codes) == 1 else 4):
        services.report_attach(report=report, upload=pdf_upload(f"tep-{n}.pdf"), by=report.updated_by)
    _autosave(officer, request, version=report.version, section_0="Nháp")
    officer.get(url)  # warm the per-process caches (site settings, menus)
    with django_assert_num_queries(
        12
    ):  # session, user, request, report and values, draft, signatories (head, choices), files, log ...
        page = officer.get(url)
    assert "Nháp" in page.content.decode()
