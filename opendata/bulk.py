"""The bulk files of /du-lieu-mo/: each dataset whole, as CSV (UTF-8 with a BOM, so Excel reads the diacritics;
formula-safe through portal.exports) and as JSON, and the catalogue of them all (DCAT, in JSON-LD).

`refresh()` builds them when the data version has moved since the last build (the task `opendata.refresh`, every
five minutes from beat and when the open data page finds them stale). A dataset whose rows came out the same keeps
its files and its date of change; one whose rows changed gets new files under new names (the old ones are deleted
once the new rows are committed), so a download in progress is never cut short or mixed.
"""

import csv
import hashlib
import io
import json
import logging
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers as drf
from rest_framework.renderers import JSONRenderer

from portal.exports import safe_cell
from portal.models import SiteSettings
from portal.siteurl import absolute

from . import datasets
from . import serializers as ours
from .models import DatasetFile

logger = logging.getLogger(__name__)

FOLDER = "du-lieu-mo"
BUILDING_KEY = "opendata:building"
BUILDING_SECONDS = 15 * 60
CHUNK = 1000


@dataclass(frozen=True)
class Column:
    name: str
    description: str


# --- the fund's lending, a table built from aggregates rather than rows of a model -----------------------------

FUND_LENDING = datasets.Dataset(
    "quy-cho-vay",
    "Cho vay của Quỹ hỗ trợ phát triển HTX theo xã, phường và lĩnh vực",
    "Số khoản vay đã giải ngân, số hợp tác xã vay và tổng số tiền giải ngân, theo xã, phường hiện nay và theo lĩnh "
    f"vực. Chỉ số liệu tổng hợp: nhóm dưới {datasets.MIN_BORROWERS} hợp tác xã vay, và xã, phường mà 2 hợp tác xã "
    "vay nhiều nhất chiếm trên 85% số tiền, được gộp vào dòng “khac”.",
    ours.LendingRow,
    lambda: datasets.fund_lending_rows(datasets.fund_figures()),
    "fund/figures/",
    keywords=("quỹ hỗ trợ phát triển hợp tác xã", "cho vay"),
)
ALL = (*datasets.DATASETS, FUND_LENDING)
BY_SLUG = {d.slug: d for d in ALL}


# --- columns and rows --------------------------------------------------------------------------------------------


def _nested(serializer, name, field):
    """The serializer a field holds (one object), the list it holds (many), or None for a plain value."""
    if isinstance(field, drf.SerializerMethodField):
        hint = getattr(getattr(serializer, field.method_name), "_spectacular_annotation", None)
        field = hint.get("field") if isinstance(hint, dict) else hint  # drf-spectacular's extend_schema_field
    if isinstance(field, drf.ListSerializer) or isinstance(field, drf.ManyRelatedField):
        return "many"
    if isinstance(field, drf.Serializer):
        return field
    return None


def columns(dataset: datasets.Dataset) -> list[Column]:
    """The CSV's columns with their descriptions: a nested object's fields become `outer_inner`; a list is one
    column holding JSON."""
    serializer = dataset.serializer(context={"areas": {}, "thresholds": []})
    if dataset is FUND_LENDING:
        table = Column("table", "Bảng: xa_phuong (theo xã, phường hiện nay) hoặc linh_vuc (theo lĩnh vực).")
        return [table, *(Column(n, f.help_text or "") for n, f in serializer.fields.items())]
    out = []
    for name, field in serializer.fields.items():
        inner = _nested(serializer, name, field)
        text = str(field.help_text or field.label or "")
        if isinstance(inner, drf.Serializer):
            out += [Column(f"{name}_{n}", f"{text} {f.help_text or ''}".strip()) for n, f in inner.fields.items()]
        elif inner == "many":
            out.append(Column(name, f"{text} (danh sách, dạng JSON)"))
        else:
            out.append(Column(name, text))
    return out


def rows(dataset: datasets.Dataset):
    """Each row as the API gives it, read in chunks."""
    source = dataset.rows()
    if isinstance(source, list):  # already the rows (the fund's aggregates)
        yield from source
        return
    context = dataset.context()
    for item in source.iterator(chunk_size=CHUNK):
        yield dataset.serializer(item, context=context).data


