"""Make the custody ledger append-only in the database itself.

Triggers refuse every UPDATE and DELETE on ledger rows, whatever code (or person with a
database shell) tries it. TRUNCATE is left alone: test databases are flushed with it, and
production should run the application under a role without TRUNCATE rights on the table.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION optout_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the custody ledger is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER optout_ledger_no_update BEFORE UPDATE ON optout_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION optout_ledger_refuse_change();
CREATE TRIGGER optout_ledger_no_delete BEFORE DELETE ON optout_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION optout_ledger_refuse_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS optout_ledger_no_update ON optout_ledgerentry;
DROP TRIGGER IF EXISTS optout_ledger_no_delete ON optout_ledgerentry;
DROP FUNCTION IF EXISTS optout_ledger_refuse_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER optout_ledger_no_update BEFORE UPDATE ON optout_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'the custody ledger is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER optout_ledger_no_delete BEFORE DELETE ON optout_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'the custody ledger is append-only: DELETE refused'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS optout_ledger_no_update;",
    "DROP TRIGGER IF EXISTS optout_ledger_no_delete;",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:
        raise RuntimeError("The custody ledger needs PostgreSQL or SQLite.")


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("optout", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
