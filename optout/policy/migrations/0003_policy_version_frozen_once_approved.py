"""Approved policy versions never change: the database itself refuses it.

A reservation's legal weight rests on being able to show what it said on a date, so an
approved row refuses every UPDATE and DELETE, whatever code (or database shell) tries.
Drafts stay editable; approving is the one UPDATE of a row that is still a draft.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION policy_version_refuse_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION 'an approved policy version is immutable: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER policy_version_frozen_update BEFORE UPDATE ON policy_policyversion
    FOR EACH ROW EXECUTE FUNCTION policy_version_refuse_change();
CREATE TRIGGER policy_version_frozen_delete BEFORE DELETE ON policy_policyversion
    FOR EACH ROW EXECUTE FUNCTION policy_version_refuse_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS policy_version_frozen_update ON policy_policyversion;
DROP TRIGGER IF EXISTS policy_version_frozen_delete ON policy_policyversion;
DROP FUNCTION IF EXISTS policy_version_refuse_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER policy_version_frozen_update BEFORE UPDATE ON policy_policyversion
       WHEN OLD.status = 'approved'
       BEGIN SELECT RAISE(ABORT, 'an approved policy version is immutable: UPDATE refused'); END;""",
    """CREATE TRIGGER policy_version_frozen_delete BEFORE DELETE ON policy_policyversion
       WHEN OLD.status = 'approved'
       BEGIN SELECT RAISE(ABORT, 'an approved policy version is immutable: DELETE refused'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS policy_version_frozen_update;",
    "DROP TRIGGER IF EXISTS policy_version_frozen_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:
        raise RuntimeError("Policy versions need PostgreSQL or SQLite.")


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("policy", "0002_policy_version")]

    operations = [migrations.RunPython(forward, reverse)]
