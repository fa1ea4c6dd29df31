"""``manage.py import_catalog SLUG FILE``: the same import job as the upload page.

The import is stored and queued like any other; this command then runs the job in this
process (unless a worker claimed it first, in which case it waits for that worker), prints
its progress and the path of the error report, and exits non-zero when the import failed.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from catalog.models import CatalogImport
from catalog.services.imports.service import FORMATS, catalog_import_start_path
from optout.models import Job, Label, User
from optout.services.jobs import job_execute


class Command(BaseCommand):
    help = "Import a catalog CSV or DDEX ERN file into a label."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The label's slug.")
        parser.add_argument("file", type=Path, help="A CSV export or a DDEX ERN XML file.")
        parser.add_argument("--format", choices=FORMATS, default="auto")
        parser.add_argument("--as", dest="actor", help="E-mail of the member recorded as importer.")

    def handle(self, *args: Any, **options: Any) -> None:
        label = Label.objects.filter(slug=options["slug"], is_active=True).first()
        if label is None:
            raise CommandError(f"No active label has the slug {options['slug']!r}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        actor = None
        if options["actor"]:
            actor = User.objects.filter(
                email__iexact=options["actor"], memberships__label=label
            ).first()
            if actor is None:
                raise CommandError(f"{options['actor']} is not a member of {label.slug}.")
        record = catalog_import_start_path(
            label=label, actor=actor, path=path, format=options["format"]
        )
        code = str(record.job.code)
        self.stdout.write(f"Import {record.code} ({record.get_format_display()}) started.")
        done = threading.Event()
        printer = threading.Thread(
            target=self._print_progress, args=(label, code, done), daemon=True
        )
        printer.start()
        try:
            job_execute(code=code)
            job = self._wait(label, code)
        finally:
            done.set()
            printer.join(timeout=5)
        record = (
            CatalogImport.objects.for_label(label).select_related("error_report").get(pk=record.pk)
        )
        if job.status != Job.Status.DONE:
            raise CommandError(f"The import failed: {job.error}")
        summary = record.summary
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {record.rows_total} rows read, {record.rows_rejected} rejected, "
                f"{summary.get('rows_with_warnings', 0)} imported with warnings; "
                f"recordings {summary.get('recordings_inserted', 0)} new / "
                f"{summary.get('recordings_updated', 0)} changed, releases "
                f"{summary.get('releases_inserted', 0)} new / "
                f"{summary.get('releases_updated', 0)} changed."
            )
        )
        for note in summary.get("notes", []):
            self.stdout.write(f"Note: {note}")
        if record.error_report is not None:
            name = record.error_report.storage_name
            where = (
                default_storage.path(name)
                if isinstance(default_storage, FileSystemStorage)
                else f"storage:{name}"
            )
            self.stdout.write(
                f"Rejected rows and warnings (row, severity, column, value, reason): {where}"
            )

    def _print_progress(self, label: Label, code: str, done: threading.Event) -> None:
        """Print the job's progress as its row records it (from its own connection)."""
        shown: tuple[int, str] | None = None
        try:
            while not done.wait(0.5):
                job = Job.objects.for_label(label).filter(code=code).first()
                if job is None or job.status != Job.Status.RUNNING:
                    continue
                if (job.progress, job.step) != shown:
                    shown = (job.progress, job.step)
                    self.stdout.write(f"{job.progress:3d}%  {job.step}")
        finally:
            connection.close()

    @staticmethod
    def _wait(label: Label, code: str) -> Job:
        """The finished job: run here, or by a worker that claimed it first."""
        while True:
            job: Job = Job.objects.for_label(label).get(code=code)
            if job.is_finished:
                return job
            if job.status == Job.Status.PENDING and job.not_before is not None:
                # A failed attempt waits for its retry; run it here when it is due.
                time.sleep(max(0.0, (job.not_before - timezone.now()).total_seconds()))
                job_execute(code=code)
                continue
            time.sleep(0.5)
            close_old_connections()
