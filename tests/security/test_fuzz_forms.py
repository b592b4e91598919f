"""Hypothesis throws random Unicode, huge strings and wrong types at every form, filter and import: never a 500.

Each target is one page a reader, an officer or staff can send data to, with the names of its fields. Values are
any Unicode text (controls, NUL, right-to-left, emoji), 10k-100k character strings, numbers where dates are
expected and the reverse, impossible dates (31/02/2024), and lists where one value is expected. Where a form is
shown again, what the user typed in its text boxes must still be there. The two spreadsheet imports get rows with
random cells: each file is either imported whole or refused with row errors, never an exception.
"""

import io
import itertools
import os
from datetime import date
from decimal import Decimal

import pytest
import tablib
from django.contrib import admin
from django.test import RequestFactory
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cooperatives.importing import run_import
from cooperatives.models import Cooperative
from cooperatives.resources import CooperativeResource
from directives.models import ReportRequest
from fund import loanbook
from fund.models import Loan
from fund.views import ACTIONS as LOAN_ACTIONS
from portal.text import normalise, normalise_multiline
from public.models import Article, Page, Poll
from tests.directives.factories import report_request as make_report_request
from tests.fund.factories import CooperativeFactory as FundCooperativeFactory
from tests.fund.factories import LoanFactory, ProductFactory
from tests.properties import examples
from tests.public.factories import ArticleFactory, PollFactory

pytestmark = pytest.mark.security

