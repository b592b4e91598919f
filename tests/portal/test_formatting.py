from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import formats, translation

from portal.formatting import group_thousands, money, plain_number, vn_weekday_datetime
from portal.search import fold, terms


def test_money_is_written_with_dots_and_the_dong_sign():
    assert money(1500000) == "1.500.000 ₫"
    assert money(Decimal("-2500")) == "-2.500 ₫"
    assert money(0) == "0 ₫"
    assert money(None) == "—"


def test_decimals_use_a_comma():
    assert group_thousands(Decimal("1234.56"), 1) == "1.234,6"


def test_the_seed_articles_time_is_written_with_its_weekday():
    moment = datetime(2022, 4, 20, 16, 14, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert vn_weekday_datetime(moment) == "Thứ tư, 20/04/2022, 16:14"


def test_utc_times_are_shown_in_vietnam_time():
    moment = datetime(2022, 4, 20, 9, 14, tzinfo=ZoneInfo("UTC"))
    assert vn_weekday_datetime(moment) == "Thứ tư, 20/04/2022, 16:14"


def test_dates_render_dd_mm_yyyy_in_templates():
    with translation.override("vi"):
        assert formats.date_format(date(2022, 4, 6), "SHORT_DATE_FORMAT") == "06/04/2022"
        rendered = Template("{{ d|date:'SHORT_DATE_FORMAT' }} {% load portal_tags %}{{ n|money }}").render(
            Context({"d": date(2022, 4, 6), "n": 1500000})
        )
    assert rendered == "06/04/2022 1.500.000 ₫"


def test_folding_removes_vietnamese_diacritics():
    assert fold("Hợp tác xã Đông Hải") == "hop tac xa dong hai"
    assert fold("ĐẠI HỘI") == "dai hoi"
    assert terms("  Thảo   gỡ ") == ["thao", "go"]


def test_a_plain_number_shows_only_the_decimals_it_has():
    assert [plain_number(Decimal(v)) for v in ("20.00", "19.5", "1500.25", "1.50")] == ["20", "19,5", "1.500,25", "1,5"]
