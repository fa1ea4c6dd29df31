"""A search that walks the title order first asks a 64-bit signature of each row's words.

The walk of a common-word search (0014) checks the full-text document of every index entry
it passes, and a search for two common words passes thousands of entries for each one it
keeps. ``search_signature`` holds two bits per word of the document: one for the whole word,
one for its first three letters. A row whose signature lacks a bit the search needs cannot
match and is passed at the price of an integer test; only the others have their document
checked, so the answer is the document's, never the signature's. The bits come from an MD5
of the word, which no PostgreSQL upgrade changes and which the application computes alike
for the words it searches (``catalog.filters.words_mask``).

The column is stored and generated, like ``search_document``: adding it rewrites the
recordings table, and the walk's index is rebuilt with it. PostgreSQL only (0010).
"""

from django.db import migrations

# The bit of a whole word, and of a word's first three letters (none for a shorter word).
WORD_BIT = """
CREATE OR REPLACE FUNCTION optout_word_bit(text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT 1::bigint << ((('x' || substr(md5($1), 1, 8))::bit(32)::int) & 63) $$
"""
PREFIX_BIT = """
CREATE OR REPLACE FUNCTION optout_prefix_bit(text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT CASE WHEN length($1) >= 3 THEN optout_word_bit('^' || left($1, 3)) ELSE 0 END $$
"""
# A document's signature: both bits of each of its words.
SIGNATURE = """
CREATE OR REPLACE FUNCTION optout_words_signature(tsvector) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT coalesce(bit_or(optout_word_bit(w) | optout_prefix_bit(w)), 0)
    FROM unnest(tsvector_to_array($1)) AS w
$$
"""
COLUMN = (
    "ALTER TABLE catalog_recording ADD COLUMN IF NOT EXISTS search_signature bigint "
    "GENERATED ALWAYS AS (optout_words_signature(to_tsvector('simple'::regconfig, "
    "optout_unaccent(title || ' ' || display_artist)))) STORED"
)
WALK_INDEX = (
    "CREATE INDEX recording_label_sort_title_words ON catalog_recording "
    "(label_id, sort_title, code) INCLUDE (id, search_document, search_signature)"
)
OLD_WALK_INDEX = (
    "CREATE INDEX recording_label_sort_title_words ON catalog_recording "
    "(label_id, sort_title, code) INCLUDE (id, search_document)"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in (WORD_BIT, PREFIX_BIT, SIGNATURE, COLUMN):
        schema_editor.execute(statement, params=None)
    schema_editor.execute("DROP INDEX IF EXISTS recording_label_sort_title_words", params=None)
    schema_editor.execute(WALK_INDEX, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS recording_label_sort_title_words", params=None)
    schema_editor.execute(
        "ALTER TABLE catalog_recording DROP COLUMN IF EXISTS search_signature", params=None
    )
    schema_editor.execute(OLD_WALK_INDEX, params=None)
    for function in (
        "optout_words_signature(tsvector)",
        "optout_prefix_bit(text)",
        "optout_word_bit(text)",
    ):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}", params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0014_recording_sort_title_covers_words")]

    operations = [migrations.RunPython(forward, reverse)]
