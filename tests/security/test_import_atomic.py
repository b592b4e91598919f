"""An import that fails halfway leaves nothing behind.

For every import (the registry's import jobs and command, the fund's loan book, the admin's loan product import) a
file whose late row is bad, or whose late row meets a database error, must leave every table of the registry and the
fund as it was: rows written by earlier batches are rolled back with the rest, history rows included.
Database errors are real: a row colliding with an existing row's unique slug, or a trigger that refuses one insert
the way a unique violation would (fault injection in the database, not a mock).
"""

from contextlib import contextmanager

import pytest
import tablib
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection
from django.utils.text import slugify

from cooperatives.importing import job_apply, run_import
from cooperatives.models import Cooperative, ImportJob
from cooperatives.resources import CooperativeResource, YearlyFigureResource
from portal.models import AdministrativeUnit
from portal.search import fold

from .htmlforms import form_data

pytestmark = pytest.mark.security

ROWS, BAD_ROW = 12, 11  # with batches of 5 rows, rows 1-10 are already written when row 11 fails


def row_counts() -> dict[str, int]:
    """Rows in every table of the registry and the fund, their history tables included."""
    models = [*apps.get_app_config("cooperatives").get_models(), *apps.get_app_config("fund").get_models()]
    return {m._meta.label: m._base_manager.count() for m in models}


@contextmanager
def insert_refused(table: str, column: str, value: str):
    """A database trigger refusing the insert of the row whose `column` equals `value`, as a unique violation."""
    literal = "'" + str(value).replace("'", "''") + "'"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_refuse_insert() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.{column}::text = {literal} THEN "
                "RAISE EXCEPTION 'injected fault' USING ERRCODE = 'unique_violation'; END IF; RETURN NEW; END "
                "$$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER test_refuse_insert BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_insert()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER test_refuse_insert BEFORE INSERT ON {table} "
                f"WHEN CAST(NEW.{column} AS TEXT) = {literal} "
                "BEGIN SELECT RAISE(ABORT, 'injected fault: UNIQUE constraint failed'); END"
            )
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER test_refuse_insert{' ON ' + table if connection.vendor == 'postgresql' else ''}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION test_refuse_insert()")


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 5 rows instead of 1,000, so a 12-row file has written two batches when row 11 fails."""
    for resource in (CooperativeResource, YearlyFigureResource):
        monkeypatch.setattr(resource._meta, "batch_size", 5)


# --- the registry ---------------------------------------------------------------------------------------------------


def cooperative_rows(bad: dict | None = None) -> tablib.Dataset:
    from tests.cooperatives.test_import import HEADERS, row

    data = tablib.Dataset(headers=HEADERS)
    for n in range(1, ROWS + 1):
        changes = {"Mã số đăng ký": f"19009990{n:02d}", "Tên": f"Hợp tác xã Nông nghiệp Thử Nhập {n}"}
        changes.update(bad if n == BAD_ROW and bad else {})
        data.append(row(**changes))
    return data


def figure_rows(code: str, bad: dict | None = None) -> tablib.Dataset:
    headers = ["Mã số đăng ký", "Năm", "Thành viên chính thức", "Doanh thu (đồng)", "Lợi nhuận (đồng)"]
    data = tablib.Dataset(headers=headers)
    for n in range(1, ROWS + 1):
        values = {"Mã số đăng ký": code, "Năm": str(2000 + n), "Thành viên chính thức": "30"}
        values.update({"Doanh thu (đồng)": "1.000.000", "Lợi nhuận (đồng)": "0"})
        values.update(bad if n == BAD_ROW and bad else {})
        data.append([values[h] for h in headers])
    return data


def _existing_cooperative():
    from tests.cooperatives.factories import CooperativeFactory

    return CooperativeFactory(unit=AdministrativeUnit.objects.get(code="956-02"), registration_code="1900123456")


@pytest.mark.parametrize(
    "bad", [{"Ngày cấp đăng ký": "31/02/2024"}, {"Lĩnh vực": "Không có lĩnh vực này"}, {"Mã số đăng ký": ""}]
)
def test_a_registry_file_with_a_bad_late_row_writes_nothing(demo, small_batches, bad):
    before = row_counts()
    outcome = run_import(resource_key="cooperatives", dataset=cooperative_rows(bad), dry_run=False)
    assert not outcome["ok"] and outcome["errors"][0]["row"] == BAD_ROW + 1  # spreadsheet row: header is row 1
    assert row_counts() == before


def test_a_registry_import_job_meeting_a_unique_violation_late_writes_nothing(demo, small_batches):
    """Row 11's slug is already taken by another cooperative: the database refuses it after 10 rows went in."""
    taken = _existing_cooperative()
    dataset = cooperative_rows()
    name, code = dataset[BAD_ROW - 1][1], dataset[BAD_ROW - 1][0]
    taken.slug = slugify(f"{fold(name)} {code}")
    taken.save()
    job = ImportJob.objects.create(resource="cooperatives", original_name="htx.csv", status=ImportJob.Status.IMPORTING)
    job.file.save("htx.csv", ContentFile(("\ufeff" + dataset.export("csv")).encode()))
    before = row_counts()
    job_apply(job_id=job.pk)  # what the Celery task runs
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.errors
    assert row_counts() == before
    assert not Cooperative.objects.filter(registration_code__startswith="19009990").exists()