def _flat(row: dict, names: list[str]) -> list:
    values = {}
    for key, value in row.items():
        if isinstance(value, dict):
            values.update({f"{key}_{k}": v for k, v in value.items()})
        elif isinstance(value, list):
            values[key] = json.dumps(value, ensure_ascii=False, default=str) if value else ""
        else:
            values[key] = value
    return [_cell(values.get(name)) for name in names]


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return safe_cell(value if isinstance(value, int | float) else str(value))


def render(dataset: datasets.Dataset) -> tuple[list[dict], bytes, bytes]:
    """The rows, the CSV and the JSON array of the rows (the bytes the hash is taken of)."""
    data = [dict(row) for row in rows(dataset)]
    names = [c.name for c in columns(dataset)]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(names)
    for row in data:
        writer.writerow(_flat(row, names))
    payload = JSONRenderer().render(data)  # the API's own encoding: the same numbers, to the last digit
    return data, text.getvalue().encode("utf-8-sig"), payload


def _json_file(dataset, modified, payload: bytes) -> bytes:
    head = json.dumps(
        {
            "dataset": dataset.slug,
            "title": dataset.title,
            "licence": datasets.LICENCE_URL,
            "modified": modified.isoformat(),
            "fields": [{"name": c.name, "description": c.description} for c in columns(dataset)],
        },
        ensure_ascii=False,
    )
    return head[:-1].encode() + b',"rows":' + payload + b"}"


# --- building ----------------------------------------------------------------------------------------------------


def stale() -> bool:
    """Whether any dataset's files were built from another data version than today's (or never built)."""
    version = datasets.data_version()
    built = dict(DatasetFile.objects.values_list("dataset", "built_from"))
    return any(built.get(d.slug) != version for d in ALL)


def refresh(*, force: bool = False) -> dict[str, str]:
    """Build every dataset whose data version moved; returns each dataset's outcome ("new", "changed",
    "unchanged", "current"). One build at a time across hosts (a lock in the shared cache)."""
    token = secrets.token_hex(8)
    if not cache.add(BUILDING_KEY, token, BUILDING_SECONDS):
        return {}
    try:
        version = datasets.data_version()
        known = {f.dataset: f for f in DatasetFile.objects.all()}
        outcome = {}
        for dataset in ALL:
            current = known.get(dataset.slug)
            if current is not None and current.built_from == version and not force and _files_there(current):
                outcome[dataset.slug] = "current"
                continue
            outcome[dataset.slug] = _build(dataset, current, version)
        stray = set(known) - set(BY_SLUG)
        for slug in stray:
            _remove(known[slug])
        return outcome
    finally:
        if cache.get(BUILDING_KEY) == token:  # ours still: a run past BUILDING_SECONDS leaves another's lock alone
            cache.delete(BUILDING_KEY)


def _files_there(row: DatasetFile) -> bool:
    """Both files of a row are in the store (a restore without the media, a file removed by hand: built again)."""
    return default_storage.exists(row.csv_name) and default_storage.exists(row.json_name)


def _build(dataset, current: DatasetFile | None, version: str) -> str:
    data, csv_bytes, payload = render(dataset)
    digest = hashlib.sha256(payload).hexdigest()
    now = timezone.now()
    if current is not None and current.sha256 == digest and _files_there(current):
        DatasetFile.objects.filter(pk=current.pk).update(built_at=now, built_from=version)
        return "unchanged"
    json_bytes = _json_file(dataset, now, payload)
    stem = f"{FOLDER}/{dataset.slug}-{digest[:16]}"
    csv_name = default_storage.save(f"{stem}.csv", ContentFile(csv_bytes))
    json_name = default_storage.save(f"{stem}.json", ContentFile(json_bytes))
    fields = {
        "rows": len(data),
        "csv_name": csv_name,
        "csv_bytes": len(csv_bytes),
        "json_name": json_name,
        "json_bytes": len(json_bytes),
        "sha256": digest,
        "modified_at": now,
        "built_at": now,
        "built_from": version,
    }
    with transaction.atomic():
        DatasetFile.objects.update_or_create(dataset=dataset.slug, defaults=fields)
        if current is not None:
            old = (current.csv_name, current.json_name)
            transaction.on_commit(lambda: [_delete(name) for name in old if name not in (csv_name, json_name)])
    logger.info("open data %s: %d rows, %d bytes of CSV", dataset.slug, len(data), len(csv_bytes))
    return "changed" if current is not None else "new"


