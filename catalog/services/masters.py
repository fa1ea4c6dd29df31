"""Masters: receive an upload, then check and read the stored file in a job.

1. ``master_upload`` (in the request): the file was hashed while it arrived (the
   *received* SHA-256: ``optout.uploads``, or piece by piece for a resumable upload); its
   first bytes must be a supported audio format (decided from the bytes, never from the
   name); the file is moved into the blob store and the master is written ``received``
   together with its processing job and a ledger entry.
2. ``master_process`` (in the job): re-hash the STORED bytes, which must equal the received
   hash (else the master is ``flagged``); probe the file in the audio sandbox (technical
   metadata, existing tags) and hash its audio payload (a file that does not read as audio
   ends ``failed``); otherwise it is ``ready`` and, if it is the newest ready version, the
   recording's current master. Each step is a ledger entry.

docs/masters.md describes the whole flow.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.audio import AudioInfo, BadAudio, payload_sha256, probe
from catalog.audio.sniff import sniff
from catalog.models import Master, Recording
from catalog.models.masters import problem_message
from catalog.selectors.masters import master_problems, recording_by_reference
from optout.jobs import JobFailure
from optout.lib.hashing import copy_and_hash
from optout.models import Blob, Job, Label, User
from optout.services.blobs import blob_local_path, blob_open, blob_store_hashed
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

logger = logging.getLogger(__name__)

MASTER_PROCESS = "catalog.master_process"

Progress = Callable[[int | float, str | None], None]

# Share of the progress bar for each step of the processing job (the re-hash reads every
# byte; probing reads headers and tags; the payload hash reads the audio again).
_HASH_SHARE = 60
_PROBE_AT = 60
_PAYLOAD_AT = 70


MasterReadyHook = Callable[[Master, User | None], None]
_MASTER_READY_HOOKS: list[MasterReadyHook] = []


def register_master_ready_hook(hook: MasterReadyHook) -> None:
    """Call ``hook(master, actor)`` each time a master is settled ``ready``, inside the
    transaction that settles it: how an app above the catalog (monitoring) learns of a new
    ready master and queues its own work with it, without the catalog importing that app."""
    if hook not in _MASTER_READY_HOOKS:
        _MASTER_READY_HOOKS.append(hook)


class MasterStateError(ValueError):
    """The master is not in a state that allows what was asked."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class MasterUploadError(ValueError):
    """An upload that cannot become a master; ``field`` names the form/API field."""

    def __init__(self, message: str, *, code: str, field: str = "file") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def clean_name(name: str) -> str:
    # PostgreSQL text cannot hold NUL; the name is metadata only, never a path.
    return (name or "upload").replace("\x00", "\ufffd")[:255]


def audio_format(path: Path, size: int) -> str:
    """The format the first bytes announce, or MasterUploadError with the reason."""
    try:
        with open(path, "rb") as handle:
            return sniff(handle, size).format
    except BadAudio as error:
        raise MasterUploadError(error.reason, code=error.code) from None
    except Exception:
        # The sniffer reads fixed-size headers of untrusted bytes: whatever it trips on,
        # the answer to the user is the same.
        logger.warning("Sniffing an upload failed", exc_info=True)
        unknown = BadAudio("unknown_format")
        raise MasterUploadError(unknown.reason, code=unknown.code) from None


