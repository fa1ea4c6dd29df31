from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from optout.services.db_roles import RoleError, db_app_role_ensure


class Command(BaseCommand):
    help = (
        "Create or update the PostgreSQL role the application runs as: data rights on its "
        "tables, read and insert only on the custody ledger. Run as the tables' owner, after "
        "migrate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--app-role", required=True, help="The role's name, e.g. optout_app.")
        parser.add_argument(
            "--password-file",
            required=True,
            type=Path,
            help="A file holding the role's password (e.g. a container secret).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            password = options["password_file"].read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {options['password_file']}: {exc}") from None
        try:
            db_app_role_ensure(role=options["app_role"], password=password)
        except RoleError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Role {options['app_role']} is ready (ledger: read and insert).")
        )