# FUZZ_EXAMPLES=30 (or 200) for a longer hunt; the default 20 keeps the file under a minute on SQLite.
EXAMPLES = examples(int(os.environ.get("FUZZ_EXAMPLES", "20")))
FUZZ = settings(
    max_examples=EXAMPLES,
    # FUZZ_NO_SHRINK=1 reports the first failing input at once instead of minimising it (minutes on a slow page).
    phases=[Phase.explicit, Phase.reuse, Phase.generate] if os.environ.get("FUZZ_NO_SHRINK") else list(Phase),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

NASTY = [
    "", " ", "\x00", "a\x00b", "\t\r\n", "\u202egnp.exe", "\u200b\u200d\ufeff", "مرحبا بالعالم", "שלום עולם",
    "Hợp tác xã", "𝕳𝖔̈𝖕 𝖙𝖆́𝖈", "🙂" * 40, "31/02/2024", "2024-02-31", "29/02/2023", "00/00/0000", "9999-12-31",
    "0", "-1", "1e309", "NaN", "-Infinity", "99999999999999999999999999", "-99999999999999999999", "1.5", "1,5",
    "1.500.000", "0x1F", "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "%00", "{{7*7}}",
    "null", "true", "[]", "{}", "\\", "%", "_",
]  # fmt: skip
HUGE = st.builds(
    lambda ch, n: ch * n, st.characters(min_codepoint=1, codec="utf-8"), st.sampled_from([10_000, 100_000])
)
SCALAR = st.one_of(
    st.text(),
    st.sampled_from(NASTY),
    HUGE,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(date.isoformat),
)
VALUE = st.one_of(SCALAR, SCALAR, SCALAR, st.lists(SCALAR, min_size=2, max_size=3))


def fields(names, *, extra=True):
    """A dict of random values for the named fields, plus sometimes a field the form does not know."""
    required = {name: VALUE for name in names}
    optional = {"unexpected": VALUE} if extra else {}
    return st.fixed_dictionaries(required, optional=optional)


def assert_kept(response, data, keep):
    """A form shown again still holds the text the user typed: as typed, or as the form cleans it (portal.text:
    one line normalised, or several lines with their breaks), escaped as the template renders it."""
    if response.status_code not in (200, 400):
        return
    page = response.content.decode()
    for name in keep:
        value = data.get(name)
        if not isinstance(value, str) or f'name="{name}"' not in page:
            continue
        forms_of_it = {value.strip(), normalise(value), normalise_multiline(value)} - {""}
        if forms_of_it and normalise(value):
            assert any(escape(text) in page for text in forms_of_it), f"{name} lost what was typed"


# --- The world the pages need -----------------------------------------------------------------------------------------


@pytest.fixture
def world(demo, alliance_staff, fund_officer, officer_hong_dan, editor):
    from portal.models import User

    article = ArticleFactory()
    poll = PollFactory()
    report_request = make_report_request(
        [officer_hong_dan.agency],
        title="Báo cáo 6 tháng",
        kind=ReportRequest.Kind.SEMIANNUAL,
        period_end=date(2022, 6, 30),
        deadline=date(2022, 7, 15),
        sections="Kết quả đạt được\nKhó khăn",
    )
    loan = LoanFactory(product=ProductFactory(), cooperative=FundCooperativeFactory())
    root = User.objects.create_superuser("fuzz-root", "root@example.vn", "x")
    return {
        "anonymous": None,
        "alliance_staff": alliance_staff,
        "fund_officer": fund_officer,
        "officer": officer_hong_dan,
        "editor": editor,
        "root": root,
        "article": article,
        "poll": poll,
        "report_request": report_request,
        "loan": loan,
    }


# name -> (actor, method, url (formatted with the world), field names, fields whose typed value must be kept)
TARGETS = {
    # The public site
    "search": ("anonymous", "get", "/tim-kiem/", ["q", "kind", "page"], ["q"]),
    "article_list": ("anonymous", "get", "/tin-tuc/", ["page"], []),
    "article_detail": ("anonymous", "get", "/tin-tuc/{article.slug}/", ["page", "q"], []),
    "poll_list": ("anonymous", "get", "/tham-do/", ["page"], []),
    "contact": (
        "anonymous",
        "post",
        "/lien-he/",
        ["name", "email", "phone", "subject", "body", "website"],
        ["name", "subject", "body"],
    ),
    "poll_vote": ("anonymous", "post", "/tham-do/{poll.slug}/binh-chon/", ["choice"], []),
    "login": ("anonymous", "post", "/dang-nhap/", ["username", "password", "next"], ["username"]),
    "directory": ("anonymous", "get", "/hop-tac-xa/", ["q", "unit", "kind", "sector", "status", "grade", "page"], []),
    "statistics": ("anonymous", "get", "/hop-tac-xa/thong-ke/", ["year", "unit"], []),
    "documents": (
        "anonymous",
        "get",
        "/van-ban/",
        ["q", "doc_type", "issuer", "field", "year", "status", "page"],
        [],
    ),
    "fund_home": ("anonymous", "get", "/quy-ho-tro/", ["page"], []),
    # The officers' workspace
    "workspace": ("officer", "get", "/bao-cao/", ["page", "state", "q"], []),
    "report_edit": (
        "officer",
        "post",
        "/bao-cao/yeu-cau/{report_request.pk}/",
        ["version", "action", "section_0", "section_1", "ind_htx_total", "ind_members", "attachment"],
        ["section_0", "section_1"],
    ),
    "report_autosave": (
        "officer",
        "post",
        "/bao-cao/yeu-cau/{report_request.pk}/nhap/",
        ["version", "draft_version", "section_0", "section_1", "ind_htx_total", "ind_members"],
        [],
    ),
    "registry_dashboard": ("alliance_staff", "get", "/hop-tac-xa/quan-ly/", ["year", "page"], []),
    "notices": ("alliance_staff", "get", "/thong-bao/", ["page"], []),
    "province_matrix": ("alliance_staff", "get", "/bao-cao/tong-hop/", ["page", "year"], []),
    "coop_import": ("alliance_staff", "post", "/hop-tac-xa/quan-ly/nhap-du-lieu/", ["resource", "file"], []),
    # The fund
    "loan_list": ("fund_officer", "get", "/quy-ho-tro/quan-ly/", ["q", "status", "product", "page"], []),
    "loan_detail": ("fund_officer", "get", "/quy-ho-tro/quan-ly/ho-so/{loan.pk}/", ["ngay", "on"], []),
    "fund_report": ("fund_officer", "get", "/quy-ho-tro/bao-cao/", ["ngay", "tu_ngay", "page"], []),
    "appraisals": ("fund_officer", "get", "/quy-ho-tro/tham-dinh/", ["page"], []),
    "loan_book_import": ("fund_officer", "post", "/quy-ho-tro/quan-ly/nhap-so-vay/", ["file"], []),
}
for _action, _step in LOAN_ACTIONS.items():
    TARGETS[f"loan_{_action}"] = (
        "fund_officer",
        "post",
        f"/quy-ho-tro/quan-ly/ho-so/{{loan.pk}}/{_action}/",
        [*_step.form.base_fields],
        [],
    )


def send(client, world, target, data):
    actor, method, url, _names, _keep = TARGETS[target]
    url = url.format(**world)
    return getattr(client, method)(url, data)


@pytest.mark.parametrize("target", TARGETS)
def test_no_form_or_filter_answers_500_to_random_input(target, client, world):
    actor, _method, _url, names, keep = TARGETS[target]
    if world[actor] is not None:
        client.force_login(world[actor])

    @FUZZ
    @given(data=fields(names))
    def attack(data):
        response = send(client, world, target, data)
        assert response.status_code < 500, (target, data)
        assert_kept(response, data, keep)

    attack()


def test_a_search_for_a_lone_control_character_keeps_the_cleaned_words(client, world):
    """Found by `make fuzz`: a query of one ESC character; the form shows what it cleaned the query to (nothing)."""
    for typed in ("\x1b", "hợp tác\x1bxã", "\x00 lúa"):
        response = send(client, world, "search", {"q": typed, "kind": "", "page": ""})
        assert response.status_code == 200
        assert_kept(response, {"q": typed}, ["q"])
    assert 'value="hợp tácxã"' in send(client, world, "search", {"q": "hợp tác\x1bxã"}).content.decode()


# --- The admin's add forms and changelists, as a superuser ---------------------------------------------------------

ADMIN_MODELS = {
    "cooperative": Cooperative,
    "loan": Loan,
    "article": Article,
    "page": Page,
    "poll": Poll,
    "report_request": ReportRequest,
}


def admin_field_names(model, user) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return list(admin.site._registry[model].get_form(request).base_fields)


@pytest.mark.parametrize("key", ADMIN_MODELS)
def test_the_admin_add_forms_never_answer_500(key, client, world):
    model = ADMIN_MODELS[key]
    client.force_login(world["root"])
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
    names = admin_field_names(model, world["root"])
    text_fields = [n for n in names if n in ("title", "name", "project_name", "question")]

    @settings(FUZZ, max_examples=max(1, EXAMPLES // 2))
    @given(data=fields(names, extra=False))
    def attack(data):
        response = client.post(url, data)
        assert response.status_code < 500, (key, data)
        assert_kept(response, data, text_fields)

    attack()


@pytest.mark.parametrize("key", ADMIN_MODELS)
def test_the_admin_changelists_never_answer_500_to_random_query_strings(key, client, world):
    model = ADMIN_MODELS[key]
    client.force_login(world["root"])
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"

    @settings(FUZZ, max_examples=max(1, EXAMPLES // 3))
    @given(data=fields(["q", "o", "p", "status", "all", "_facets", "district", "grade", "e"]))
    @example(data=dict.fromkeys(["q", "o", "p", "status", "all", "_facets", "district", "e"], "") | {"grade": "\x00"})
    def attack(data):
        assert client.get(url, data).status_code < 500, (key, data)

    attack()


# --- The spreadsheet imports ---------------------------------------------------------------------------------------

CELL = st.one_of(
    st.none(),
    st.text(max_size=300),
    st.sampled_from(NASTY),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1)),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)


def mutated(row: list, cells: dict) -> list:
    """A valid row with some cells replaced by random values (so the parser gets past the first column)."""
    row = list(row)
    for index, value in cells.items():
        row[index % len(row)] = value
    return row


@pytest.fixture
def coop_headers(demo):
    return [f.column_name for f in CooperativeResource().get_import_fields()]


GOOD_COOP = {
    "Mã số đăng ký": "1900999001",
    "Tên": "Hợp tác xã Nông nghiệp Ninh Quới Mới",
    "Loại hình": "Hợp tác xã",
    "Ngày cấp đăng ký": "15/03/2024",
    "Địa chỉ": "Ấp Cây Me, Xã Ninh Quới",
    "Địa bàn": "Xã Ninh Quới",
    "Lĩnh vực": "Trồng trọt",
    "Mô hình quản trị": "Đầy đủ",
    "Vốn điều lệ (đồng)": "1.500.000.000",
    "Tình trạng": "Đang hoạt động",
    "Người đại diện theo pháp luật": "Nguyễn Văn Mẫu",
    "HTX điểm": "Không",
    "Đăng ký lại theo Luật 2023": "Có",
}


def test_the_cooperatives_import_is_whole_or_refused_with_row_errors(coop_headers):
    good = [GOOD_COOP.get(h, "") for h in coop_headers]

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(rows=st.lists(st.dictionaries(st.integers(0, 40), CELL, max_size=4), min_size=1, max_size=3))
    @example(rows=[{0: "a\x00b"}])  # a NUL in the code reached PostgreSQL's lookup: DataError, a 500 on the job
    @example(rows=[{1: "\x00"}, {20: " 1900999001 "}])
    def attack(rows):
        data = tablib.Dataset(headers=coop_headers)
        for n, cells in enumerate(rows):
            data.append(mutated([v if i else f"19009990{n:02d}" for i, v in enumerate(good)], cells))
        before = Cooperative.objects.count()
        outcome = run_import(resource_key="cooperatives", dataset=data, dry_run=False)
        after = Cooperative.objects.count()
        if outcome["ok"]:
            assert after - before == outcome["new"]
        else:
            assert outcome["errors"] and after == before
            assert all(error["messages"] for error in outcome["errors"])
        Cooperative.objects.filter(registration_code__startswith="19009990").delete()

    attack()


@pytest.fixture
def loan_book_world(fund_officer):
    return fund_officer, FundCooperativeFactory(), ProductFactory()


def test_the_loan_book_import_is_whole_or_refused_with_row_errors(loan_book_world):
    officer, coop, product = loan_book_world
    serial = itertools.count()
    good = ["CU-{n}", coop.registration_code, "", "", product.code, "Nuôi tôm"]
    good += [200_000_000, 80_000_000, 120_000_000, 12, 12, "05/01/2024", "01/HĐ", "10/01/2024"]

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(
        loans=st.lists(st.dictionaries(st.integers(0, 13), CELL, max_size=3), min_size=1, max_size=3),
        payments=st.lists(st.lists(CELL, min_size=3, max_size=3), max_size=2),
    )
    def attack(loans, payments):
        book = Workbook()
        book.remove(book.active)
        sheets = dict.fromkeys(loanbook.SHEETS)
        for name in loanbook.SHEETS:
            sheets[name] = book.create_sheet(name)
            sheets[name].append(loanbook.SHEETS[name])
        for cells in loans:
            code = good[0].format(n=next(serial))
            row = mutated([code, *good[1:]], cells)
            sheets[loanbook.LOANS].append([_cell(v) for v in row])
            sheets[loanbook.DISBURSEMENTS].append([code, "15/01/2024", 120_000_000])
        for row in payments:
            sheets[loanbook.PAYMENTS].append([_cell(v) for v in row])
        stream = io.BytesIO()
        book.save(stream)
        stream.seek(0)
        before = Loan.objects.count()
        try:
            created = loanbook.import_loan_book(upload=stream, by=officer)
        except loanbook.ImportRejected as rejected:
            assert rejected.errors and all(isinstance(e, str) and e for e in rejected.errors)
            assert Loan.objects.count() == before
        else:
            assert Loan.objects.count() == before + len(created) == before + len(loans)

    attack()


def _cell(value):
    """openpyxl refuses control characters in cells; a spreadsheet program could not have saved them either."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
    if isinstance(value, Decimal):
        return float(value)
    return value


# --- The server errors the fuzzing found, pinned -------------------------------------------------------------------


@pytest.mark.parametrize("column", range(19))
def test_a_nul_byte_in_any_column_of_the_registry_import_is_an_error_on_its_row(column, coop_headers):
    good = [GOOD_COOP.get(h, "") for h in coop_headers]
    good[column] = "a\x00b"
    data = tablib.Dataset(good, headers=coop_headers)
    outcome = run_import(resource_key="cooperatives", dataset=data, dry_run=False)
    assert [e["row"] for e in outcome["errors"]] == [2]
    assert "ký tự điều khiển (U+0000)" in outcome["errors"][0]["messages"][0]
    assert not Cooperative.objects.exists()


def test_a_100k_character_search_is_answered_not_refused_by_the_database(client, world):
    client.force_login(world["fund_officer"])
    for url in ("/quy-ho-tro/quan-ly/", "/hop-tac-xa/", "/van-ban/", "/tim-kiem/"):
        assert client.get(url, {"q": "x" * 100_000}).status_code == 200, url
    client.force_login(world["root"])
    assert client.get("/admin/cooperatives/cooperative/", {"q": "đ" * 100_000 + "\x00"}).status_code == 200


def test_search_words_are_bounded_and_lose_control_characters():
    from portal.search import terms

    assert terms("a\x00b " + "x" * 100_000) == ["ab", "x" * 64]
    assert terms("Hợp  tác\txã") == ["hop", "tac", "xa"]


def test_the_cooperative_changelist_counts_facets_by_district(client, world):
    client.force_login(world["root"])
    assert client.get("/admin/cooperatives/cooperative/", {"_facets": "True"}).status_code == 200


@pytest.mark.parametrize("district", ["108156330150940614066176", "²", "0" * 10_000])
def test_the_cooperative_changelist_ignores_a_district_that_is_not_a_plain_number(district, client, world):
    client.force_login(world["root"])
    assert client.get("/admin/cooperatives/cooperative/", {"district": district}).status_code == 200


def test_an_appraisal_request_naming_an_agency_beyond_the_integer_range_is_refused_in_words(client, world):
    client.force_login(world["fund_officer"])
    url = f"/quy-ho-tro/quan-ly/ho-so/{world['loan'].pk}/appraisal/"
    response = client.post(url, {"agencies": str(2**63), "on": "05/01/2024"})
    assert response.status_code == 400
    assert "“9223372036854775808” không phải là lựa chọn hợp lệ." in response.content.decode()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/admin/fund/loan/add/", {"member": "không-phải-số", "cooperative": str(2**63)}),
        ("/admin/public/article/add/", {"related_documents": "0" * 10_000, "tags": ["x", "-1"]}),
    ],
)
def test_an_admin_form_shown_again_with_a_bad_autocomplete_key_is_answered_not_500(url, data, client, world):
    client.force_login(world["root"])
    response = client.post(url, data)
    assert response.status_code == 200
    assert "errornote" in response.content.decode()


@pytest.mark.parametrize("choice", ["²", "0" * 10_000, str(2**63), "١"])
def test_a_poll_vote_for_a_choice_that_is_not_a_plain_number_is_refused_in_words(choice, client, world):
    response = client.post(f"/tham-do/{world['poll'].slug}/binh-chon/", {"choice": choice}, follow=True)
    assert response.status_code == 200
    assert "Vui lòng chọn một phương án." in response.content.decode()


def test_a_login_with_a_10000_character_name_is_refused_before_it_reaches_the_failure_log(client, world):
    from axes.models import AccessAttempt

    response = client.post("/dang-nhap/", {"username": "n" * 10_000, "password": "x"})
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
