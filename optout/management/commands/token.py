from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from optout.models import User
from optout.services.tokens import token_create


class Command(BaseCommand):
    help = "API tokens: 'token create EMAIL [--name NAME]' prints the new token on its last line."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user.")
        create.add_argument("email")
        create.add_argument("--name", default="Command line")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the e-mail address {options['email']!r}.")
        _token, key = token_create(user=user, name=options["name"])
        self.stderr.write(f"Token “{options['name']}” for {user.email} (shown once):")
        self.stdout.write(key)
