import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db.models import Sum

from cooperatives.models import Congress, Cooperative, YearlyFigure
from directives.models import Document, Report, ReportRequest, ReportValue
from fund.models import Disbursement, Loan, LoanProduct, Payment
from ops import seeding
from portal import roles, scale
from portal.models import AdministrativeUnit, Agency, User
from portal.search import filter_search
from public.models import Article, Category, DailyVisit
from public.services import article_save

TINY = ["--agencies", "10", "--cooperatives", "30", "--documents", "20", "--articles", "25", "--loans", "12"]
TINY += ["--report-requests", "6", "--visits", "5000"]


@pytest.fixture
def demo(demo):
    """The foundation's demo plus what the content and fund seeders hang their rows on (a category, a product)."""
    Category.objects.create(name="Tin hoạt động", slug="tin-hoat-dong")
    LoanProduct.objects.create(
        code="sxkd", name="Cho vay sản xuất, kinh doanh", max_amount=Decimal(3_000_000_000), max_term_months=36,
        annual_rate=Decimal("7.20"),
    )  # fmt: skip
    return demo


def _seed(*extra) -> str:
    out = StringIO()
    call_command("seed_scale", *TINY, *extra, stdout=out)
    return out.getvalue()


def test_seed_scale_makes_exactly_the_sizes_asked_for(demo):
    _seed()
    scale_agencies = Agency.objects.filter(unit__code__startswith="SCALE-")
    assert scale_agencies.count() == 10
    assert scale_agencies.filter(kind=Agency.Kind.DISTRICT_PC).count() == 1
    assert AdministrativeUnit.objects.filter(code__startswith="SCALE-").count() == 10
    officers = User.objects.filter(username__startswith="scale-")
    assert officers.count() == 10
    assert officers.filter(groups__name=roles.AGENCY_OFFICER).count() == 10
    coops = Cooperative.objects.filter(registration_code__startswith="SCALE-")
    assert coops.count() == 30
    assert YearlyFigure.objects.filter(cooperative__in=coops).count() == 90
    overdue = sum(1 for pk in coops.values_list("pk", flat=True) if pk % 8 == 0)
    assert Congress.objects.filter(cooperative__in=coops, kind="annual").count() == 90 - overdue
    assert Document.objects.filter(slug__startswith="scale-").count() == 20
    articles = Article.objects.filter(slug__startswith="scale-")
    assert articles.published().count() == 25
    assert Loan.objects.filter(code__startswith="SCALE-").count() == 12
    requests = ReportRequest.objects.filter(title__startswith="SCALE-")
    assert requests.count() == 12
    assert all(r.agencies.count() == 6 for r in requests)
    assert DailyVisit.objects.aggregate(total=Sum("visits"))["total"] == 5000


def test_scale_loans_are_disbursed_and_repaid_along_the_funds_own_schedule(demo):
    _seed("--only", "agencies", "cooperatives", "loans")
    loans = Loan.objects.filter(code__startswith="SCALE-").prefetch_related("disbursements", "payments")
    assert {loan.cooperative.registration_code[:6] for loan in loans} == {"SCALE-"}
    for loan in loans:
        assert [d.amount for d in loan.disbursements.all()] == [loan.approved_amount]
        planned = loan.planned_schedule()
        paid = [(p.paid_on, p.amount) for p in loan.payments.all()]
        assert paid == [(row.due_date, row.total) for row in planned[: len(paid)]]
        if loan.status == Loan.Status.SETTLED:
            assert len(paid) == len(planned)
    assert Payment.objects.filter(loan__in=loans).exists()
    assert Disbursement.objects.filter(loan__in=loans).count() == 12


def test_scale_reports_come_in_every_state_with_their_values(demo):
    _seed("--only", "agencies", "report_requests")
    reports = Report.objects.filter(request__title__startswith="SCALE-")
    assert set(reports.values_list("state", flat=True)) == {"draft", "submitted", "accepted", "returned"}
    assert ReportValue.objects.filter(report__in=reports).count() == reports.count() * 6
    assert set(reports.values_list("agency__unit__code", flat=True)) <= set(
        AdministrativeUnit.objects.filter(code__startswith="SCALE-").values_list("code", flat=True)
    )


def test_scale_officers_can_log_in_with_the_demo_password(demo, client, settings):
    _seed("--only", "agencies")
    officer = User.objects.filter(username__startswith="scale-").first()
    assert client.login(username=officer.username, password=settings.DEMO_PASSWORD)


