"""Reads of masters and their rights-tagged copies."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from catalog.identifiers import IdentifierError, normalize_isrc
from catalog.models import Master, MasterTaggedCopy, Recording, Release
from catalog.models.masters import problem_message
from optout.models import Blob, Job, Label, LabelScopedQuerySet


def label_masters(
    *, label: Label, recording: Recording | None = None, status: str | None = None
) -> LabelScopedQuerySet[Master]:
    masters = Master.objects.for_label(label).select_related(
        "recording", "blob", "job", "uploaded_by", "label"
    )
    if recording is not None:
        masters = masters.filter(recording=recording)
    if status:
        masters = masters.filter(status=status)
    return masters.order_by("-created_at", "-version")


def recording_masters(*, recording: Recording) -> LabelScopedQuerySet[Master]:
    """The versions of one recording, newest first."""
    return (
        Master.objects.for_label(recording.label)
        .filter(recording=recording)
        .select_related("blob", "job", "uploaded_by", "label", "recording")
        .order_by("-version")
    )


def recording_by_reference(*, label: Label, reference: str) -> Recording | None:
    """The label's recording named by its ID (UUID) or its ISRC; None when there is none."""
    value = (reference or "").strip()
    if not value:
        return None
    recordings = Recording.objects.for_label(label)
    try:
        code = uuid.UUID(value)
    except ValueError:
        pass
    else:
        return recordings.filter(code=code).first()
    try:
        isrc = normalize_isrc(value)
    except IdentifierError:
        return None
    return recordings.filter(isrc=isrc).first()


def master_tagged_copies(*, master: Master) -> LabelScopedQuerySet[MasterTaggedCopy]:
    return (
        MasterTaggedCopy.objects.for_label(master.label)
        .filter(master=master)
        .select_related("blob", "job", "created_by", "label")
        .order_by("-created_at")
    )


def master_tagged_copy_for(*, master: Master, metadata_sha256: str) -> MasterTaggedCopy | None:
    return master_tagged_copies(master=master).filter(metadata_sha256=metadata_sha256).first()


def _embedded_isrcs(master: Master) -> list[str]:
    """The ISRCs the file's own tags carry (as the check read them), normalised where they
    are valid ISRCs and otherwise as written."""
    common = master.info.get("common") if isinstance(master.info, dict) else None
    values = common.get("isrc") if isinstance(common, dict) else None
    found: list[str] = []
    for value in values if isinstance(values, list) else []:
        text = str(value).strip()
        if not text:
            continue
        with contextlib.suppress(IdentifierError):
            text = normalize_isrc(text)
        if text not in found:
            found.append(text)
    return found


def master_problems(*, master: Master) -> list[dict[str, Any]]:
    """What stands in the way of using a checked master as it is, as ``code``, ``params``
    and ``message``:

    * ``isrc_mismatch``: an ISRC embedded in the file differs from its recording's ISRC
      (compared with the recording's ISRC now, so correcting either one clears it); a
      tagged copy would overwrite it, so making one asks for confirmation first.
    * ``truncated_untaggable``: the audio data is shorter than the file's header says
      (WAV, AIFF); the check keeps the master as evidence, but no tagged copy can be made.
    """
    problems: list[dict[str, Any]] = []
    if master.status != Master.Status.READY:
        return problems
    expected = master.recording.isrc
    differing = [isrc for isrc in _embedded_isrcs(master) if isrc != expected]
    if expected and differing:
        problems.append(
            {
                "code": "isrc_mismatch",
                "params": {"found": ", ".join(differing), "expected": expected},
            }
        )
    for note in master.notes:
        if isinstance(note, dict) and note.get("code") == "data_truncated":
            params = note.get("params") if isinstance(note.get("params"), dict) else {}
            problems.append({"code": "truncated_untaggable", "params": dict(params or {})})
            break
    return [{**problem, "message": problem_message(problem)} for problem in problems]


def release_zip_jobs(*, release: Release) -> Any:
    """The release's ZIP jobs, newest first."""
    return (
        Job.objects.for_label(release.label)
        .filter(kind="catalog.release_tagged_zip", params__release=str(release.code))
        .order_by("-created_at")
    )


def release_zip_blob(*, job: Job) -> Blob | None:
    if job.status != Job.Status.DONE or not job.result.get("blob"):
        return None
    return Blob.objects.for_label(job.label).filter(code=job.result["blob"]).first()
