"""A words search walks the title order reading only the index.

A search for common words walks the recordings in title order and keeps those whose
``search_document`` matches. With the document and the id in the index itself (INCLUDE),
that walk is an index-only scan: no table row is read for the thousands of rows it skips,
only for the page it keeps. PostgreSQL only; the column does not exist elsewhere (0010).
"""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS recording_label_sort_title_words ON catalog_recording "
    "(label_id, sort_title, code) INCLUDE (id, search_document)"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS recording_label_sort_title_words", params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_master_label_status_index")]

    operations = [migrations.RunPython(forward, reverse)]
