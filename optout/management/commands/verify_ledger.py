from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from optout.models import Label
from optout.services.ledger import ledger_verify


class Command(BaseCommand):
    help = (
        "Recompute a label's custody ledger (hash chain, MACs, file hashes, timestamped "
        "heads). Exits with status 1 and names the first bad entry when the ledger is not "
        "intact."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--label", required=True, help="The label's slug.")
        parser.add_argument(
            "--no-files",
            action="store_true",
            help="Check the chain only, without re-hashing stored files or anchor tokens.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        label = Label.objects.filter(slug=options["label"]).first()
        if label is None:
            raise CommandError(f"No label with the slug {options['label']!r}.")
        report = ledger_verify(label=label, check_files=not options["no_files"])
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Ledger of {label.slug} is intact: {report.entries} entries, "
                    f"{report.files_checked} files checked, {report.anchors_checked} "
                    "timestamped heads reproduced."
                )
            )
            return
        assert report.problem is not None
        self.stderr.write(
            self.style.ERROR(
                f"Ledger of {label.slug} is NOT intact. First bad entry: #{report.problem.seq}: "
                f"{report.problem.reason}"
            )
        )
        raise SystemExit(1)
