"""The application's PostgreSQL role: data access only, never the ledger's history.

Migrations run as the database owner. The web server, the worker and beat run as a role
this module creates: it may read and write the application's tables, but on the custody
ledger and its anchors it may only read and insert. It owns nothing, so it cannot drop or
disable a trigger, and it is no superuser, so it cannot switch triggers off with
``session_replication_role``. docs/custody.md explains what that protects against.
"""

from __future__ import annotations

from django.db import connection
from psycopg import sql

from optout.models import LedgerAnchor, LedgerEntry


class RoleError(Exception):
    """The role cannot be set up; the message says why."""


def append_only_tables() -> tuple[str, ...]:
    """The tables the application's role may only read and insert into."""
    return (LedgerEntry._meta.db_table, LedgerAnchor._meta.db_table)


def db_app_role_ensure(*, role: str, password: str) -> None:
    """Create ``role`` (or bring an existing one back to exactly these rights); idempotent.

    Run as the owner of the application's tables (the user migrations run as).
    """
    if connection.vendor != "postgresql":
        raise RoleError("Database roles exist only on PostgreSQL.")
    if not password:
        raise RoleError("The role needs a password.")
    name = sql.Identifier(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database(), current_schema()")
        owner, database, schema = cursor.fetchone()
        if role == owner:
            raise RoleError(f"{role!r} is the owner this runs as; choose another name.")
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name))
        schema_name = sql.Identifier(schema)
        ledger = sql.SQL(", ").join(sql.Identifier(t) for t in append_only_tables())
        statements = [
            sql.SQL(
                "ALTER ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                "NOBYPASSRLS INHERIT PASSWORD {}"
            ).format(name, sql.Literal(password)),
            # TEMPORARY: catalog imports stage rows in a temporary table.
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
                sql.Identifier(database), name
            ),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema_name, name),
            # From a clean slate, so rights granted by hand earlier do not linger.
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(schema_name, name),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
                schema_name, name
            ),
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(ledger, name),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
                schema_name, name
            ),
            # Tables later migrations create get the same data rights.
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} "
                "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
            ).format(sql.Identifier(owner), schema_name, name),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} "
                "GRANT USAGE, SELECT ON SEQUENCES TO {}"
            ).format(sql.Identifier(owner), schema_name, name),
        ]
        for statement in statements:
            cursor.execute(statement)
