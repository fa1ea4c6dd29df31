"""Reads of masters and their rights-tagged copies."""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.audio import BadAudio, probe_many
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


# An ISRC in a file name: "SE-ABC-26-00001 take 3.wav", "seabc2600001_final.flac".
_NAME_ISRC = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2})[-_ .]?([A-Za-z0-9]{3})[-_ .]?(\d{2})[-_ .]?(\d{5})(?!\d)"
)
# An ISRC right after a tag's name in raw bytes: an ID3 TSRC frame (MP3, WAV, AIFF), a
# Vorbis comment ISRC= (FLAC, Ogg), an MP4 ----:com.apple.iTunes:ISRC atom, iXML <ISRC>.
_TAG_ISRC = re.compile(
    rb"(?:TSRC|ISRC)[\x00-\x40]{0,24}?([A-Z]{2}-?[A-Z0-9]{3}-?\d{2}-?\d{5})", re.IGNORECASE
)


@dataclass(frozen=True)
class FileMatch:
    name: str
    isrc: str
    """The ISRC found, normalised; empty when none was."""
    found_in: str
    """``tags``, ``name`` or empty."""
    recording: Recording | None


def _isrc_or_empty(text: str) -> str:
    try:
        return normalize_isrc(text)
    except IdentifierError:
        return ""


def isrc_in_name(name: str) -> str:
    for match in _NAME_ISRC.finditer(name):
        found = _isrc_or_empty("".join(match.groups()))
        if found:
            return found
    return ""


def isrc_in_tags(*, head: Path, name: str, tail: bytes) -> str:
    """The ISRC the file's tags carry, read from its first bytes (mutagen, in the audio
    sandbox) or, when the tags sit further in (a WAV's ID3 chunk at the end), from the raw
    bytes of its head and tail."""
    outcome = probe_many([head], names=[name])[0]
    if not isinstance(outcome, BadAudio):
        for value in outcome.common.get("isrc", []):
            found = _isrc_or_empty(value)
            if found:
                return found
    with head.open("rb") as handle:
        data = handle.read() + b"\x00" + tail
    for match in _TAG_ISRC.finditer(data):
        found = _isrc_or_empty(match.group(1).decode("ascii"))
        if found:
            return found
    return ""


def masters_match(*, label: Label, files: list[tuple[str, Path, bytes]]) -> list[FileMatch]:
    """Each file (name, its head on disk, its tail) matched to a recording of ``label`` by
    the ISRC in its tags, else in its name."""
    matches = []
    for name, head, tail in files:
        isrc, found_in = isrc_in_tags(head=head, name=name, tail=tail), "tags"
        if not isrc:
            isrc, found_in = isrc_in_name(name), "name"
        recording = Recording.objects.for_label(label).filter(isrc=isrc).first() if isrc else None
        matches.append(FileMatch(name, isrc, found_in if isrc else "", recording))
    return matches
