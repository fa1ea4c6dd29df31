"""Rights-tagged copies of masters: "Download with rights metadata".

A tagged copy is a NEW blob made by the audio library's ``write_tagged_copy`` from the
master's stored file, which is only ever read. The metadata comes from the catalog
(recording, work, release) and the label (``rights_metadata_for``); one copy is kept per
master and metadata, so asking again with unchanged metadata reuses it. Writing a copy of a
multi-GB file takes a while, so it is a job.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.audio import BadAudio, RightsMetadata, payload_sha256, write_tagged_copy
from catalog.audio.sniff import EXTENSIONS
from catalog.models import Master, MasterTaggedCopy, Recording
from catalog.models.masters import problem_message
from catalog.selectors.masters import master_problems
from optout.jobs import JobFailure
from optout.lib.c2pa import AUDIO_TYPES as C2PA_AUDIO_TYPES
from optout.lib.c2pa import Parent
from optout.lib.canonical import canonical_json
from optout.lib.tempfiles import temp_dir
from optout.models import Label, User
from optout.policy.services.signing import c2pa_sign_for_label, reservation_for_embedding
from optout.services.blobs import blob_local_path, blob_store_file
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

MASTER_TAG = "catalog.master_tag"

Progress = Callable[[int | float, str | None], None]


class TaggingError(ValueError):
    """A tagged copy cannot be made of this master now (the message says why)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _reservation(label: Label) -> tuple[str, str, str, str]:
    """The reservation note, terms URL, contact e-mail and contact page written into tagged
    copies, from the reservation policy in force (the label's profile while none is)."""
    embedding = reservation_for_embedding(label=label)
    if embedding is None:
        return "", label.terms_url, label.contact_email, ""
    contact = embedding.contact
    if contact.startswith(("https://", "http://")):
        return embedding.note, embedding.terms_url, label.contact_email, contact
    return embedding.note, embedding.terms_url, contact.removeprefix("mailto:"), ""


def _release_facts(recording: Recording) -> tuple[str, str, str]:
    """The © line, a ℗ line and the year of the earliest release carrying the recording."""
    c_line = p_line = year = ""
    tracks = recording.release_tracks.select_related("release").order_by(
        "release__release_date", "release__created_at"
    )
    for track in tracks:
        release = track.release
        c_line = c_line or release.c_line
        p_line = p_line or release.p_line
        if not year and release.release_date is not None:
            year = f"{release.release_date.year:04d}"
    return c_line, p_line, year


def rights_metadata_for(*, master: Master) -> RightsMetadata:
    """What a tagged copy of ``master`` carries, from the catalog and the label.

    Raises ``RightsMetadataError`` (field-level messages) when a catalog value cannot go
    into a tag, e.g. a ℗ line without a year.
    """
    recording = master.recording
    label = master.label
    work = recording.work
    note, terms_url, contact_email, contact_url = _reservation(label)
    c_line, release_p_line, year = _release_facts(recording)
    title = f"{recording.title} ({recording.version})" if recording.version else recording.title
    holder = label.legal_name or label.name
    return RightsMetadata(
        isrc=recording.isrc or None,
        iswc=work.iswc if work is not None and work.iswc else None,
        title=title,
        artist=recording.display_artist or None,
        p_line=recording.p_line or release_p_line or None,
        c_line=c_line or None,
        rights_holder=holder,
        label_name=label.name,
        contact_email=contact_email or None,
        contact_url=contact_url or None,
        terms_url=terms_url or None,
        reservation_note=note or None,
        year=year or None,
    )


def metadata_key(metadata: RightsMetadata) -> str:
    return hashlib.sha256(canonical_json(metadata.as_request())).hexdigest()


def tagged_filename(master: Master) -> str:
    """The download name of a tagged copy, derived from the master's original name."""
    original = PurePath(master.original_name.replace("\\", "/")).name or "master"
    stem, suffix = PurePath(original).stem, PurePath(original).suffix
    if not suffix and master.format:
        suffix = f".{EXTENSIONS.get(master.format, 'bin')}"
    return f"{stem or 'master'} (rights metadata){suffix}"