def master_upload(
    *,
    label: Label,
    recording: Recording,
    path: Path,
    sha256: str,
    size: int,
    original_name: str,
    actor: User | None,
) -> Master:
    """Turn a received file (``path``, hashed on arrival) into a master of ``recording`` and
    queue its processing. On success the file is moved into the blob store.

    Raises MasterUploadError (nothing is stored) when the file is empty, not a supported
    audio format, the same file as a live version of this recording, or the recording
    belongs to another label.
    """
    if recording.label_id != label.pk:
        raise _no_recording()
    if size == 0:
        raise MasterUploadError(BadAudio("empty").reason, code="empty")
    file_format = audio_format(path, size)
    name = clean_name(original_name)
    with transaction.atomic():
        version = _next_version(label=label, recording=recording, sha256=sha256)
        blob = blob_store_hashed(label=label, path=path, sha256=sha256, size=size, actor=actor)
        master = _master_create(
            label=label,
            recording=recording,
            version=version,
            blob=blob,
            name=name,
            size=size,
            sha256=sha256,
            actor=actor,
        )
        ledger_append(
            label=label,
            actor=actor,
            action="master.received",
            subject=master,
            blob=blob,
            data={
                "recording": str(recording.code),
                "version": version,
                "original_name": name,
                "size": size,
                "received_sha256": sha256,
                "format": file_format,
            },
        )
    return master


def master_upload_for_reference(
    *,
    label: Label,
    reference: str,
    path: Path,
    sha256: str,
    size: int,
    original_name: str,
    actor: User | None,
) -> Master:
    """``master_upload`` for the recording a form or API call names by its ID or ISRC: the
    one call the page and the API make for a one-request upload."""
    recording = recording_by_reference(label=label, reference=reference)
    if recording is None:
        raise _no_recording()
    return master_upload(
        label=label,
        recording=recording,
        path=path,
        sha256=sha256,
        size=size,
        original_name=original_name,
        actor=actor,
    )


def _no_recording() -> MasterUploadError:
    return MasterUploadError(
        _("No recording with this ID or ISRC in this label."), code="not_found", field="recording"
    )


def _next_version(*, label: Label, recording: Recording, sha256: str) -> int:
    """The next version number of ``recording``; MasterUploadError when the same file is a
    live version already. Locks the recording: one upload at a time decides the number."""
    locked = Recording.objects.for_label(label).select_for_update().filter(pk=recording.pk).first()
    if locked is None:
        raise _no_recording()
    masters = Master.objects.for_label(label).filter(recording=recording)
    duplicate = (
        masters.filter(received_sha256=sha256)
        .exclude(status__in=(Master.Status.FLAGGED, Master.Status.FAILED))
        .order_by("version")
        .first()
    )
    if duplicate is not None:
        raise MasterUploadError(
            _("This file is already version %(version)s of this recording.")
            % {"version": duplicate.version},
            code="duplicate",
        )
    return (masters.aggregate(top=Max("version"))["top"] or 0) + 1


def _master_create(
    *,
    label: Label,
    recording: Recording,
    version: int,
    blob: Blob,
    name: str,
    size: int,
    sha256: str,
    actor: User | None,
) -> Master:
    """The master and its processing job, written together: the master's ID is chosen
    first so the job can name it and the master row is inserted once, job included."""
    code = uuid.uuid4()
    job = job_create(
        label=label,
        kind=MASTER_PROCESS,
        actor=actor,
        title=gettext_noop("Check master %(name)s"),
        title_args={"name": name},
        params={"master": str(code)},
    )
    master: Master = Master.objects.create(
        code=code,
        label=label,
        recording=recording,
        version=version,
        blob=blob,
        original_name=name,
        size=size,
        received_sha256=sha256,
        uploaded_by=actor,
        job=job,
    )
    return master


def master_check_stalled(master: Master) -> bool:
    """True when the master's check stopped for good without an outcome (its job failed
    after all its attempts, e.g. storage was unreachable), so it can be started again."""
    job = master.job
    return (
        master.status in (Master.Status.RECEIVED, Master.Status.PROCESSING)
        and job is not None
        and job.status == Job.Status.FAILED
    )