def test_scale_rows_are_found_by_search_without_diacritics(demo):
    _seed()
    assert filter_search(Cooperative.objects.filter(registration_code__startswith="SCALE-"), "hop tac xa").exists()
    assert filter_search(Document.objects.filter(slug__startswith="scale-"), "kinh te tap the").exists()
    assert filter_search(Article.objects.filter(slug__startswith="scale-"), "hop tac xa").exists()


def _counts():
    return [
        model.objects.count()
        for model in (Cooperative, Document, Agency, User, Article, Loan, Payment, ReportRequest, Report, DailyVisit)
    ]


def test_seed_scale_run_twice_adds_nothing_and_reset_removes_only_its_own_rows(demo):
    demo_units = AdministrativeUnit.objects.count()
    demo_users = User.objects.count()
    category = Category.objects.get()
    article_save(article=Article(category=category, title="Tin thật", status="published"))
    DailyVisit.objects.create(day=date(2026, 11, 20), visits=7)
    before = _counts()
    _seed()
    counts = _counts()
    output = _seed()
    for name in ("agencies", "cooperatives", "documents", "articles", "loans", "report_requests", "visits"):
        assert f"{name}: đã có" in output
    assert "giây" not in output.split("Xong")[0]  # nothing was timed: nothing ran
    assert _counts() == counts
    _seed("--reset")
    assert not Cooperative.objects.filter(registration_code__startswith="SCALE-").exists()
    assert not YearlyFigure.objects.filter(cooperative__registration_code__startswith="SCALE-").exists()
    assert not Document.objects.filter(slug__startswith="scale-").exists()
    assert AdministrativeUnit.objects.count() == demo_units
    assert User.objects.count() == demo_users
    assert _counts() == before
    assert Article.objects.get().title == "Tin thật"
    assert DailyVisit.objects.get().visits == 7


def test_a_new_cooperatives_size_rebuilds_the_loans_on_them(demo):
    _seed()
    assert "loans: 12 khoản vay" in _seed("--cooperatives", "40")
    assert Loan.objects.filter(code__startswith="SCALE-").count() == 12
    assert Cooperative.objects.filter(registration_code__startswith="SCALE-").count() == 40


def test_a_new_agency_size_rebuilds_what_sat_on_the_old_agencies(demo):
    _seed()
    _seed("--agencies", "20")  # the later option wins
    assert Agency.objects.filter(unit__code__startswith="SCALE-").count() == 20
    assert Cooperative.objects.filter(registration_code__startswith="SCALE-").count() == 30
    assert Loan.objects.filter(code__startswith="SCALE-").count() == 12
    requested = ReportRequest.agencies.through.objects.filter(reportrequest__title__startswith="SCALE-")
    assert requested.count() == 12 * 6
    assert set(requested.values_list("agency__unit__code", flat=True)) <= set(
        Agency.objects.filter(unit__code__startswith="SCALE-").values_list("unit__code", flat=True)
    )


def test_each_app_declares_its_own_seeders_and_they_run_in_installed_apps_order():
    found = seeding.seeders()
    assert [(s.name, s.seed.__module__) for s in found] == [
        ("agencies", "portal.scale"),
        ("cooperatives", "cooperatives.scale"),
        ("documents", "directives.scale"),
        ("report_requests", "directives.scale"),
        ("loans", "fund.scale"),
        ("articles", "public.scale"),
        ("visits", "public.scale"),
    ]
    for position, seeder in enumerate(found):
        assert set(seeder.needs) <= {s.name for s in found[:position]}, seeder.name


def test_a_seeder_listed_before_what_it_needs_is_refused(monkeypatch):
    from cooperatives import scale as cooperatives_scale

    early = scale.Seeder("widgets", lambda ctx: None, lambda ctx: None, 5, "chưa có", needs=("loans",))
    monkeypatch.setattr(cooperatives_scale, "SEEDERS", [*cooperatives_scale.SEEDERS, early])
    with pytest.raises(ImproperlyConfigured, match="widgets"):
        seeding.seeders()


def test_a_seeders_rows_do_not_depend_on_which_seeders_ran_before_it(demo):
    def documents():
        rows = Document.objects.filter(slug__startswith="scale-").order_by("slug")
        return list(rows.values_list("slug", "issue_date", "issuer", "summary"))

    _seed("--only", "documents")
    alone = documents()
    _seed("--reset")
    _seed()
    assert documents() == alone


