"""One search over articles, pages, public documents and cooperatives, insensitive to case and diacritics.

Every searchable model keeps `search_text` folded (portal.search). On PostgreSQL the query becomes a prefix
tsquery over the stored `search_vector` column (portal.search.search_vector_operation), served by its GIN index,
and results are ranked with ts_rank; on SQLite `filter_search` matches the folded words and results come newest
first. Snippets are highlighted in Python on the original text, which keeps its diacritics.

A common query ("hop tac xa") matches nearly every row: ranking all of them took seconds at 80,000 rows. So only
the newest CANDIDATES matches of each kind are ranked (found newest first through the primary key, which stops
early when most rows match); a reader who needs older ones adds a word or picks a kind.
"""

import hashlib
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import FloatField, Value
from django.db.models.expressions import RawSQL

from cooperatives.models import Cooperative
from directives.models import Document, DocumentFile
from directives.selectors import document_file_url
from portal.contentcache import cached
from portal.extract import FileHit, file_hits, missing_words
from portal.search import VECTOR_COLUMN, filter_search, terms
from portal.text import highlight, highlight_all, html_to_text

from .models import Article, Attachment, Page

KINDS = {
    "article": "Tin tức",
    "document": "Văn bản",
    "cooperative": "Hợp tác xã",
    "page": "Trang",
}
CANDIDATES = 300  # matches ranked per kind


def _base_querysets() -> dict:
    return {
        "article": Article.objects.published(),
        "document": Document.objects.filter(is_public=True),
        "cooperative": Cooperative.objects.all(),
        "page": Page.objects.published(),
    }


def tsquery(words: list[str]) -> str:
    """'hop tac xa' -> 'hop:* & tac:* & xa:*' (only letters and digits survive, so the syntax cannot break)."""
    cleaned = [re.sub(r"[^0-9a-z]", "", w) for w in words]
    return " & ".join(f"{w}:*" for w in cleaned if w)


def fulltext(qs, words: list[str]):
    """PostgreSQL: rows whose stored `search_vector` (GIN-indexed) matches the prefix tsquery of `words`."""
    query = tsquery(words)
    if not query:
        return qs.none()
    return qs.extra(where=[f"{VECTOR_COLUMN} @@ to_tsquery('simple', %s)"], params=[query])


def _ranked(qs, words: list[str]):
    if connection.vendor != "postgresql":
        return qs.annotate(hit_rank=Value(0.0, output_field=FloatField()))
    rank = RawSQL(f"ts_rank({VECTOR_COLUMN}, to_tsquery('simple', %s))", (tsquery(words),), output_field=FloatField())
    return qs.annotate(hit_rank=rank)


def matching(kind: str, words: list[str]):
    """The newest CANDIDATES rows of one kind matching `words`, with their rank (0 on SQLite) as `hit_rank`."""
    qs = _base_querysets()[kind]
    found = fulltext(qs, words) if connection.vendor == "postgresql" else filter_search(qs, " ".join(words))
    newest = found.order_by("-pk").values("pk")[:CANDIDATES]
    return _ranked(qs.filter(pk__in=newest), words)


def search_rows(q: str, kind: str | None = None):
    """(pk, kind, rank) rows of every matching object, best first: one UNION query, ready to paginate."""
    words = terms(q)
    kinds = [kind] if kind in KINDS else list(KINDS)
    parts = [
        matching(k, words).order_by().annotate(hit_kind=Value(k)).values_list("pk", "hit_kind", "hit_rank")
        for k in kinds
    ]
    if not words:
        return parts[0].none()
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-hit_rank", "hit_kind", "-pk")


def cached_rows(q: str, kind: str | None = None) -> list:
    """search_rows as a list, run once and cached until content changes: the paginator then counts the list
    instead of running the UNION twice (COUNT, then the page), and a repeated query costs no SQL at all."""
    words = terms(q)
    digest = hashlib.sha1(" ".join(words).encode()).hexdigest()[:16]
    return cached(f"search:{kind or 'all'}:{digest}", lambda: list(search_rows(q, kind)))


