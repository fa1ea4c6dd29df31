"""Recording search by words: a full-text document over title and artist, and its index.

``search_document`` is ``to_tsvector('simple', optout_unaccent(title || ' ' ||
display_artist))``, kept by PostgreSQL as a stored generated column: it is never written
by the application (the model does not list it), and the planner keeps statistics on it,
so it can tell a rare word (read the index) from a common one (walk the sorted list).
The ``simple`` configuration keeps every word as written (no stemming, no stop words:
titles are not prose, and "The" may be the word sought); unaccent lets "Sjoberg" find
"Sjöberg". ``unaccent()`` is only STABLE (it reads a dictionary), so a generated column
cannot call it; the wrapper names its dictionary and is declared IMMUTABLE, the usual way.
The trigram index of 0004 stays for partial codes.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION optout_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""
COLUMN = (
    "ALTER TABLE catalog_recording ADD COLUMN IF NOT EXISTS search_document tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "
    "optout_unaccent(title || ' ' || display_artist))) STORED"
)
INDEX = (
    "CREATE INDEX IF NOT EXISTS catalog_recording_search_fts ON catalog_recording "
    "USING gin (search_document)"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public", params=None)
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(COLUMN, params=None)
    schema_editor.execute(INDEX, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS catalog_recording_search_fts", params=None)
    schema_editor.execute(
        "ALTER TABLE catalog_recording DROP COLUMN IF EXISTS search_document", params=None
    )
    schema_editor.execute("DROP FUNCTION IF EXISTS optout_unaccent(text)", params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_partner_risk_flags")]

    operations = [migrations.RunPython(forward, reverse)]
