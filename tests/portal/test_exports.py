"""No text a user typed runs as a formula in any file the portal exports (xlsx or csv, our pages and the admin)."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.urls import get_resolver
from hypothesis import example, given, settings
from hypothesis import strategies as st
from import_export.admin import ExportMixin

from cooperatives.models import Congress, YearlyFigure
from directives.services import report_transition
from portal.exports import safe_cell, unescape_cell
from portal.models import AdministrativeUnit, Agency, UnitMapping, User
from tests.directives.factories import filled_report, report_request
from tests.fund.factories import CooperativeFactory, MemberFactory, ProductFactory, booked_loan
from tests.properties import examples
from tests.security.htmlforms import form_data

EVIL = ['=HYPERLINK("http://x.invalid","Bấm")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)"]


@settings(max_examples=examples(200))
@given(st.one_of(st.text(), st.integers(), st.decimals(allow_nan=False), st.none(), st.dates(), st.booleans()))
@example("=1+1")
@example("-5")
@example("\t=1")
@example("+84291")
@example(Decimal("-5"))
@example(-5)
@example("'=1")
@example("''=1")
def test_a_safe_cell_is_never_a_formula_and_never_changes_a_number(value):
    safe = safe_cell(value)
    if isinstance(value, str):
        assert not safe.startswith(TRIGGERS)
        assert safe in (value, "'" + value)  # the text itself is kept, at most quoted
        looks_escaped = value.lstrip("'").startswith(TRIGGERS)
        assert (safe == value) == (not value.startswith(TRIGGERS) and not looks_escaped)  # quoted only when it must
        assert unescape_cell(safe) == value  # and an import gives the text back exactly
    else:
        assert safe is value  # numbers, dates, None: the very same object, so a negative amount stays a number


TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A csv has no cell types: a field that is a plain signed numeral was a number (a loss, say), not text.
NUMERAL = re.compile(r"-?[0-9]+(?:[.,][0-9]+)*")


def _check_xlsx(content: bytes, where: str) -> int:
    book = openpyxl.load_workbook(io.BytesIO(content))
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where} {sheet.title}!{cell.coordinate}: formula {cell.value!r}"
                unsafe = isinstance(cell.value, str) and cell.value.startswith(TRIGGERS)
                assert not unsafe, f"{where} {sheet.title}!{cell.coordinate}: {cell.value!r}"
                seen += cell.value is not None
    return seen


def _check_csv(content: bytes, where: str) -> int:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    for row in rows:
        for value in row:
            assert not value.startswith(TRIGGERS) or NUMERAL.fullmatch(value), f"{where}: {value!r}"
    return len(rows)


@pytest.fixture
def evil_world(demo, fund_officer, officer_hong_dan, alliance_staff):
    """Names beginning with each of = + - @ wherever a user may type one that lands in an export."""
    district = AdministrativeUnit.objects.create(code="T-EVIL", name=EVIL[2], level="district")
    commune = AdministrativeUnit.objects.create(code="T-EVIL-1", name=EVIL[3], level="commune", parent=district)
    coop = CooperativeFactory(name=EVIL[0], unit=commune, address=EVIL[1], registration_code="=1+1")
    merged = AdministrativeUnit.objects.create(
        code="T-EVIL-0", name=EVIL[1], level="commune", parent=district, valid_to=date(2025, 6, 30)
    )
    UnitMapping.objects.create(old_unit=merged, new_unit=commune, note=EVIL[2])
    YearlyFigure.objects.create(cooperative=coop, year=2023, members_official=12, profit=Decimal(-5_000_000))
    Congress.objects.create(cooperative=coop, kind="annual", fiscal_year=2023, held_date=date(2024, 3, 1))
    product = ProductFactory(name=EVIL[2], code="@sp")
    member = MemberFactory(cooperative=coop, full_name=EVIL[3])
    booked_loan(by=fund_officer, cooperative=coop, product=product, code="+HS-1", project_name=EVIL[0])
    booked_loan(by=fund_officer, cooperative=coop, member=member, product=product, code="-HS-2")

    agency = Agency.objects.create(name=EVIL[0], kind=Agency.Kind.DISTRICT_PC, unit=district)
    request = report_request([agency], title=EVIL[3])
    report = filled_report(request, agency, htx_total=3, members=40)
    report_transition(report=report, action="submit", by=User.objects.get(username="quantri"))
    report_transition(report=report, action="accept", by=alliance_staff)
    return {"request": request}


# Every URL route that hands out a spreadsheet; a new one must be added here (and so to the walk below).
SPREADSHEET_ROUTES = {
    "cooperatives:export",
    "cooperatives:import_template",
    "directives:province_request_xlsx",
    "directives:scorecard_xlsx",
    "admin:portal_unitmapping_sheet",
    "opendata:download",
}


def test_every_spreadsheet_route_is_walked():
    names = set()
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        for name in resolver.reverse_dict:
            if isinstance(name, str):
                routes = [str(p) for p in resolver.reverse_dict.getlist(name)]
                if any(word in r for r in routes for word in ("xlsx", "xuat", "fmt", "csv")):
                    names.add(f"{namespace}:{name}")
    assert names <= SPREADSHEET_ROUTES


def _admin_exports(client):
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ExportMixin):
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/export/"
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        fields = form_data(html, form_id=None)
        for fmt in ("csv", "xlsx"):
            index = next(i for i, f in enumerate(model_admin.get_export_formats()) if f().get_title() == fmt)
            yield f"{url} ({fmt})", fmt, client.post(url, {**fields, "format": str(index)})


def test_no_export_of_any_app_or_the_admin_carries_a_formula(client, evil_world, superuser, fund_officer):
    client.force_login(superuser)
    files = []
    for resource in ("cooperatives", "groups", "figures", "congresses"):
        for fmt in ("csv", "xlsx"):
            files.append((f"export {resource}.{fmt}", fmt, client.get(f"/hop-tac-xa/quan-ly/xuat/{resource}.{fmt}")))
            files.append((f"template {resource}.{fmt}", fmt, client.get(f"/hop-tac-xa/quan-ly/mau/{resource}.{fmt}")))
    request = evil_world["request"]
    files.append(("report summary", "xlsx", client.get(f"/bao-cao/tong-hop/{request.pk}/xlsx/")))
    files.append(("district scorecard", "xlsx", client.get("/bao-cao/dia-ban/chi-so.xlsx")))
    files.append(("loan book template", "xlsx", client.get("/quy-ho-tro/quan-ly/nhap-so-vay/", {"mau": "1"})))
    files.append(("portfolio", "xlsx", client.get("/quy-ho-tro/bao-cao/", {"ngay": "30/06/2024", "xuat": "xlsx"})))
    today_map = {"ngay": "30/06/2024", "xuat": "xlsx", "ban_do": "hien-nay"}
    files.append(("portfolio, today's map", "xlsx", client.get("/quy-ho-tro/bao-cao/", today_map)))
    files.append(("unit mapping", "xlsx", client.get("/admin/portal/unitmapping/xuat.xlsx")))
    files.extend(_admin_exports(client))
    from opendata import bulk

    bulk.refresh(force=True)  # the open data's CSV files, of the evil names too
    files.extend((f"open data {d.slug}", "csv", client.get(f"/du-lieu-mo/{d.slug}.csv")) for d in bulk.ALL)

    assert any(where.startswith("/admin/fund/loan/") for where, _, _ in files)
    for where, fmt, response in files:
        assert response.status_code == 200, where
        assert "attachment" in response.get("Content-Disposition", ""), where
        content = b"".join(response.streaming_content) if response.streaming else response.content
        seen = _check_xlsx(content, where) if fmt == "xlsx" else _check_csv(content, where)
        assert seen, where

    # The names are still there, quoted, and amounts stay numbers: the portfolio's outstanding is a numeric cell.
    portfolio = client.get("/quy-ho-tro/bao-cao/", {"ngay": "30/06/2024", "xuat": "xlsx"}).content
    values = [
        c.value for s in openpyxl.load_workbook(io.BytesIO(portfolio)).worksheets for r in s.iter_rows() for c in r
    ]
    assert "'+HS-1" in values and "'" + EVIL[2] in values
    assert Decimal(240_000_000) in [Decimal(str(v)) for v in values if isinstance(v, (int, float))]


def test_an_admin_xlsx_export_keeps_amounts_as_numbers(client, evil_world, superuser):
    client.force_login(superuser)
    exports = {where: response for where, fmt, response in _admin_exports(client) if fmt == "xlsx"}
    for url, header in (("/admin/fund/loan/", "Số tiền phê duyệt"), ("/admin/fund/loanproduct/", "max_amount")):
        response = next(r for where, r in exports.items() if where.startswith(url))
        rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows())
        column = [c.value for c in rows[0]].index(header)
        amounts = [r[column] for r in rows[1:] if r[column].value not in (None, "")]
        assert amounts, url
        assert all(c.data_type == "n" for c in amounts), [(url, c.coordinate, c.value) for c in amounts]