def test_a_yearly_figures_file_with_a_bad_late_row_writes_nothing(demo, small_batches):
    _existing_cooperative()
    before = row_counts()
    outcome = run_import(resource_key="figures", dataset=figure_rows("1900123456", {"Năm": "hai nghìn"}), dry_run=False)
    assert not outcome["ok"]
    assert row_counts() == before


def test_a_yearly_figures_import_meeting_a_database_error_late_writes_nothing(demo, small_batches):
    _existing_cooperative()
    before = row_counts()
    with insert_refused("cooperatives_yearlyfigure", "year", str(2000 + BAD_ROW)):
        outcome = run_import(resource_key="figures", dataset=figure_rows("1900123456"), dry_run=False)
    assert not outcome["ok"]
    assert row_counts() == before


def test_the_import_command_meeting_a_database_error_late_writes_nothing(demo, small_batches, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "htx.csv"
    path.write_text("\ufeff" + cooperative_rows().export("csv"), encoding="utf-8")
    before = row_counts()
    with insert_refused("cooperatives_cooperative", "registration_code", f"19009990{BAD_ROW:02d}"):
        call_command("import_registry", "cooperatives", str(path))
    assert row_counts() == before


# --- the fund's loan book -------------------------------------------------------------------------------------------


def loan_book(coop, product, *, bad_payment=None):
    """12 loans, each disbursed and repaid once; the payment of loan 11 is `bad_payment` when given."""
    from tests.fund.test_import import loan_row, workbook

    loans = [loan_row(f"LB-{n:03d}", coop, product) for n in range(1, ROWS + 1)]
    disbursements = [(f"LB-{n:03d}", "15/01/2024", 120_000_000) for n in range(1, ROWS + 1)]
    payments = [(f"LB-{n:03d}", "15/02/2024", 10_000_000 + n) for n in range(1, ROWS + 1)]
    if bad_payment:
        payments[BAD_ROW - 1] = bad_payment
    return workbook(loans, disbursements, payments)


@pytest.fixture
def loan_book_setup(client, fund_officer):
    from tests.fund.factories import CooperativeFactory, ProductFactory

    client.force_login(fund_officer)
    return CooperativeFactory(), ProductFactory()


def test_a_loan_book_with_a_bad_late_payment_row_writes_nothing(client, loan_book_setup):
    before = row_counts()
    upload = loan_book(*loan_book_setup, bad_payment=("LB-011", "15/02/2024", -5))
    response = client.post("/quy-ho-tro/quan-ly/nhap-so-vay/", {"file": upload})
    assert response.status_code == 400 and "Trả nợ, dòng 12: số tiền phải lớn hơn 0." in response.content.decode()
    assert row_counts() == before


def test_a_loan_book_meeting_a_database_error_at_the_last_payment_writes_nothing(client, loan_book_setup):
    before = row_counts()
    with insert_refused("fund_payment", "amount", str(10_000_000 + BAD_ROW)):
        response = client.post("/quy-ho-tro/quan-ly/nhap-so-vay/", {"file": loan_book(*loan_book_setup)})
    assert response.status_code == 400
    assert "không có dữ liệu nào được ghi" in response.content.decode()
    assert row_counts() == before


# --- the admin's import of loan products ----------------------------------------------------------------------------


def product_file(bad: dict | None = None) -> bytes:
    from fund.resources import LoanProductResource

    headers = [f.column_name for f in LoanProductResource().get_import_fields()]
    data = tablib.Dataset(headers=headers)
    for n in range(1, ROWS + 1):
        values = {
            "code": f"sp-nhap-{n}",
            "name": f"Sản phẩm nhập {n}",
            "max_amount": "500000000",
            "max_term_months": "36",
            "annual_rate": "9",
            "rate_method": "declining",
            "day_count": "monthly_rate",
            "frequency": "monthly",
            "amortization": "equal_principal",
            "grace_months": "0",
            "overdue_multiplier": "1.5",
            "min_own_contribution_pct": "20",
            "is_active": "1",
        }
        values.update(bad if n == BAD_ROW and bad else {})
        data.append([values[h] for h in headers])
    return data.export("csv").encode()


def admin_upload(client, content: bytes):
    """The admin's first step: upload the file, which import-export checks in a dry run."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.get("/admin/fund/loanproduct/import/").content.decode()
    fields = form_data(page)
    fields["format"] = [next(value for value, label in _options(page, "format") if label.lower() == "csv")]
    upload = SimpleUploadedFile("san-pham.csv", content, content_type="text/csv")
    return client.post("/admin/fund/loanproduct/import/", {**fields, "import_file": upload})


def admin_confirm(client, checked):
    """The second step: the confirm button of a file that passed the dry run."""
    confirm = form_data(checked.content.decode())
    assert "import_file_name" in confirm, "the dry run refused the file"
    return client.post("/admin/fund/loanproduct/process_import/", confirm)


def _options(html: str, select_name: str) -> list[tuple[str, str]]:
    import re

    block = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', block)


def test_an_admin_product_import_with_a_bad_late_row_writes_nothing(client, fund_officer):
    client.force_login(fund_officer)
    before = row_counts()
    checked = admin_upload(client, product_file({"annual_rate": "chín phần trăm"}))
    assert checked.status_code == 200 and "import_file_name" not in form_data(checked.content.decode())
    assert row_counts() == before


def test_an_admin_product_import_meeting_a_database_error_late_writes_nothing(client, fund_officer):
    """The dry run passed; the real run meets the fault at row 11 after rows 1-10 were saved."""
    client.force_login(fund_officer)
    before = row_counts()
    checked = admin_upload(client, product_file())
    from django.contrib.admin.models import LogEntry

    with insert_refused("fund_loanproduct", "code", f"sp-nhap-{BAD_ROW}"):
        response = admin_confirm(client, checked)
    assert row_counts() == before
    assert not LogEntry.objects.exists()  # no "added" entries for rows that were rolled back
    page = client.get(response.url).content.decode()
    assert f"dòng {BAD_ROW + 1} bị cơ sở dữ liệu từ chối nên không có dữ liệu nào được ghi" in page


def test_the_good_files_do_import(demo, client, fund_officer, loan_book_setup, small_batches):
    """The same files without the bad row go in whole: the tests above fail for the fault, not the file."""
    from fund.models import LoanProduct, Payment

    assert run_import(resource_key="cooperatives", dataset=cooperative_rows(), dry_run=False)["ok"]
    assert Cooperative.objects.filter(registration_code__startswith="19009990").count() == ROWS
    assert run_import(resource_key="figures", dataset=figure_rows("1900999001"), dry_run=False)["ok"]
    response = client.post("/quy-ho-tro/quan-ly/nhap-so-vay/", {"file": loan_book(*loan_book_setup)})
    assert response.status_code == 302 and Payment.objects.count() == ROWS
    admin_confirm(client, admin_upload(client, product_file()))
    assert LoanProduct.objects.filter(code__startswith="sp-nhap-").count() == ROWS
