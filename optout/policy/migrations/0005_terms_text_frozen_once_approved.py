"""Approved terms texts never change: the database refuses UPDATE and DELETE of them.

What the label's terms said on a date is evidence; drafts stay editable.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION policy_terms_refuse_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION 'an approved terms text is immutable: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER policy_terms_frozen_update BEFORE UPDATE ON policy_termstext
    FOR EACH ROW EXECUTE FUNCTION policy_terms_refuse_change();
CREATE TRIGGER policy_terms_frozen_delete BEFORE DELETE ON policy_termstext
    FOR EACH ROW EXECUTE FUNCTION policy_terms_refuse_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS policy_terms_frozen_update ON policy_termstext;
DROP TRIGGER IF EXISTS policy_terms_frozen_delete ON policy_termstext;
DROP FUNCTION IF EXISTS policy_terms_refuse_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER policy_terms_frozen_update BEFORE UPDATE ON policy_termstext
       WHEN OLD.status = 'approved'
       BEGIN SELECT RAISE(ABORT, 'an approved terms text is immutable: UPDATE refused'); END;""",
    """CREATE TRIGGER policy_terms_frozen_delete BEFORE DELETE ON policy_termstext
       WHEN OLD.status = 'approved'
       BEGIN SELECT RAISE(ABORT, 'an approved terms text is immutable: DELETE refused'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS policy_terms_frozen_update;",
    "DROP TRIGGER IF EXISTS policy_terms_frozen_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:
        raise RuntimeError("Terms texts need PostgreSQL or SQLite.")


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("policy", "0004_terms_texts_and_publications")]

    operations = [migrations.RunPython(forward, reverse)]
