"""One ZIP of the current rights-tagged copy of every track of a release.

The user asks for it on the release page; a job (``catalog.release_tagged_zip``) writes the
archive to a temporary file one member at a time (each copy streamed from its blob in
1 MiB pieces, never held in memory), stores it as a blob and names it in its result. Tracks
without a current tagged copy (no ready master, or no copy with the metadata in force) are
listed in the archive's ``MISSING.txt`` and in the job's result, never silently dropped.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.audio import RightsMetadataError
from catalog.models import Master, MasterTaggedCopy, Recording, Release, ReleaseTrack
from catalog.selectors.masters import master_tagged_copies, recording_masters
from catalog.services.tagging import metadata_key, rights_metadata_for, tagged_filename
from optout.jobs import JobFailure
from optout.lib.archive import ArcnameAllocator, zip_write_bytes, zip_write_stream
from optout.lib.tempfiles import temp_dir
from optout.models import Job, Label, User
from optout.services.blobs import blob_open, blob_store_file
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

RELEASE_TAGGED_ZIP = "catalog.release_tagged_zip"


def current_tagged_copy(*, recording: Recording) -> MasterTaggedCopy | None:
    """The ready tagged copy of the recording's newest ready master that carries the rights
    metadata in force now, or None."""
    master = recording_masters(recording=recording).filter(status=Master.Status.READY).first()
    if master is None:
        return None
    try:
        key = metadata_key(rights_metadata_for(master=master))
    except RightsMetadataError:
        return None
    return (
        master_tagged_copies(master=master)
        .filter(status=MasterTaggedCopy.Status.READY, metadata_sha256=key, blob__isnull=False)
        .first()
    )


def _tracks(release: Release) -> list[ReleaseTrack]:
    return list(
        ReleaseTrack.objects.for_label(release.label)
        .filter(release=release)
        .select_related("recording")
        .order_by("disc_number", "track_number")
    )


def release_tagged_zip_request(*, release: Release, actor: User | None) -> Job:
    """Start the job that builds the release's ZIP of tagged copies."""
    if not _tracks(release):
        raise JobFailure(_("This release has no tracks yet."))
    with transaction.atomic():
        return job_create(
            label=release.label,
            kind=RELEASE_TAGGED_ZIP,
            actor=actor,
            title=_("Tagged copies of “%(title)s” as one ZIP") % {"title": release.title},
            params={"release": str(release.code)},
        )


def zip_filename(release: Release) -> str:
    return f"{release.title or 'release'} (rights metadata).zip"


def release_tagged_zip_build(
    *,
    label: Label,
    code: str,
    actor: User | None,
    job: Job | None = None,
    progress: Callable[[int, str | None], None] | None = None,
) -> dict[str, Any]:
    release = Release.objects.for_label(label).filter(code=code).first()
    if release is None:
        raise JobFailure(_("The release no longer exists."))
    tracks = _tracks(release)
    names = ArcnameAllocator()
    now = timezone.now()
    included: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    fd, name = tempfile.mkstemp(prefix="release-", suffix=".zip", dir=temp_dir())
    os.close(fd)
    path = Path(name)
    try:
        with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
            for index, track in enumerate(tracks, start=1):
                position = f"{track.disc_number}-{track.track_number:02d}"
                copy = current_tagged_copy(recording=track.recording)
                if copy is None or copy.blob is None:
                    missing.append({"track": position, "title": str(track.recording)})
                    continue
                arcname = names.allocate(f"{position} {tagged_filename(copy.master)}")
                with blob_open(copy.blob) as source:
                    # Audio hardly compresses: stored, so the copy's bytes are the member's.
                    zip_write_stream(archive, arcname, source, date_time=now, compress=False)
                included.append({"track": position, "name": arcname, "sha256": copy.blob.sha256})
                if progress is not None:
                    progress(int(90 * index / len(tracks)), str(track.recording))
            if missing:
                lines = [f"{m['track']}  {m['title']}" for m in missing]
                text = (
                    "These tracks have no rights-tagged copy with the metadata in force:\n"
                    + "\n".join(lines)
                    + "\n"
                )
                zip_write_bytes(archive, names.reserve("MISSING.txt"), text.encode(), date_time=now)
        if not included:
            raise JobFailure(
                _("No track of this release has a rights-tagged copy yet: make them first.")
            )
        blob = blob_store_file(label=label, path=path, actor=actor, media_type="application/zip")
    finally:
        path.unlink(missing_ok=True)
    ledger_append(
        label=label,
        actor=actor,
        action="release.tagged_zip_built",
        subject=release,
        blob=blob,
        data={"included": len(included), "missing": len(missing)},
        job=job,
    )
    return {
        "release": str(release.code),
        "blob": str(blob.code),
        "filename": zip_filename(release),
        "included": included,
        "missing": missing,
    }
