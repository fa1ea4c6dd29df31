"""Reads of masters and their rights-tagged copies."""

from __future__ import annotations

import uuid

from catalog.identifiers import IdentifierError, normalize_isrc
from catalog.models import Master, MasterTaggedCopy, Recording
from optout.models import Label, LabelScopedQuerySet


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