def _check_taggable(master: Master) -> list[dict[str, Any]]:
    """TaggingError unless a copy of ``master`` can be made; the master's problems."""
    if master.status != Master.Status.READY:
        raise TaggingError(
            _("Only a ready master can be tagged; this one is “%(status)s”.")
            % {"status": master.get_status_display()},
            code="not_ready",
        )
    problems = master_problems(master=master)
    for problem in problems:
        if problem["code"] == "truncated_untaggable":
            raise TaggingError(problem["message"], code="truncated")
    return problems


def _isrcs_replaced(problems: list[dict[str, Any]], *, confirmed: bool) -> dict[str, str]:
    """The embedded ISRCs a new copy would replace, and by what; TaggingError when there are
    some and the person did not confirm replacing them."""
    mismatch = next((p for p in problems if p["code"] == "isrc_mismatch"), None)
    if mismatch is None:
        return {}
    params = mismatch["params"]
    if not confirmed:
        raise TaggingError(
            _(
                "The file carries the ISRC %(found)s, but its recording's ISRC is "
                "%(expected)s. Confirm that the copy should carry %(expected)s instead."
            )
            % params,
            code="isrc_mismatch",
        )
    return {"replaces_isrc": str(params["found"]), "recording_isrc": str(params["expected"])}


def tagged_copy_request(
    *, master: Master, actor: User | None, confirm_isrc_overwrite: bool = False
) -> MasterTaggedCopy:
    """The tagged copy of ``master`` with its current metadata: an existing one (ready or
    being made) or a new one whose job is queued when the caller's transaction commits.

    Raises TaggingError when the master is not ready, is truncated, or carries another ISRC
    than its recording and ``confirm_isrc_overwrite`` is not given (the copy would replace
    it); RightsMetadataError when the catalog's values cannot be written as tags.
    """
    problems = _check_taggable(master)
    metadata = rights_metadata_for(master=master)
    key = metadata_key(metadata)
    label = master.label
    with transaction.atomic():
        copies = MasterTaggedCopy.objects.for_label(label).select_for_update()
        found: tuple[MasterTaggedCopy, bool] = copies.get_or_create(
            master=master,
            metadata_sha256=key,
            defaults={"label": label, "metadata": metadata.as_request(), "created_by": actor},
        )
        copy, created = found
        if created or copy.has_failed:
            # Asked only when a copy is made: an existing one stays available.
            replaced = _isrcs_replaced(problems, confirmed=confirm_isrc_overwrite)
            copy.job = job_create(
                label=label,
                kind=MASTER_TAG,
                actor=actor,
                title=gettext_noop("Tag a copy of master %(name)s"),
                title_args={"name": master.original_name},
                params={"copy": str(copy.code)},
            )
            copy.status = MasterTaggedCopy.Status.PENDING
            copy.problem = {}
            copy.finished_at = None
            # What the person confirmed, for the custody entry of the copy.
            copy.result = replaced
            copy.save(update_fields=["job", "status", "problem", "finished_at", "result"])
    return copy


def _fail(copy: MasterTaggedCopy, code: str, params: dict[str, Any]) -> JobFailure:
    """Record why the copy failed on the copy (so it can be asked for again); the job's
    failure with the same reason, for the caller to raise."""
    problem = {"code": code, "params": params}
    MasterTaggedCopy.objects.for_label(copy.label).filter(pk=copy.pk).update(
        status=MasterTaggedCopy.Status.FAILED, problem=problem, finished_at=timezone.now()
    )
    return JobFailure(problem_message(problem))


