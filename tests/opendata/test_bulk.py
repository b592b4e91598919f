"""The bulk files of /du-lieu-mo/: CSV with a BOM and no formula, JSON with the API's rows, rebuilt only when the
rows changed, described by a DCAT catalogue, offered on a page linked from every page's footer."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cooperatives.models import Cooperative
from fund.models import Disbursement
from opendata import bulk, datasets
from opendata.models import DatasetFile
from tests.properties import examples

from .conftest import every_page

pytestmark = pytest.mark.django_db


def _download(client, slug, fmt) -> bytes:
    response = client.get(f"/du-lieu-mo/{slug}.{fmt}")
    assert response.status_code == 200, (slug, fmt)
    return b"".join(response.streaming_content)


def _csv(client, slug) -> list[dict]:
    raw = _download(client, slug, "csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_load_demo_leaves_every_file_built_and_each_holds_the_rows_the_api_gives(api, whole_demo):
    assert set(DatasetFile.objects.values_list("dataset", flat=True)) == set(bulk.BY_SLUG)
    outcome = bulk.refresh(force=True)
    assert set(outcome) == set(bulk.BY_SLUG) and set(outcome.values()) <= {"unchanged", "changed"}
    for dataset in datasets.DATASETS:
        rows = every_page(api, f"/api/v1/{dataset.api}")
        document = json.loads(_download(api, dataset.slug, "json"))
        assert document["rows"] == rows, dataset.slug
        assert document["licence"] == datasets.LICENCE_URL
        assert [f["name"] for f in document["fields"]] == [c.name for c in bulk.columns(dataset)]
        table = _csv(api, dataset.slug)
        assert len(table) == len(rows) == DatasetFile.objects.get(dataset=dataset.slug).rows, dataset.slug
        assert list(table[0]) == [c.name for c in bulk.columns(dataset)]
    cooperatives = {row["slug"]: row for row in _csv(api, "hop-tac-xa")}
    ninh_quoi = [row for row in cooperatives.values() if row["area_name"] == "Xã Ninh Quới"]
    assert ninh_quoi and all(row["area_within"] == "Tỉnh Cà Mau" for row in ninh_quoi)
    lending = _csv(api, "quy-cho-vay")
    figures = api.get("/api/v1/fund/figures/").json()
    close = date.fromisoformat(figures["breakdown_on"])
    paid = Disbursement.objects.filter(disbursed_on__lte=close)
    loans = paid.values("loan_id").distinct().count()
    borrowers = paid.values("loan__cooperative_id").distinct().count()
    assert loans > 0
    for table in ("xa_phuong", "linh_vuc"):
        rows = [r for r in lending if r["table"] == table]
        assert sum(int(r["loans"]) for r in rows) == loans
        assert sum(int(r["borrowers"]) for r in rows) == borrowers
    assert all(r["disbursed"] == "" for r in lending if r["table"] == "linh_vuc")  # counts only by sector
    by_area = [r for r in lending if r["table"] == "xa_phuong"]
    if all(r["disbursed"] for r in by_area):
        assert sum(int(r["disbursed"]) for r in by_area) == figures["breakdown_disbursed"]


def test_a_name_that_begins_with_a_formula_stays_text(api, whole_demo):
    unit = Cooperative.objects.first().unit
    Cooperative.objects.create(
        name='=HYPERLINK("http://x.example","Bấm")', slug="cong-thuc", unit=unit, sector="crops",
        short_name="+84 291 3822 000", sub_sector="@SUM(A1)",
    )  # fmt: skip
    bulk.refresh()
    row = next(r for r in _csv(api, "hop-tac-xa") if r["slug"] == "cong-thuc")
    assert row["name"] == '\'=HYPERLINK("http://x.example","Bấm")'
    assert row["short_name"] == "'+84 291 3822 000" and row["sub_sector"] == "'@SUM(A1)"
    raw = json.loads(_download(api, "hop-tac-xa", "json"))
    assert next(r for r in raw["rows"] if r["slug"] == "cong-thuc")["name"].startswith("=HYPERLINK")  # JSON as is


def test_files_are_rebuilt_only_when_their_rows_change(api, whole_demo, django_capture_on_commit_callbacks):
    bulk.refresh()
    before = {f.dataset: f for f in DatasetFile.objects.all()}
    assert set(bulk.refresh().values()) == {"current"}  # the same data version: nothing read
    cooperative = Cooperative.objects.order_by("name", "pk").first()
    cooperative.short_name = "Mới"
    cooperative.save()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = bulk.refresh()
    assert outcome["hop-tac-xa"] == "changed"
    assert outcome["van-ban"] == "unchanged"
    after = {f.dataset: f for f in DatasetFile.objects.all()}
    assert after["van-ban"].modified_at == before["van-ban"].modified_at
    assert after["van-ban"].csv_name == before["van-ban"].csv_name
    assert after["hop-tac-xa"].modified_at > before["hop-tac-xa"].modified_at
    assert not default_storage.exists(before["hop-tac-xa"].csv_name)  # the old file went once the new one was in
    assert default_storage.exists(after["hop-tac-xa"].csv_name)
    assert any(r["short_name"] == "Mới" for r in _csv(api, "hop-tac-xa"))


def test_a_download_is_validated_by_its_etag(api, whole_demo):
    bulk.refresh()
    first = api.get("/du-lieu-mo/van-ban.csv")
    assert first["Content-Disposition"] == 'attachment; filename="van-ban.csv"'
    assert first["Content-Type"] == "text/csv; charset=utf-8"
    assert api.get("/du-lieu-mo/van-ban.csv", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api.get("/du-lieu-mo/van-ban.xlsx").status_code == 404
    assert api.get("/du-lieu-mo/khong-co.csv").status_code == 404
    assert api.get("/du-lieu-mo/van-ban.csv", HTTP_ORIGIN="https://x.example")["Access-Control-Allow-Origin"] == "*"


def test_the_catalogue_describes_every_dataset_with_its_files(api, whole_demo):
    bulk.refresh()
    response = api.get("/du-lieu-mo/danh-muc.json")
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    catalogue = response.json()
    assert catalogue["@type"] == "dcat:Catalog"
    entries = {d["dct:identifier"]: d for d in catalogue["dcat:dataset"]}
    assert set(entries) == set(bulk.BY_SLUG)
    for slug, entry in entries.items():
        row = DatasetFile.objects.get(dataset=slug)
        assert entry["htx:rows"] == row.rows
        assert entry["dct:license"] == datasets.LICENCE_URL
        assert entry["dct:modified"]["@value"] == row.modified_at.isoformat()
        kinds = {d["@type"]: d for d in entry["dcat:distribution"] if d["@type"] == "dcat:DataService"}
        assert kinds["dcat:DataService"]["dcat:endpointURL"].endswith(f"/api/v1/{bulk.BY_SLUG[slug].api}")
        files = [d for d in entry["dcat:distribution"] if d["@type"] == "dcat:Distribution"]
        assert {d["dcat:mediaType"] for d in files} == {"text/csv", "application/json"}
        for d in files:
            path = d["dcat:downloadURL"].split("://", 1)[1].split("/", 1)[1]
            assert len(_download(api, *path.removeprefix("du-lieu-mo/").rsplit(".", 1))) == d["dcat:byteSize"]["@value"]
        assert all(f["description"] for f in entry["htx:fields"]), slug


def test_the_page_lists_each_dataset_and_the_footer_links_to_it(reader, whole_demo):
    home = reader.get("/")
    assert 'href="/du-lieu-mo/"' in home.content.decode()
    page = reader.get("/du-lieu-mo/")  # built by load_demo
    text = page.content.decode()
    assert page.status_code == 200
    for dataset in bulk.ALL:
        assert dataset.title in text
        assert f'href="/du-lieu-mo/{dataset.slug}.csv"' in text
    row = DatasetFile.objects.get(dataset="hop-tac-xa")
    assert f"{row.rows} dòng" in text
    assert timezone.localtime(row.modified_at).strftime("%d/%m/%Y %H:%M") in text
    assert "CC BY 4.0" in text and 'href="/api/v1/docs/"' in text


def test_the_refresh_runs_every_five_minutes_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["opendata-refresh"]
    assert entry["task"] == "opendata.refresh" and entry["schedule"] == 300.0


# --- the fund's small groups ------------------------------------------------------------------------------------

groups = st.lists(
    st.tuples(
        st.integers(0, 6),
        st.dictionaries(st.integers(0, 40), st.integers(1, 10**9), min_size=1, max_size=6),
    ),
    max_size=8,
)


def _built(spec) -> list:
    seen, built = set(), []
    for code, borrowers in spec:
        fresh = {coop: amount for coop, amount in borrowers.items() if coop not in seen}  # one group a cooperative
        if not fresh or f"g{code}" in {g.code for g in built}:
            continue
        seen |= set(fresh)
        built.append(datasets._Group(f"g{code}", f"Nhóm {code}", len(fresh), sum(fresh.values()), fresh))
    return built


@settings(max_examples=examples(200))
@given(groups, st.booleans())
@example([(0, {1: 100, 2: 100, 3: 10**6})], True)  # three borrowers, one of them nearly all the money
def test_no_published_lending_amount_is_of_fewer_than_three_borrowers_or_dominated_by_two(spec, amounts):
    """Over random groups: every amount published is of at least MIN_BORROWERS cooperatives of which the two largest
    hold at most 85 %, and none can be worked out from the others and the total (an amount withheld means every group
    is in the withheld row). Counts alone (`amounts` off, the sectors) pool only the groups of too few."""
    built = _built(spec)
    rows = datasets._pooled(built, "Khác", amounts=amounts)
    by_code = {g.code: g for g in built}
    assert sum(r["borrowers"] for r in rows) == sum(len(g.borrowers) for g in built)
    assert sum(r["loans"] for r in rows) == sum(g.loans for g in built)
    shown = {r["code"] for r in rows}
    pooled = {coop: amount for g in built if g.code not in shown for coop, amount in g.borrowers.items()}
    for row in rows:
        holders = pooled if row["code"] == datasets.OTHER else by_code[row["code"]].borrowers
        assert len(holders) == row["borrowers"]
        if row["disbursed"] is None:
            continue
        assert row["borrowers"] >= datasets.MIN_BORROWERS
        if amounts:
            two = sum(sorted(holders.values(), reverse=True)[:2])
            assert two <= Decimal("0.85") * row["disbursed"], (row, holders)
    withheld = [r for r in rows if r["disbursed"] is None]
    if withheld:
        assert rows == withheld
    if not withheld:
        assert sum(r["disbursed"] for r in rows) == sum(g.disbursed for g in built)


def test_a_change_of_public_content_asks_the_worker_for_new_files_once_a_minute(whole_demo, monkeypatch):
    """With a broker, a committed change of what the datasets read publishes the task (eager settings run
    nothing: no worker would follow, and a page must not build files itself)."""
    from opendata import views

    asked = []
    monkeypatch.setattr(views, "publish", lambda task, *args: asked.append(task.name))
    monkeypatch.setitem(views.refresh.app.conf, "task_always_eager", False)
    from opendata.datasets import bump_own_version
    from portal.contentcache import bump_content_version

    bump_content_version()  # what a committed save of a watched model does
    bump_own_version()  # a loan disbursed, an agency renamed
    bump_content_version()
    assert asked == ["opendata.refresh"]  # once: the next within ASKED_SECONDS waits for beat's check
    monkeypatch.setitem(views.refresh.app.conf, "task_always_eager", True)
    from django.core.cache import cache

    cache.delete("opendata:asked")
    bump_content_version()
    assert asked == ["opendata.refresh"]


def test_files_gone_from_the_store_are_built_again(api, whole_demo):
    bulk.refresh()
    row = DatasetFile.objects.get(dataset="van-ban")
    default_storage.delete(row.json_name)  # a restore without the media, a file removed by hand
    assert api.get("/du-lieu-mo/van-ban.json").status_code == 404
    outcome = bulk.refresh()
    assert outcome["van-ban"] == "changed" and outcome["tin-tuc"] == "current"
    assert json.loads(_download(api, "van-ban", "json"))["rows"]


def test_the_breakdown_stands_at_the_end_of_the_last_quarter():
    assert datasets.quarter_end_before(date(2026, 12, 6)) == date(2026, 9, 30)
    assert datasets.quarter_end_before(date(2026, 10, 1)) == date(2026, 9, 30)
    assert datasets.quarter_end_before(date(2026, 9, 30)) == date(2026, 6, 30)
    assert datasets.quarter_end_before(date(2027, 1, 1)) == date(2026, 12, 31)
    assert datasets.quarter_end_before(date(2026, 3, 31)) == date(2025, 12, 31)
