"""Recording search by words: a full-text index over title and artist.

Words are matched through ``to_tsvector('simple', optout_unaccent(title || ' ' ||
display_artist))``: the ``simple`` configuration keeps every word as written (no stemming,
no stop words: titles are not prose, and "The" or "Och" may be the word sought), and
unaccent lets "Sjoberg" find "Sjöberg". ``unaccent()`` is only STABLE (it reads a
dictionary), so an index cannot call it; the wrapper names its dictionary and is declared
IMMUTABLE, the usual way to index it. The trigram index of 0004 stays for partial codes.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION optout_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""
INDEX = (
    "CREATE INDEX IF NOT EXISTS catalog_recording_search_fts ON catalog_recording "
    "USING gin (to_tsvector('simple'::regconfig, "
    "optout_unaccent(title || ' ' || display_artist)))"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public", params=None)
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(INDEX, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS catalog_recording_search_fts", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS optout_unaccent(text)", params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_partner_risk_flags")]

    operations = [migrations.RunPython(forward, reverse)]
