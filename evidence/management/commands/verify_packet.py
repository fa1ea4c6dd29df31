from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence.services.packets.checking import packet_check


class Command(BaseCommand):
    help = (
        "Check an evidence packet (a ZIP file or an unpacked folder): every member against "
        "manifest.json and SHA256SUMS, the ledger excerpt's chain, the timestamp (with "
        "openssl) against the TSA certificates its label trusts here, and the manifest "
        "against the SHA-256 recorded when this server built the packet it claims to be. "
        "Exit status 0 when genuine and intact; 1 when altered, not genuine or not verified, "
        "naming the first problem; 2 when the timestamp could not be checked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("packet", help="The packet ZIP file, or the folder it was unpacked to.")
        parser.add_argument(
            "--no-openssl",
            action="store_true",
            help="Do not check the RFC 3161 timestamp with the openssl command.",
        )
        parser.add_argument(
            "--accept-unstamped",
            action="store_true",
            help="Accept a packet not built here that carries no timestamp.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["packet"])
        if not path.exists():
            raise CommandError(f"No such file or folder: {path}")
        check = packet_check(
            path=str(path),
            use_openssl=not options["no_openssl"],
            accept_unstamped="--accept-unstamped" if options["accept_unstamped"] else "",
        )
        if check.exit_code == 0:
            self.stdout.write(self.style.SUCCESS(check.text()))
            return
        self.stderr.write(self.style.ERROR(check.text()))
        raise SystemExit(check.exit_code)