def master_recheck(*, master: Master, actor: User | None) -> Master:
    """Check a master again: one whose check stalled, or a flagged one (e.g. after its
    stored file was restored from a backup). The new job re-hashes the stored bytes."""
    if not (master_check_stalled(master) or master.status == Master.Status.FLAGGED):
        raise MasterStateError(
            _("Only a flagged master, or one whose check stopped, can be checked again."),
            code="not_checkable",
        )
    label = master.label
    with transaction.atomic():
        job = job_create(
            label=label,
            kind=MASTER_PROCESS,
            actor=actor,
            title=gettext_noop("Check master %(name)s"),
            title_args={"name": master.original_name},
            params={"master": str(master.code)},
        )
        Master.objects.for_label(label).filter(pk=master.pk).update(
            status=Master.Status.RECEIVED, problem={}, job=job, processed_at=None
        )
        ledger_append(
            label=label,
            actor=actor,
            action="master.recheck_requested",
            subject=master,
            blob=master.blob,
            data={"previous_status": master.status, "job": str(job.code)},
        )
    master.refresh_from_db()
    return master


def _stored_sha256(blob: Blob, *, on_progress: Callable[[int], None]) -> str | None:
    """Re-hash the stored bytes (one pass, 1 MiB chunks): the digest, or None if missing."""
    try:
        with blob_open(blob) as handle:
            return copy_and_hash(handle, None, on_progress=on_progress).sha256
    except OSError:
        return None