def _c2pa_sign(
    *, copy: MasterTaggedCopy, tagged: Path, payload: str, title: str, progress: Progress
) -> tuple[Path, str]:
    """Sign the tagged copy with the label's C2PA credential, when it has one.

    Returns the file to store and what happened: ``signed``, ``not_configured`` or
    ``unsupported_format``. A signature that cannot be made, or that would change the audio,
    fails the copy and the job: a label that configured signing expects signed copies.
    """
    master, label = copy.master, copy.label
    media_type = master.blob.media_type
    if media_type.split(";", 1)[0] not in C2PA_AUDIO_TYPES:
        return tagged, "unsupported_format"
    signed = tagged.with_name(tagged.name + ".c2pa")
    progress(70, _("Signing the copy (C2PA)"))
    try:
        with blob_local_path(master.blob) as original:
            done = c2pa_sign_for_label(
                label=label,
                source=tagged,
                dest=signed,
                media_type=media_type,
                title=title[:200],
                parent=Parent(path=original, title=master.original_name),
            )
    except ValidationError as error:
        signed.unlink(missing_ok=True)
        raise _fail(copy, "sign_failed", {"error": " ".join(error.messages)[:1000]}) from None
    if not done:
        return tagged, "not_configured"
    try:
        same_audio = payload_sha256(signed) == payload
    except BadAudio:
        same_audio = False
    if not same_audio:
        signed.unlink(missing_ok=True)
        raise _fail(copy, "sign_changed_audio", {})
    tagged.unlink(missing_ok=True)
    signed.rename(tagged)
    return tagged, "signed"


def tagged_copy_make(
    *, copy: MasterTaggedCopy, actor: User | None, progress: Progress
) -> dict[str, Any]:
    """The tagging job's work: write the copy, store it as a new blob, log it.

    Idempotent: a ready copy is left alone. A master the audio library cannot tag ends the
    job with JobFailure and the reason.
    """
    if copy.status == MasterTaggedCopy.Status.READY and copy.blob is not None:
        return {"status": copy.status, "sha256": copy.blob.sha256}
    master = copy.master
    label = copy.label
    try:
        metadata = RightsMetadata(**copy.metadata)
    except (TypeError, ValueError) as error:
        raise _fail(copy, "metadata_invalid", {"error": str(error)[:1000]}) from None
    progress(0, _("Writing the rights metadata into a new copy"))
    fd, name = tempfile.mkstemp(prefix="tagged-", suffix=".part", dir=temp_dir())
    os.close(fd)
    target = Path(name)
    try:
        with blob_local_path(master.blob) as source:
            try:
                tagged = write_tagged_copy(
                    source=source,
                    target=target,
                    metadata=metadata,
                    source_payload_sha256=master.payload_sha256 or None,
                )
            except BadAudio as error:
                _fail(copy, error.code, dict(error.params))
                raise JobFailure(error.reason) from None
        stored, c2pa_status = _c2pa_sign(
            copy=copy,
            tagged=target,
            payload=tagged.payload_sha256,
            title=metadata.title or master.original_name,
            progress=progress,
        )
        progress(85, _("Storing the tagged copy"))
        blob = blob_store_file(label=label, path=stored, actor=actor)
    finally:
        target.unlink(missing_ok=True)
    confirmed = copy.result if isinstance(copy.result, dict) else {}
    replaced = {k: str(confirmed[k]) for k in ("replaces_isrc", "recording_isrc") if k in confirmed}
    result = {**tagged.as_dict(), "c2pa": c2pa_status, **replaced}
    with transaction.atomic():
        MasterTaggedCopy.objects.for_label(label).filter(pk=copy.pk).update(
            status=MasterTaggedCopy.Status.READY,
            blob=blob,
            result=result,
            problem={},
            finished_at=timezone.now(),
        )
        ledger_append(
            label=label,
            actor=actor,
            action="master.tagged_copy_made",
            subject=copy,
            blob=blob,
            data={
                "master": str(master.code),
                "master_sha256": master.blob.sha256,
                "payload_sha256": tagged.payload_sha256,
                "fields": sorted(metadata.as_request()),
                "written": sorted({p.place for p in tagged.written}),
                "not_written": [f"{o.field}: {o.place}" for o in tagged.not_written],
                **replaced,
            },
        )
    return {"status": MasterTaggedCopy.Status.READY.value, "sha256": blob.sha256}


def tagged_copy_make_for_job(
    *, label: Label, code: str, actor: User | None, progress: Progress
) -> dict[str, Any]:
    copy = (
        MasterTaggedCopy.objects.for_label(label)
        .select_related("master", "master__blob", "master__label", "blob", "label")
        .filter(code=code)
        .first()
    )
    if copy is None:
        raise JobFailure(_("This tagged copy no longer exists."))
    return tagged_copy_make(copy=copy, actor=actor, progress=progress)
