"""One trigram index over a recording's title and artist instead of one for each.

Search matches ``UPPER(title || ' ' || display_artist) LIKE '%TERM%'`` (see
``catalog.filters``): one GIN index to maintain on import and one to scan on search.
The work title index goes: works are far fewer than recordings and every GIN index
costs the import dearly.
"""

from django.db import migrations

RECORDING_SEARCH = (
    "CREATE INDEX IF NOT EXISTS catalog_recording_search_trgm ON catalog_recording "
    "USING gin (UPPER(title || ' ' || display_artist) gin_trgm_ops)"
)
DROPPED = {
    "catalog_recording_title_trgm": (
        "CREATE INDEX IF NOT EXISTS catalog_recording_title_trgm ON catalog_recording "
        "USING gin (UPPER(title) gin_trgm_ops)"
    ),
    "catalog_recording_artist_trgm": (
        "CREATE INDEX IF NOT EXISTS catalog_recording_artist_trgm ON catalog_recording "
        "USING gin (UPPER(display_artist) gin_trgm_ops)"
    ),
    "catalog_work_title_trgm": (
        "CREATE INDEX IF NOT EXISTS catalog_work_title_trgm ON catalog_work "
        "USING gin (UPPER(title) gin_trgm_ops)"
    ),
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(RECORDING_SEARCH, params=None)
    for name in DROPPED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROPPED.values():
        schema_editor.execute(statement, params=None)
    schema_editor.execute("DROP INDEX IF EXISTS catalog_recording_search_trgm", params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_drop_indexes_covered_by_composites")]

    operations = [migrations.RunPython(forward, reverse)]
