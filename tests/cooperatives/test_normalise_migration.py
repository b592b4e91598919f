"""The migration that normalises the registry's stored text: merges only safe duplicates, flags the others."""

import importlib
import io
import unicodedata

from django.apps import apps

from cooperatives.models import Cooperative, YearlyFigure

from .factories import CooperativeFactory

migration = importlib.import_module("cooperatives.migrations.0011_normalise_registry_text")


def test_the_cleaning_merges_an_exact_duplicate_and_flags_one_that_differs(hong_dan_commune):
    def coop(code, name, slug):
        return CooperativeFactory(unit=hong_dan_commune, registration_code=code, name=name, slug=slug, sub_sector="")

    original = coop("5201000101", "Hợp tác xã Lúa Sạch", "a")
    copy = coop("5201000101 ", "Hợp tác xã  Lúa Sạch", "b")
    # The copy differs only by its spelling: everything else as the original.
    Cooperative.objects.filter(pk=copy.pk).update(
        **{
            f.attname: getattr(original, f.attname)
            for f in Cooperative._meta.concrete_fields
            if f.name not in ("id", "slug", "search_text", "registration_code", "name")
        }
    )
    other = coop("5201000202", "Hợp tác xã Tôm", "c")
    differs = coop("\u00a05201000202", "Hợp tác xã Tôm Khác", "d")
    YearlyFigure.objects.create(cooperative=differs, year=2024)
    decomposed = coop("5201000303\t", unicodedata.normalize("NFD", "Hợp tác xã Muối\x1b Đông Hải"), "e")
    out = io.StringIO()

    migration.clean_registry(apps, out=out)

    report = out.getvalue()
    assert f"Đã gộp: HTX #{copy.pk}" in report
    assert f"Cần xem lại: HTX #{differs.pk}" in report and "giữ nguyên mã" in report
    assert not Cooperative.objects.filter(pk=copy.pk).exists()
    assert Cooperative.objects.get(pk=original.pk).registration_code == "5201000101"
    assert Cooperative.objects.get(pk=differs.pk).registration_code == "\u00a05201000202"  # flagged, left as it was
    assert Cooperative.objects.get(pk=other.pk).registration_code == "5201000202"
    decomposed.refresh_from_db()
    assert (decomposed.registration_code, decomposed.name) == ("5201000303", "Hợp tác xã Muối Đông Hải")
    out = io.StringIO()
    migration.clean_registry(apps, out=out)
    assert "Đã gộp" not in out.getvalue() and "Đã chuẩn hóa" not in out.getvalue()  # a second run has nothing to do
