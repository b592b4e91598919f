import json
from io import StringIO

from django.core.management import call_command

from cooperatives.models import Congress, Cooperative, YearlyFigure
from directives.models import Document
from portal import roles
from portal.models import AdministrativeUnit, Agency, User
from portal.search import filter_search

TINY = ["--agencies", "10", "--cooperatives", "30", "--documents", "20"]


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


def test_scale_officers_can_log_in_with_the_demo_password(demo, client, settings):
    _seed("--only", "agencies")
    officer = User.objects.filter(username__startswith="scale-").first()
    assert client.login(username=officer.username, password=settings.DEMO_PASSWORD)


def test_scale_rows_are_found_by_search_without_diacritics(demo):
    _seed()
    assert filter_search(Cooperative.objects.filter(registration_code__startswith="SCALE-"), "hop tac xa").exists()
    assert filter_search(Document.objects.filter(slug__startswith="scale-"), "kinh te tap the").exists()


def test_seed_scale_run_twice_adds_nothing_and_reset_removes_only_its_own_rows(demo):
    demo_units = AdministrativeUnit.objects.count()
    demo_users = User.objects.count()
    _seed()
    counts = (Cooperative.objects.count(), Document.objects.count(), Agency.objects.count(), User.objects.count())
    output = _seed()
    assert "đã có 30, bỏ qua" in output
    assert (Cooperative.objects.count(), Document.objects.count(), Agency.objects.count(), User.objects.count()) == (
        counts
    )
    _seed("--reset")
    assert not Cooperative.objects.filter(registration_code__startswith="SCALE-").exists()
    assert not YearlyFigure.objects.filter(cooperative__registration_code__startswith="SCALE-").exists()
    assert not Document.objects.filter(slug__startswith="scale-").exists()
    assert AdministrativeUnit.objects.count() == demo_units
    assert User.objects.count() == demo_users


def test_a_new_agency_size_rebuilds_the_cooperatives_that_sat_on_the_old_communes(demo):
    _seed()
    out = StringIO()
    call_command("seed_scale", "--agencies", "20", "--cooperatives", "30", "--documents", "20", stdout=out)
    assert Agency.objects.filter(unit__code__startswith="SCALE-").count() == 20
    assert Cooperative.objects.filter(registration_code__startswith="SCALE-").count() == 30


def test_seeders_of_apps_not_yet_built_are_skipped_with_a_note(demo):
    output = _seed()
    assert "visits: chưa có" in output
    assert "loans: chưa có" in output


def test_bench_queries_counts_each_page_at_demo_size_and_at_scale_and_keeps_the_data(demo, tmp_path):
    # The demo size is never empty: an empty list skips its prefetch queries and would count fewer.
    unit = AdministrativeUnit.objects.get(name="Xã Ninh Quới")
    for n in range(2):
        Cooperative.objects.create(name=f"Hợp tác xã Mẫu {n}", slug=f"htx-mau-{n}", unit=unit, sector="crops")
    _seed()
    target = tmp_path / "queries.json"
    call_command("bench_queries", "--output", str(target), stdout=StringIO())
    report = json.loads(target.read_text())
    assert report["scale"]["rows"]["cooperatives"] - report["demo"]["rows"]["cooperatives"] == 30
    changelist = "admin: cooperatives changelist"
    assert report["demo"]["pages"][changelist]["status"] == [200, 200]
    assert report["demo"]["pages"][changelist]["queries_cold"] == report["scale"]["pages"][changelist]["queries_cold"]
    # The demo-size pass ran in a rolled-back transaction: the scale rows are still there.
    assert Cooperative.objects.filter(registration_code__startswith="SCALE-").count() == 30
