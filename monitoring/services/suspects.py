"""Suspects: a file found elsewhere, fingerprinted in a job and matched against the label's
masters; a match can be escalated to a matter (evidence app) with the suspect, the
recording and its current master."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import Master
from evidence.models import Matter
from evidence.services.matters import matter_create, matter_item_add
from monitoring.audio import UnreadableAudio, fingerprint_file
from monitoring.index import Hit
from monitoring.models import Fingerprint, Suspect, SuspectMatch
from monitoring.selectors import label_index
from optout.jobs import JobFailure
from optout.models import Label, User
from optout.services.blobs import blob_local_path, blob_store_hashed
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

SUSPECT_CHECK = "monitoring.suspect_check"

RATES = (1.0, 0.96, 0.98, 1.02, 1.04)
"""Speeds the suspect is also tried at: a copy sped up or slowed down (pitch with it) by up
to 4 % is played back at the inverse rate before it is fingerprinted."""

Progress = Callable[[int | float, str | None], None]


class SuspectError(ValueError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def suspect_submit(
    *,
    label: Label,
    path: Path,
    sha256: str,
    size: int,
    original_name: str,
    actor: User | None,
) -> Suspect:
    """Store an uploaded suspect file (``path``, hashed on arrival, is consumed) and queue
    its check. Any bytes are accepted: a file that does not decode fails its job, with the
    reason, and stays on record."""
    if size == 0:
        raise SuspectError(_("The file is empty."), code="empty")
    name = (original_name or "suspect").replace("\x00", "\ufffd")[:255]
    with transaction.atomic():
        blob = blob_store_hashed(label=label, path=path, sha256=sha256, size=size, actor=actor)
        code = uuid.uuid4()
        job = job_create(
            label=label,
            kind=SUSPECT_CHECK,
            actor=actor,
            title=gettext_noop("Check suspect %(name)s"),
            title_args={"name": name},
            params={"suspect": str(code)},
        )
        suspect: Suspect = Suspect.objects.create(
            code=code,
            label=label,
            blob=blob,
            original_name=name,
            job=job,
            created_by=actor,
        )
        ledger_append(
            label=label,
            actor=actor,
            action="suspect.received",
            subject=suspect,
            blob=blob,
            data={"original_name": name, "size": size, "sha256": sha256},
        )
    return suspect


def _best_hits(path: Path, *, label: Label, progress: Progress) -> tuple[int, dict[str, Any]]:
    """Fingerprint the file at each rate and keep, per reference, the best hit found."""
    index = label_index(label=label)
    best: dict[str, tuple[Hit, float]] = {}
    duration_ms = 0
    for step, rate in enumerate(RATES):
        progress(
            100 * step / len(RATES),
            _("Fingerprinting at %(rate)s times the speed") % {"rate": rate},
        )
        found = fingerprint_file(path, rate=rate)
        duration_ms = duration_ms or found.duration_ms
        for hit in index.search(found.values):
            if hit.key not in best or hit.ber < best[hit.key][0].ber:
                best[hit.key] = (hit, rate)
    return duration_ms, {"hits": best, "references": len(index)}


def suspect_check(*, suspect: Suspect, progress: Progress) -> dict[str, Any]:
    """The check job. Idempotent: a suspect already checked is left alone. A file that does
    not decode as audio ends ``failed`` with the reason (JobFailure)."""
    if suspect.status != Suspect.Status.PENDING:
        return {"status": suspect.status}
    label = suspect.label
    try:
        with blob_local_path(suspect.blob) as path:
            duration_ms, found = _best_hits(path, label=label, progress=progress)
    except UnreadableAudio as error:
        with transaction.atomic():
            _update(suspect, status=Suspect.Status.FAILED, problem=error.reason,
                    checked_at=timezone.now())  # fmt: skip
            ledger_append(label=label, actor=None, action="suspect.unreadable",
                          subject=suspect, data={"reason": error.reason})  # fmt: skip
        raise JobFailure(error.reason) from None
    prints = (
        Fingerprint.objects.for_label(label)
        .select_related("master", "recording")
        .in_bulk([int(key) for key in found["hits"]])
    )
    with transaction.atomic():
        SuspectMatch.objects.for_label(label).filter(suspect=suspect).delete()
        matches = [
            _match(suspect, prints[int(key)], hit, rate)
            for key, (hit, rate) in found["hits"].items()
        ]
        SuspectMatch.objects.bulk_create(matches)
        _update(suspect, status=Suspect.Status.DONE, problem="", duration_ms=duration_ms,
                references=found["references"], checked_at=timezone.now())  # fmt: skip
        ledger_append(
            label=label,
            actor=None,
            action="suspect.checked",
            subject=suspect,
            data={
                "references": found["references"],
                "matches": [
                    {"recording": str(m.recording.code), "master": str(m.master.code),
                     "ber": f"{m.ber:.4f}", "rate": f"{m.rate:g}"}
                    for m in matches
                ],
            },
        )  # fmt: skip
    return {"matches": len(matches), "references": found["references"]}


def _match(suspect: Suspect, fingerprint: Fingerprint, hit: Hit, rate: float) -> SuspectMatch:
    return SuspectMatch(
        label=suspect.label,
        suspect=suspect,
        recording=fingerprint.recording,
        master=fingerprint.master,
        isrc=fingerprint.recording.isrc or "",
        votes=hit.votes,
        score=round(1 - hit.ber, 4),
        ber=hit.ber,
        # The suspect was played at ``rate``: its own clock runs 1/rate as fast.
        suspect_offset=round(hit.query_offset * rate, 2),
        master_offset=hit.reference_offset,
        length=hit.length,
        rate=round(1 / rate, 2),
    )


def _update(suspect: Suspect, **values: Any) -> None:
    Suspect.objects.for_label(suspect.label).filter(pk=suspect.pk).update(**values)
    for key, value in values.items():
        setattr(suspect, key, value)


def suspect_check_for_job(*, label: Label, code: str, progress: Progress) -> dict[str, Any]:
    suspect = Suspect.objects.for_label(label).select_related("blob", "label").filter(code=code)
    found = suspect.first()
    if found is None:
        raise JobFailure(_("This suspect no longer exists."))
    return suspect_check(suspect=found, progress=progress)


def suspect_escalate(*, suspect: Suspect, actor: User | None) -> Matter:
    """Open a matter holding the suspect file, and for each matched recording its current
    master (the recordings are linked to the matter). Once per suspect."""
    if suspect.matter_id is not None:
        raise SuspectError(_("This suspect is already in a matter."), code="already_escalated")
    if suspect.status != Suspect.Status.DONE:
        raise SuspectError(_("The suspect has not been checked yet."), code="not_checked")
    label = suspect.label
    matches = list(suspect.matches.select_related("recording"))
    if not matches:
        raise SuspectError(_("The suspect matched no recording."), code="no_match")
    recordings = [match.recording for match in matches]
    with transaction.atomic():
        matter = matter_create(
            label=label,
            actor=actor,
            title=(_("Copy found: %(name)s") % {"name": suspect.original_name})[:200],
            summary=_("Fingerprint matches: %(titles)s")
            % {"titles": ", ".join(r.title for r in recordings)},
            recordings=[recording.code for recording in recordings],
        )
        matter_item_add(matter=matter, actor=actor, source_key="suspect", source_code=suspect.code)
        for recording in recordings:
            current = (
                Master.objects.for_label(label).filter(recording=recording, is_current=True).first()
            )
            if current is not None:
                matter_item_add(matter=matter, actor=actor, source_key="master",
                                source_code=current.code)  # fmt: skip
        _update(suspect, matter=matter)
    return matter
