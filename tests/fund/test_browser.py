"""Flows people click through, in Chromium, with screenshots at 1280 px and 360 px for people to look at."""

from io import StringIO

import pytest
from django.utils import timezone

from fund import demo as fund_demo
from fund.models import Appraisal, Loan, Payment
from tests.conftest import follow, login_in_browser

pytestmark = pytest.mark.browser


@pytest.fixture
def fund_demo_data(demo):
    fund_demo.load(StringIO())


def shoot(page, artifacts_dir, name):
    page.screenshot(path=str(artifacts_dir / f"{name}.png"), full_page=True)


def test_the_public_fund_page_reads_well_on_desktop_and_phone(
    page, mobile_page, live_server, fund_demo_data, artifacts_dir
):
    for p, size in ((page, "1280"), (mobile_page, "360")):
        p.goto(f"{live_server.url}/quy-ho-tro/")
        assert p.locator("h1").inner_text() == "Quỹ hỗ trợ phát triển hợp tác xã"
        assert p.get_by_text("Cho vay đầu tư hạ tầng, máy móc thiết bị").is_visible()
        width = p.evaluate("document.documentElement.scrollWidth")
        assert width <= p.viewport_size["width"], f"horizontal scroll at {size}px: {width}"
        shoot(p, artifacts_dir, f"fund-public-{size}")


def test_a_fund_officer_records_a_payment_on_the_loan_page(
    page, mobile_page, live_server, fund_demo_data, artifacts_dir
):
    loan = Loan.objects.get(code="QHT-017")  # about 135 days late
    before = Payment.objects.filter(loan=loan).count()
    login_in_browser(page, live_server, "quy")
    page.goto(f"{live_server.url}/quy-ho-tro/quan-ly/")
    shoot(page, artifacts_dir, "fund-loan-list-1280")
    page.goto(f"{live_server.url}{loan.get_absolute_url()}")
    assert page.get_by_text("Nhóm 3", exact=True).first.is_visible()
    shoot(page, artifacts_dir, "fund-loan-detail-1280")
    page.get_by_text("Ghi nhận trả nợ", exact=True).first.click()
    page.fill("#id_amount", "15.000.000")
    page.fill("#id_on", timezone.localdate().isoformat())
    follow(page, page.get_by_role("button", name="Ghi nhận trả nợ"))
    assert page.get_by_text("Đã cập nhật hồ sơ.").is_visible()
    assert Payment.objects.filter(loan=loan).count() == before + 1
    page.goto(f"{live_server.url}/quy-ho-tro/bao-cao/")
    assert page.get_by_text("Danh sách nợ quá hạn").is_visible()
    shoot(page, artifacts_dir, "fund-report-1280")
    login_in_browser(mobile_page, live_server, "quy")
    for name, url in (("loan-detail", loan.get_absolute_url()), ("report", "/quy-ho-tro/bao-cao/")):
        mobile_page.goto(f"{live_server.url}{url}")
        width = mobile_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name} scrolls sideways at 360px: {width}"
        shoot(mobile_page, artifacts_dir, f"fund-{name}-360")


def test_an_agency_officer_gives_an_appraisal_opinion(page, mobile_page, live_server, fund_demo_data, artifacts_dir):
    pending = Appraisal.objects.filter(agency__name="Ủy ban nhân dân Huyện Hồng Dân", recommendation="pending").first()
    login_in_browser(page, live_server, "hongdan")
    page.goto(f"{live_server.url}/quy-ho-tro/tham-dinh/")
    shoot(page, artifacts_dir, "fund-appraisals-1280")
    page.click(f"a[href='{pending.get_absolute_url()}']")
    page.get_by_label("Đồng ý có điều kiện").check()
    page.fill("#id_opinion", "Đồng ý nếu hợp tác xã bổ sung tài sản bảo đảm.")
    shoot(page, artifacts_dir, "fund-appraisal-form-1280")
    follow(page, page.get_by_role("button", name="Gửi ý kiến"))
    assert page.get_by_text("Đã ghi ý kiến thẩm định.").is_visible()
    pending.refresh_from_db()
    assert pending.recommendation == "conditions" and pending.recorded_by.username == "hongdan"
    login_in_browser(mobile_page, live_server, "hongdan")
    mobile_page.goto(f"{live_server.url}/quy-ho-tro/tham-dinh/")
    shoot(mobile_page, artifacts_dir, "fund-appraisals-360")


def test_a_fund_officer_downloads_an_application_paper_from_the_loan_page(
    page, mobile_page, live_server, fund_demo_data, artifacts_dir
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fund.models import LoanDocument

    loan = Loan.objects.get(code="QHT-017")
    LoanDocument.objects.create(
        loan=loan, title="Phương án sản xuất kinh doanh", file=SimpleUploadedFile("Phương án.pdf", b"%PDF-1.7\n")
    )
    login_in_browser(page, live_server, "quy")
    page.goto(f"{live_server.url}{loan.get_absolute_url()}")
    shoot(page, artifacts_dir, "fund-loan-documents-1280")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về Phương án sản xuất kinh doanh").click()
    assert download.value.suggested_filename == "Phương án.pdf"
    # Beside it, "Xem" opens the PDF in the browser instead.
    view = page.get_by_role("link", name="Xem Phương án sản xuất kinh doanh")
    assert view.get_attribute("href").endswith("?xem=1") and view.get_attribute("target") == "_blank"
    login_in_browser(mobile_page, live_server, "quy")
    mobile_page.goto(f"{live_server.url}{loan.get_absolute_url()}")
    mobile_page.locator("#tai-lieu").scroll_into_view_if_needed()
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(mobile_page, artifacts_dir, "fund-loan-documents-360")
