from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence.verifier import verify_packet


class Command(BaseCommand):
    help = (
        "Check an evidence packet (a ZIP file or an unpacked folder): every member against "
        "manifest.json and SHA256SUMS, the ledger excerpt's chain and, with openssl, the "
        "timestamp. Exits with status 0 when intact; otherwise 1, naming the first altered, "
        "missing or added member."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("packet", help="The packet ZIP file, or the folder it was unpacked to.")
        parser.add_argument(
            "--no-openssl",
            action="store_true",
            help="Do not check the RFC 3161 timestamp with the openssl command.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["packet"])
        if not path.exists():
            raise CommandError(f"No such file or folder: {path}")
        report = verify_packet(str(path), use_openssl=not options["no_openssl"])
        if report.ok:
            self.stdout.write(self.style.SUCCESS(report.text()))
            return
        self.stderr.write(self.style.ERROR(report.text()))
        raise SystemExit(1)