def test_bench_queries_counts_each_page_at_demo_size_and_at_scale_and_keeps_the_data(demo, tmp_path):
    # The demo size is never empty: an empty list skips its prefetch queries and would count fewer.
    unit = AdministrativeUnit.objects.get(code="956-02")
    for n in range(2):
        Cooperative.objects.create(name=f"Hợp tác xã Mẫu {n}", slug=f"htx-mau-{n}", unit=unit, sector="crops")
    _seed()
    target = tmp_path / "queries.json"
    call_command("bench_queries", "--output", str(target), "--cpu-samples", "1", stdout=StringIO())
    report = json.loads(target.read_text())
    assert report["scale"]["rows"]["cooperatives"] - report["demo"]["rows"]["cooperatives"] == 30
    changelist = "admin: cooperatives changelist"
    assert report["demo"]["pages"][changelist]["status"] == [200, 200]
    assert report["demo"]["pages"][changelist]["queries_cold"] == report["scale"]["pages"][changelist]["queries_cold"]
    # The demo-size pass ran in a rolled-back transaction: the scale rows are still there.
    assert Cooperative.objects.filter(registration_code__startswith="SCALE-").count() == 30


def test_every_bench_page_is_a_real_route_and_its_login_a_demo_account(demo):
    import string

    from django.urls import resolve

    from ops.bench import pages

    dummy = {"article_slug": "x", "cooperative_slug": "x", "document_year": "2021", "district_id": "1"}
    for page in pages.PAGES:
        names = {name for _, name, _, _ in string.Formatter().parse(page.path) if name}
        assert names <= set(pages.PLACEHOLDERS), page.name
        resolve(page.path.format(**dummy).split("?")[0])  # Resolver404 for a guessed path
        if page.login:
            assert User.objects.filter(username=page.login, is_active=True).exists(), page.login


def test_placeholders_pick_demo_rows_not_scale_ones(demo):
    from ops.bench import pages

    unit = AdministrativeUnit.objects.get(code="956-02")
    Cooperative.objects.create(name="Hợp tác xã Mẫu", slug="htx-mau", unit=unit, sector="crops")
    article_save(article=Article(category=Category.objects.get(), title="Tin mẫu", status="published"))
    _seed()
    assert pages.resolve("/hop-tac-xa/{cooperative_slug}/") == "/hop-tac-xa/htx-mau/"
    assert pages.resolve("/tin-tuc/{article_slug}/") == "/tin-tuc/tin-mau/"
    district = AdministrativeUnit.objects.get(code="956")
    assert pages.resolve("/hop-tac-xa/?unit={district_id}") == f"/hop-tac-xa/?unit={district.pk}"


def test_reset_also_removes_what_the_registrys_jobs_made_for_scale_rows(demo):
    from cooperatives.models import CongressReminder, Notice
    from cooperatives.services import congress_reminders_send

    _seed("--only", "agencies", "cooperatives", "--cooperatives", "120")  # enough to reach the scale communes
    assert congress_reminders_send(on=date(2023, 6, 1), send_email=False)
    assert CongressReminder.objects.filter(cooperative__registration_code__startswith="SCALE-").exists()
    assert Notice.objects.filter(recipient__username__startswith="scale-").exists()  # scale officers' notices
    _seed("--reset")
    assert not CongressReminder.objects.filter(cooperative__registration_code__startswith="SCALE-").exists()
    assert not AdministrativeUnit.objects.filter(code__startswith="SCALE-").exists()


def test_the_demo_loaded_after_seeding_keeps_off_the_scale_units(demo):
    from cooperatives import demo as cooperatives_demo

    _seed("--only", "agencies")
    cooperatives_demo.load(StringIO())
    assert Cooperative.objects.exists()
    assert not Cooperative.objects.filter(unit__code__startswith="SCALE-").exists()


def test_reset_removes_what_an_older_demo_hung_on_the_scale_agencies_and_units(demo):
    from cooperatives.models import Cooperative as Coop
    from directives.models import TaskAssignment
    from tests.cooperatives.factories import CooperativeFactory
    from tests.directives.factories import assignment

    _seed("--only", "agencies")
    # What a `load_demo` older than the current one left on them: a demo task assigned to a scale district, demo
    # cooperatives on a scale commune and notified to one.
    district = Agency.objects.filter(unit__code__startswith="SCALE-", kind=Agency.Kind.DISTRICT_PC).first()
    commune = AdministrativeUnit.objects.filter(code__startswith="SCALE-", level="commune").first()
    elsewhere = AdministrativeUnit.objects.get(code="956-02")
    assignment(district)
    CooperativeFactory(unit=commune)
    CooperativeFactory(unit=elsewhere, notified_commune=commune)
    kept = CooperativeFactory(unit=elsewhere)
    _seed("--reset", "--only", "agencies")
    assert not AdministrativeUnit.objects.filter(code__startswith="SCALE-").exists()
    assert not TaskAssignment.objects.exists()
    assert list(Coop.objects.all()) == [kept]
