"""Trigram indexes behind catalog search on PostgreSQL.

Search runs ``UPPER(column) LIKE UPPER('%term%')`` (Django's ``icontains``); a GIN index
with ``gin_trgm_ops`` on ``UPPER(column)`` serves it without scanning the label's rows.
SQLite (the embedded default) has no such index and scans, which is fine at its scale.
"""

from django.db import migrations

INDEXES = [
    ("catalog_recording_title_trgm", "catalog_recording", "title"),
    ("catalog_recording_artist_trgm", "catalog_recording", "display_artist"),
    ("catalog_release_title_trgm", "catalog_release", "title"),
    ("catalog_work_title_trgm", "catalog_work", "title"),
    ("catalog_party_name_trgm", "catalog_party", "name"),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)",
            params=None,
        )


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_catalog_models")]

    operations = [migrations.RunPython(forward, reverse)]
