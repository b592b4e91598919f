"""Actors and data for the directives tests: the demo's agencies, a report request, media in a temporary folder."""

from datetime import date
from io import StringIO

import pytest

from directives.indicators import SEMIANNUAL_DEFAULT
from directives.models import ReportRequest
from portal.models import Agency


@pytest.fixture
def directives_demo(demo):
    from directives import demo as directives_demo

    directives_demo.load(StringIO())
    return directives_demo


@pytest.fixture
def full_demo(demo):
    """The registry's, the fund's and the directives' demo rows (what the scorecard counts)."""
    from cooperatives import demo as cooperatives_demo
    from directives import demo as directives_demo
    from fund import demo as fund_demo

    for module in (cooperatives_demo, fund_demo, directives_demo):
        module.load(StringIO())


@pytest.fixture
def hong_dan(demo):
    return Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")


@pytest.fixture
def dong_hai(demo):
    return Agency.objects.get(name="Ủy ban nhân dân Huyện Đông Hải")


@pytest.fixture
def h1_request(hong_dan, dong_hai):
    request = ReportRequest.objects.create(
        title="Báo cáo 6 tháng đầu năm 2022",
        kind=ReportRequest.Kind.SEMIANNUAL,
        period_start=date(2022, 1, 1),
        period_end=date(2022, 6, 30),
        deadline=date(2022, 7, 15),
        sections="Kết quả đạt được\nKhó khăn, vướng mắc",
        indicator_codes=["htx_total", "members", "boards_trained"],
    )
    request.agencies.set([hong_dan, dong_hai])
    return request


@pytest.fixture
def semiannual_codes():
    return SEMIANNUAL_DEFAULT
