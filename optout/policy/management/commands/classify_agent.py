"""Classify (or reclassify) one AI agent of the list in use."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from optout.policy.compilers.vocab import Purpose
from optout.policy.services.agents import agent_classify


class Command(BaseCommand):
    help = "Set the purpose of an agent (e.g. a new one flagged by refresh_agents)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("token", help="The exact user-agent token, e.g. GPTBot.")
        parser.add_argument("purpose", choices=[p.value for p in Purpose])
        parser.add_argument("--note", default="", help="Why this purpose (shown to labels).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            row = agent_classify(
                token=options["token"], purpose=options["purpose"], note=options["note"]
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"{row.token} is now classified as {row.purpose}."))