def capped(rows) -> bool:
    """Did some kind reach CANDIDATES matches (so older matches were left out)?"""
    per_kind: dict[str, int] = {}
    for _pk, kind, _rank in rows:
        per_kind[kind] = per_kind.get(kind, 0) + 1
    return any(n >= CANDIDATES for n in per_kind.values())


@dataclass
class Hit:
    kind: str
    kind_label: str
    title: str
    url: str
    snippet: str
    date: object
    extra: str = ""
    title_html: str = ""
    file: FileHit | None = None  # the attachment holding the words, when the row's own text does not
    own_text: str = ""


# kind -> (file model, foreign key to the row, the file's shown name, its URL from (pk, stored name))
FILES = {
    "document": (DocumentFile, "document_id", "original_name", document_file_url),
    "article": (Attachment, "article_id", "name", lambda pk, stored: Attachment(file=stored).file.url),
}


def hydrate(rows, q: str) -> list[Hit]:
    """Load the objects of one page of rows (one query per kind present) and build their snippets."""
    words = terms(q)
    wanted: dict[str, list[int]] = {}
    for pk, kind, _rank in rows:
        wanted.setdefault(kind, []).append(pk)
    loaded = {}
    bases = _base_querysets()
    for kind, pks in wanted.items():
        qs = bases[kind].filter(pk__in=pks)
        if kind == "article":
            qs = qs.select_related("category")
        if kind == "cooperative":
            qs = qs.select_related("unit")
        loaded.update({(kind, obj.pk): obj for obj in qs})
    hits = {}
    for pk, kind, _rank in rows:
        obj = loaded.get((kind, pk))
        if obj is not None:
            hit = _hit(kind, obj, words)
            hit.title_html = highlight_all(hit.title, words)
            hits[kind, pk] = hit
    _attach_file_hits(hits, words)
    return list(hits.values())


def _attach_file_hits(hits: dict, words: list[str]) -> None:
    """For the hits found only through an attachment's text: the file, the page of the first hit and a snippet
    from that page. One query per kind with such hits, reading only files of rows already on the page (public
    documents, published articles)."""
    for kind, (model, parent_field, name_field, url) in FILES.items():
        wanted = {pk: missing_words(hit.own_text, words) for (k, pk), hit in hits.items() if k == kind}
        wanted = {pk: missing for pk, missing in wanted.items() if missing}
        if not wanted:
            continue
        files = model.objects.filter(**{f"{parent_field}__in": list(wanted)})
        for parent_id, found in file_hits(files, parent_field, wanted, name_field=name_field, url=url).items():
            hit = hits[kind, parent_id]
            hit.file, hit.snippet = found, found.snippet


def _hit(kind, obj, words) -> Hit:
    if kind == "article":
        text = f"{obj.lead} {html_to_text(obj.body)}"
        return Hit(kind, KINDS[kind], obj.title, obj.get_absolute_url(), highlight(text, words), obj.publish_at,
                   obj.category.name, own_text=f"{obj.title} {obj.source} {text}")  # fmt: skip
    if kind == "page":
        text = f"{obj.lead} {html_to_text(obj.body)}"
        return Hit(kind, KINDS[kind], obj.title, obj.get_absolute_url(), highlight(text, words), None)
    if kind == "document":
        text = f"{obj.summary} {obj.issuer} {obj.full_text}"
        return Hit(kind, KINDS[kind], str(obj), obj.get_absolute_url(), highlight(text, words), obj.issue_date,
                   obj.issuer, own_text=f"{obj} {obj.signer} {text}")  # fmt: skip
    text = f"{obj.name} {obj.address} {obj.unit.name}"
    return Hit(kind, KINDS[kind], obj.name, obj.get_absolute_url(), highlight(text, words), obj.certificate_date,
               obj.get_kind_display())  # fmt: skip
