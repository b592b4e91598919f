"""Accent-insensitive text search shared by every app.

Each searchable model keeps `search_text`: its words folded to lower case without diacritics ("Hợp tác xã
Đông Hải" -> "hop tac xa dong hai"). Folding in Python gives the same answer on SQLite and PostgreSQL;
on PostgreSQL a GIN index over `to_tsvector('simple', search_text)` (see `search_index_operation`) serves
full-text queries. The tables the public site search reads (public.site_search) keep that vector stored in a
generated column `search_vector` instead (`search_vector_operation`): ranking then reads it rather than parsing
every matching row's text again, which took seconds when a common query matched most of 80,000 rows.
"""

import unicodedata

from django.db import migrations, models

_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case `text` and strip Vietnamese diacritics, collapsing white space."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def terms(query: str) -> list[str]:
    """The folded words of a user's query: at most 10, each at most 64 characters, without control characters.

    Bounded because the words become LIKE patterns: SQLite refuses a pattern over 50,000 bytes and PostgreSQL any
    string holding NUL, and either would otherwise turn a pasted junk query into a server error."""
    text = "".join(ch for ch in str(query or "")[:1000] if ch.isspace() or unicodedata.category(ch)[0] != "C")
    return [word[:64] for word in fold(text).split()[:10]]


class Searchable(models.Model):
    """Abstract base: a model that can be found by `search_text`. Subclasses say which text counts."""

    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Derived data only: the folded copy of the model's own fields, kept in step on every save.
        self.refresh_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def search_parts(self) -> list[str]:
        """The text this row is found by; every subclass names its own fields."""
        return [str(self)]

    def refresh_search_text(self) -> None:
        self.search_text = fold(" ".join(str(part) for part in self.search_parts() if part))


def filter_search(queryset, query: str):
    """Rows whose folded text contains every folded word of `query` (works on any database)."""
    for word in terms(query):
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def search_index_operation(table: str) -> migrations.RunPython:
    """A migration step creating the full-text GIN index on PostgreSQL (and nothing on SQLite)."""
    index = f"{table}_search_gin"

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (to_tsvector('simple', search_text))"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")

    return migrations.RunPython(forwards, backwards, elidable=False)


VECTOR_COLUMN = "search_vector"


def search_vector_operation(table: str) -> migrations.RunPython:
    """PostgreSQL only: a stored `search_vector` column generated from `search_text`, with its own GIN index in
    place of the expression index of `search_index_operation`. Django does not know the column (SQLite has no
    tsvector); the database fills it on every insert and update, so bulk_create and raw SQL keep it right."""
    old, new = f"{table}_search_gin", f"{table}_search_vector_gin"

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {VECTOR_COLUMN} tsvector "
                f"GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
            )
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {new} ON {table} USING gin ({VECTOR_COLUMN})")
            schema_editor.execute(f"DROP INDEX IF EXISTS {old}")

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {old} ON {table} USING gin (to_tsvector('simple', search_text))"
            )
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {VECTOR_COLUMN}")

    return migrations.RunPython(forwards, backwards, elidable=False)