def master_rehash(*, master: Master, progress: Progress | None = None) -> str | None:
    """The SHA-256 of the master's stored bytes (None when the file is missing)."""
    size = max(master.size, 1)

    def on_progress(done: int) -> None:
        if progress is not None:
            progress(_HASH_SHARE * done // size, None)

    return _stored_sha256(master.blob, on_progress=on_progress)


def _settle(
    master: Master, *, actor: User | None, action: str, data: dict[str, Any], **values: Any
) -> None:
    """Write the master's outcome and record it in the ledger, in one transaction."""
    with transaction.atomic():
        _save(master, **values)
        _record(master, actor=actor, action=action, data=data)


def _save(master: Master, **values: Any) -> None:
    Master.objects.for_label(master.label).filter(pk=master.pk).update(**values)
    for key, value in values.items():
        setattr(master, key, value)


def _record(master: Master, *, actor: User | None, action: str, data: dict[str, Any]) -> None:
    # Once per check job: an attempt rerun after a crash finds what its predecessor wrote.
    ledger_append(
        label=master.label,
        actor=actor,
        action=action,
        subject=master,
        blob=master.blob,
        data=data,
        job=master.job,
    )


def master_process(*, master: Master, actor: User | None, progress: Progress) -> dict[str, Any]:
    """The processing job's work. Idempotent: a master already settled is left alone.

    Raises JobFailure (after recording the outcome on the master and in the ledger) when
    the stored file is missing, differs from what was received, or is not readable audio.
    """
    if master.is_final:
        return {"status": master.status}
    _save(master, status=Master.Status.PROCESSING)
    progress(0, _("Re-hashing the stored file"))
    _verify_stored_bytes(master, actor=actor, progress=progress)
    progress(_PROBE_AT, _("Reading technical metadata and tags"))
    info, payload = _read_audio(master, actor=actor, progress=progress)
    progress(95, _("Saving what was found"))
    current = _settle_ready(master, actor=actor, info=info, payload=payload)
    return {
        "status": master.status,
        "format": info.format,
        "payload_sha256": payload,
        "current": current,
        "problems": _problem_codes(master),
    }


def _verify_stored_bytes(master: Master, *, actor: User | None, progress: Progress) -> None:
    """The stored bytes must hash to what was received: ``verified``, else ``flagged``."""
    found = master_rehash(master=master, progress=progress)
    if found == master.received_sha256:
        _settle(
            master,
            actor=actor,
            action="master.verified",
            data={"stored_sha256": found, "size": master.size},
            verified_sha256=found,
            verified_at=timezone.now(),
        )
        return
    if found is None:
        problem: dict[str, Any] = {"code": "file_missing", "params": {}}
    else:
        problem = {
            "code": "hash_mismatch",
            "params": {"found": found, "received": master.received_sha256},
        }
    _settle(
        master,
        actor=actor,
        action="master.flagged",
        data={
            "reason": problem["code"],
            "received_sha256": master.received_sha256,
            "stored_sha256": found or "",
        },
        status=Master.Status.FLAGGED,
        problem=problem,
        verified_sha256=found or "",
        processed_at=timezone.now(),
    )
    raise JobFailure(problem_message(problem))


def _read_audio(master: Master, *, actor: User | None, progress: Progress) -> tuple[AudioInfo, str]:
    """Probe the stored file and hash its audio payload; unreadable audio ends ``failed``."""
    try:
        with blob_local_path(master.blob) as path:
            info = probe(path, name=master.original_name)
            progress(_PAYLOAD_AT, _("Hashing the audio payload"))
            return info, payload_sha256(path)
    except BadAudio as error:
        params = dict(error.params)
        _settle(
            master,
            actor=actor,
            action="master.unreadable",
            data={"code": error.code, "params": params},
            status=Master.Status.FAILED,
            problem={"code": error.code, "params": params},
            processed_at=timezone.now(),
        )
        raise JobFailure(error.reason) from None


def _settle_ready(master: Master, *, actor: User | None, info: AudioInfo, payload: str) -> bool:
    """Save what was read; the master becomes ``ready`` and, if newest, current."""
    with transaction.atomic():
        _save(
            master,
            status=Master.Status.READY,
            problem={},
            format=info.format,
            codec=info.codec[:32],
            sample_rate=info.sample_rate,
            channels=info.channels,
            bit_depth=info.bit_depth,
            duration_ms=info.duration_ms,
            bitrate=info.bitrate,
            info=info.as_dict(),
            payload_sha256=payload,
            processed_at=timezone.now(),
        )
        # Only a ready master may be current (a database constraint): after the save.
        current = _make_current_if_newest(master)
        _record(
            master,
            actor=actor,
            action="master.metadata_read",
            data={
                "format": info.format,
                "codec": info.codec,
                "sample_rate": info.sample_rate,
                "channels": info.channels,
                "bit_depth": info.bit_depth,
                "duration_ms": info.duration_ms,
                "payload_sha256": payload,
                "tag_systems": list(info.tag_systems),
                "isrc_in_file": list(info.common.get("isrc", []))[:4],
                "notes": [note.code for note in info.notes],
                "problems": _problem_codes(master),
                "current": current,
            },
        )
        for hook in _MASTER_READY_HOOKS:
            hook(master, actor)
    return current


def _problem_codes(master: Master) -> list[str]:
    """The codes of what the check found in the way of using the master as it is (an
    embedded ISRC that is not the recording's, a truncated file that cannot be tagged)."""
    return [problem["code"] for problem in master_problems(master=master)]


def _make_current_if_newest(master: Master) -> bool:
    """Make ``master`` its recording's current master unless a newer version already is."""
    label = master.label
    Recording.objects.for_label(label).select_for_update().filter(pk=master.recording_id).first()
    masters = Master.objects.for_label(label).filter(recording_id=master.recording_id)
    current = masters.filter(is_current=True).first()
    if current is not None and current.version > master.version:
        return False
    if current is not None and current.pk != master.pk:
        masters.filter(pk=current.pk).update(is_current=False)
    masters.filter(pk=master.pk).update(is_current=True)
    master.is_current = True
    return True


def master_process_for_job(
    *, label: Label, code: str, actor: User | None, progress: Progress
) -> dict[str, Any]:
    """Load the job's master and process it."""
    master = (
        Master.objects.for_label(label)
        .select_related("blob", "recording", "label", "job")
        .filter(code=code)
        .first()
    )
    if master is None:
        raise JobFailure(_("This master no longer exists."))
    return master_process(master=master, actor=actor, progress=progress)
