"""Normalise the registry's stored text as forms and imports now do (portal.text.normalise).

A registration code typed with a trailing space ("5201000101 ") is now the same code as "5201000101". Where two
cooperatives become one code, the copy is merged into the original only when that is safe: every other field equal
once normalised and nothing pointing at the copy (figures, congresses, people, loans ...). Otherwise both stay, the
copy keeps its code as it was, and the migration prints it for staff to resolve by hand. Every merge and flag is
printed. The reverse is a no-op: the old spellings were noise, and a merged copy had nothing of its own.
"""

import sys
from collections import defaultdict

from django.db import IntegrityError, migrations, models, transaction

from portal.text import normalise, normalise_multiline

SKIPPED = {"search_text", "slug"}


def _text_fields(model) -> list[tuple[str, object]]:
    """(field name, normaliser) for every free-text column; choices, slugs and derived text stay as they are."""
    found = []
    for field in model._meta.concrete_fields:
        if field.name in SKIPPED or field.choices:
            continue
        if isinstance(field, models.TextField):
            found.append((field.name, normalise_multiline))
        elif isinstance(field, models.CharField) and not isinstance(field, models.SlugField):
            found.append((field.name, normalise))
    return found


def _comparable(obj, text_fields) -> dict:
    cleaners = dict(text_fields)
    return {
        f.attname: cleaners[f.name](getattr(obj, f.attname)) if f.name in cleaners else getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in SKIPPED and not f.primary_key
    }


def _has_dependents(obj) -> bool:
    for relation in obj._meta.related_objects:
        related = relation.related_model._base_manager.filter(**{relation.field.name: obj})
        if related.exists():
            return True
    return False


def merge_duplicate_codes(Cooperative, out) -> set[int]:
    """Merge or flag cooperatives whose codes are equal once normalised; the pks whose code must stay as it is."""
    text_fields = _text_fields(Cooperative)
    groups = defaultdict(list)
    for coop in Cooperative._base_manager.exclude(registration_code="").order_by("pk"):
        groups[normalise(coop.registration_code)].append(coop)
    keep_as_is = set()
    for code, coops in groups.items():
        if len(coops) < 2:
            continue
        original = next((c for c in coops if c.registration_code == code), coops[0])
        for copy in coops:
            if copy is original:
                continue
            if _comparable(copy, text_fields) == _comparable(original, text_fields) and not _has_dependents(copy):
                out.write(f"Đã gộp: HTX #{copy.pk} “{copy.name}” mã “{copy.registration_code}” vào #{original.pk}.\n")
                copy.delete()
            else:
                keep_as_is.add(copy.pk)
                out.write(
                    f"Cần xem lại: HTX #{copy.pk} “{copy.name}” mã “{copy.registration_code}” trùng mã {code} "
                    f"với #{original.pk} “{original.name}” nhưng khác dữ liệu hoặc đã có dữ liệu liên quan; "
                    "giữ nguyên mã.\n"
                )
    return keep_as_is


def normalise_rows(model, out, keep_codes=frozenset()) -> int:
    text_fields = _text_fields(model)
    changed = 0
    for obj in model._base_manager.order_by("pk").iterator():
        updates = {}
        for name, clean in text_fields:
            value = getattr(obj, name)
            if value is not None and clean(value) != value:
                updates[name] = clean(value)
        if obj.pk in keep_codes:
            updates.pop("registration_code", None)
        if not updates:
            continue
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=obj.pk).update(**updates)
            changed += 1
        except IntegrityError:
            out.write(f"Cần xem lại: {model._meta.verbose_name} #{obj.pk}: chuẩn hóa {sorted(updates)} bị trùng.\n")
    return changed


def clean_registry(apps, schema_editor=None, out=None):
    out = out or sys.stdout
    Cooperative = apps.get_model("cooperatives", "Cooperative")
    keep_codes = merge_duplicate_codes(Cooperative, out)
    for model in apps.get_app_config("cooperatives").get_models():
        if model._meta.object_name.startswith("Historical"):
            continue
        changed = normalise_rows(model, out, keep_codes if model is Cooperative else frozenset())
        if changed:
            out.write(f"Đã chuẩn hóa văn bản: {changed} dòng {model._meta.verbose_name}.\n")


class Migration(migrations.Migration):
    dependencies = [
        ("cooperatives", "0010_sector_departments"),
    ]

    operations = [migrations.RunPython(clean_registry, migrations.RunPython.noop, elidable=True)]
