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
def every_demo(whole_demo_for_module, demo):
    """Every app's demo (`load_demo`), loaded once for the module that asks (tests/conftest.py); each test's changes
    roll back with it. Only for modules whose every test reads the demo: the rows stay for the module's other tests."""
    return demo


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
