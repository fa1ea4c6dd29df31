"""Load a newer community robots.json and show what changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from optout.policy.services.agents import agent_list_refresh


class Command(BaseCommand):
    help = (
        "Load a newer ai-robots-txt robots.json, print the agents added, removed and changed, "
        "and flag new agents nobody has classified (they are refused until classified with "
        "`manage.py classify_agent`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Path of the new robots.json.")
        parser.add_argument(
            "--source",
            default="",
            help="Where the file came from, e.g. 'ai-robots-txt/ai.robots.txt 1a2b3c4 "
            "(2026-10-01)'. Defaults to the file name.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only show what would change.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        try:
            result = agent_list_refresh(
                raw=raw, source=options["source"] or path.name, apply=not options["dry_run"]
            )
        except ValidationError as exc:
            raise CommandError(f"{path}: {' '.join(exc.messages)}") from None
        diff = result.diff
        if diff.empty:
            self.stdout.write("No agents added, removed or changed.")
        for token in diff.added:
            flag = (
                "  (needs review: refused until classified)" if token in result.needs_review else ""
            )
            self.stdout.write(f"+ {token}{flag}")
        for token in diff.removed:
            self.stdout.write(f"- {token}")
        for token, fields in diff.changed:
            self.stdout.write(f"~ {token}: {', '.join(fields)}")
        self.stdout.write(
            f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed; "
            f"{len(result.needs_review)} need review."
        )
        if result.applied:
            self.stdout.write(self.style.SUCCESS("The new list is in use for every label."))
        else:
            self.stdout.write("Dry run: nothing was changed.")
