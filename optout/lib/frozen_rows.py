"""Database triggers that refuse UPDATE and DELETE of rows that are evidence.

The custody ledger and approved policy and terms versions must not change whatever code,
or person with a database shell, tries. Migrations install the triggers with
:func:`refuse_changes`, which writes the same guard for PostgreSQL and SQLite, and
:func:`refuse_truncate` (PostgreSQL: SQLite has no TRUNCATE, its DELETE trigger covers an
unqualified DELETE). The application itself runs under a role that has neither UPDATE,
DELETE nor TRUNCATE rights on the ledger and does not own it (docs/custody.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import migrations


def refuse_changes(
    *,
    table: str,
    function: str,
    triggers: tuple[str, str],
    message: str,
    only_when_approved: bool = False,
) -> migrations.RunPython:
    """An operation adding a BEFORE UPDATE and a BEFORE DELETE trigger (``triggers``, in
    that order) to ``table``; on PostgreSQL both call the plpgsql ``function``.

    ``message`` names the object, e.g. "the custody ledger is append-only"; the database
    error reads "<message>: UPDATE refused". With ``only_when_approved`` the guard applies
    to rows whose ``status`` is ``approved``, so drafts stay editable.
    """
    pg_guard = (
        f"""    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION '{message}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;"""
        if only_when_approved
        else f"""    RAISE EXCEPTION '{message}: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';"""
    )
    pg_forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
{pg_guard}
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {triggers[0]} BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
CREATE TRIGGER {triggers[1]} BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    pg_reverse = "".join(f"DROP TRIGGER IF EXISTS {t} ON {table};\n" for t in triggers)
    pg_reverse += f"DROP FUNCTION IF EXISTS {function}();\n"
    when = "WHEN OLD.status = 'approved'" if only_when_approved else ""
    sqlite_forward = [
        f"""CREATE TRIGGER {trigger} BEFORE {operation} ON {table} {when}
       BEGIN SELECT RAISE(ABORT, '{message}: {operation} refused'); END;"""
        for trigger, operation in zip(triggers, ("UPDATE", "DELETE"), strict=True)
    ]
    sqlite_reverse = [f"DROP TRIGGER IF EXISTS {t};" for t in triggers]

    def forward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(pg_forward, params=None)
        elif vendor == "sqlite":
            for statement in sqlite_forward:
                schema_editor.execute(statement)
        else:
            raise RuntimeError(f"{table} needs PostgreSQL or SQLite for its triggers.")

    def reverse(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(pg_reverse, params=None)
        elif vendor == "sqlite":
            for statement in sqlite_reverse:
                schema_editor.execute(statement)

    return migrations.RunPython(forward, reverse)


def refuse_truncate(
    *, tables: tuple[str, ...], function: str, message: str
) -> migrations.RunPython:
    """An operation adding a statement-level BEFORE TRUNCATE trigger, named
    ``<table>_no_truncate``, to each of ``tables``; all call the plpgsql ``function``.

    Only the tables' owner (or a superuser) can drop or disable it, and the application's
    role is neither. Tests that flush the database disable it for the flush (tests/conftest.py).
    """
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{message}: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}\n"
        f"    FOR EACH STATEMENT EXECUTE FUNCTION {function}();\n"
        for table in tables
    )
    reverse = "".join(
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};\n" for table in tables
    )
    reverse += f"DROP FUNCTION IF EXISTS {function}();\n"

    def vendor_sql(sql: str) -> Callable[[Any, Any], None]:
        def run(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return run

    return migrations.RunPython(vendor_sql(forward), vendor_sql(reverse))