def _delete(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:  # already gone, or the store is briefly unreachable: the file is orphaned, not served
        logger.warning("open data: could not delete %s", name)


def _remove(row: DatasetFile) -> None:
    row.delete()
    _delete(row.csv_name)
    _delete(row.json_name)


# --- the catalogue -----------------------------------------------------------------------------------------------

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "htx": absolute("/du-lieu-mo/danh-muc.json#"),
}


def catalogue() -> dict:
    """The datasets as a DCAT catalogue (JSON-LD): each with its licence, date of change, row count, fields, its
    two files and its API endpoint."""
    org = SiteSettings.current()
    publisher = {"@type": "foaf:Organization", "foaf:name": org.org_name, "foaf:homepage": absolute("/")}
    built = {f.dataset: f for f in DatasetFile.objects.all()}
    entries = []
    for dataset in ALL:
        row = built.get(dataset.slug)
        entry = {
            "@type": "dcat:Dataset",
            "@id": absolute(f"/du-lieu-mo/#{dataset.slug}"),
            "dct:identifier": dataset.slug,
            "dct:title": dataset.title,
            "dct:description": dataset.description,
            "dcat:keyword": list(dataset.keywords),
            "dct:language": "vi",
            "dct:license": datasets.LICENCE_URL,
            "dct:publisher": publisher,
            "dcat:landingPage": absolute(f"/du-lieu-mo/#{dataset.slug}"),
            "htx:fields": [{"name": c.name, "description": c.description} for c in columns(dataset)],
            "dcat:distribution": [
                {
                    "@type": "dcat:DataService",
                    "dct:title": "API",
                    "dcat:endpointURL": absolute(f"/api/v1/{dataset.api}"),
                    "dcat:endpointDescription": absolute(reverse("opendata:schema")),
                }
            ],
        }
        if row is not None:
            entry["dct:modified"] = {"@value": row.modified_at.isoformat(), "@type": "xsd:dateTime"}
            entry["htx:rows"] = row.rows
            for fmt, media, size in (("csv", "text/csv", row.csv_bytes), ("json", "application/json", row.json_bytes)):
                entry["dcat:distribution"].append(
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": fmt.upper(),
                        "dct:format": fmt.upper(),
                        "dcat:mediaType": media,
                        "dcat:downloadURL": absolute(reverse("opendata:download", args=[dataset.slug, fmt])),
                        "dcat:byteSize": {"@value": size, "@type": "xsd:nonNegativeInteger"},
                        "dct:license": datasets.LICENCE_URL,
                        "dct:modified": {"@value": row.modified_at.isoformat(), "@type": "xsd:dateTime"},
                        "htx:sha256": row.sha256,
                    }
                )
        entries.append(entry)
    return {
        "@context": CONTEXT,
        "@type": "dcat:Catalog",
        "@id": absolute(reverse("opendata:catalogue")),
        "dct:title": f"Dữ liệu mở - {org.org_name}",
        "dct:description": "Dữ liệu công khai của Cổng thông tin: danh bạ hợp tác xã, văn bản, tin tức, kết quả thăm "
        "dò, số liệu của Quỹ hỗ trợ phát triển HTX, đơn vị hành chính và cơ quan.",
        "dct:language": "vi",
        "dct:license": datasets.LICENCE_URL,
        "dct:publisher": publisher,
        "foaf:homepage": absolute(reverse("opendata:index")),
        "dcat:service": [
            {
                "@type": "dcat:DataService",
                "dct:title": "API dữ liệu mở",
                "dcat:endpointURL": absolute("/api/v1/"),
                "dcat:endpointDescription": absolute(reverse("opendata:schema")),
                "dct:license": datasets.LICENCE_URL,
            }
        ],
        "dcat:dataset": entries,
    }
