from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.services.fingerprints import fingerprint_backfill, masters_lacking_fingerprint
from optout.models import Label


class Command(BaseCommand):
    help = (
        "Queue one job that fingerprints every ready master of a label that has no fingerprint "
        "yet (its progress shows on the label's jobs page). Running it again only does what "
        "is left."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--label", required=True, help="The label's slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        label = Label.objects.filter(slug=options["label"]).first()
        if label is None:
            raise CommandError(f"No label with the slug {options['label']!r}.")
        lacking = masters_lacking_fingerprint(label=label).count()
        job = fingerprint_backfill(label=label, actor=None)
        self.stdout.write(f"Queued job {job.code}: {lacking} master(s) lack a fingerprint.")
