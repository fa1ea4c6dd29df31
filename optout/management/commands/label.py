from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from optout.models import Label
from optout.services.labels import label_create, user_get_or_create


class Command(BaseCommand):
    help = "Manage labels: 'label create SLUG --name NAME --owner-email EMAIL', 'label list'."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a label and its owner.")
        create.add_argument("slug")
        create.add_argument("--name", required=True)
        create.add_argument("--owner-email", required=True)
        create.add_argument("--legal-name", default="")
        create.add_argument("--contact-email", default="")
        mfa = create.add_mutually_exclusive_group()
        mfa.add_argument(
            "--require-mfa",
            dest="require_mfa",
            action="store_true",
            default=True,
            help="Owners and counsel need two-factor authentication for sensitive actions "
            "(the default).",
        )
        mfa.add_argument(
            "--no-mfa",
            dest="require_mfa",
            action="store_false",
            help="Do not ask for two-factor authentication (owners can turn it on later).",
        )
        sub.add_parser("list", help="List labels.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for label in Label.objects.order_by("slug"):
                self.stdout.write(f"{label.slug}\t{label.name}\t{label.code}")
            return
        owner, created = user_get_or_create(email=options["owner_email"])
        try:
            label = label_create(
                slug=options["slug"],
                name=options["name"],
                owner=owner,
                legal_name=options["legal_name"],
                contact_email=options["contact_email"],
                require_mfa=options["require_mfa"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Created label {label.slug} ({label.name})."))
        self.stdout.write(
            "Two-factor authentication is required for sensitive actions."
            if label.require_mfa
            else "Two-factor authentication is not required (--no-mfa)."
        )
        if created:
            self.stdout.write(
                f"Created the owner {owner.email} without a password: they set one with "
                "'Forgot your password?' on the sign-in page."
            )
        else:
            self.stdout.write(f"{owner.email} is the label's owner.")
