"""Suspects: a file found elsewhere, fingerprinted in a job and matched against the label's
masters; a match can be escalated to a matter (evidence app) with the suspect, the
recording and its current master."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, override

from catalog.models import Master
from evidence.models import Alert, Matter
from evidence.services.alerts import alert_raise
from evidence.services.matters import matter_create, matter_item_add
from monitoring import chroma
from monitoring.audio import UnreadableAudio, decode, envelope, fingerprint_pcm
from monitoring.index import Hit
from monitoring.models import Fingerprint, Suspect, SuspectLead, SuspectMatch
from monitoring.selectors import index_rows, label_index
from monitoring.services.fingerprints import index_version_bump
from monitoring.services.suspect_urls import (
    SuspectUrlFailed,
    suspect_audio_fetch,
    suspect_url_check,
)
from optout.jobs import JobFailure
from optout.lib.fetch import FetchError
from optout.models import Label, User
from optout.services.blobs import blob_local_path, blob_store_hashed
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

SUSPECT_CHECK = "monitoring.suspect_check"

LEADS = 3
"""How many soundalike leads a suspect keeps (the best chroma likenesses in the catalog)."""

SPEEDS = tuple(sorted((1 + step / 200 for step in range(-8, 9)), key=lambda s: (abs(s - 1), s)))
"""Speeds a copy may have been changed to (pitch with it), up to 4 % either way: 1.0, 0.995,
1.005 … 1.04. The suspect is played back at the inverse of each before it is fingerprinted.
The step is 0.5 % because Chromaprint's sub-fingerprints drift apart fast: 0.5 % off, a
track can share none of its index keys with its own copy; 0.25 % off, every test track
still matches."""

RATES = tuple(1 / speed for speed in SPEEDS)

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


def suspect_submit_url(*, label: Label, url: str, actor: User | None) -> Suspect:
    """Queue the check of the audio behind ``url`` (a direct link or a page with an
    ``<audio>`` or ``og:audio``). A URL the fetcher could never fetch (a loopback or private
    address the operator has not allowed, another scheme...) is refused here; what goes
    wrong when it is fetched ends the job as failed, with the reason."""
    try:
        checked = suspect_url_check(url)
    except FetchError as error:
        raise SuspectError(error.message, code=error.code) from None
    name = (checked.rsplit("/", 1)[-1].split("?", 1)[0] or checked)[:255]
    with transaction.atomic():
        code = uuid.uuid4()
        job = job_create(
            label=label,
            kind=SUSPECT_CHECK,
            actor=actor,
            title=(_("Check suspect %(name)s") % {"name": checked})[:200],
            params={"suspect": str(code)},
        )
        suspect: Suspect = Suspect.objects.create(
            code=code, label=label, url=checked, original_name=name, job=job, created_by=actor
        )
        ledger_append(
            label=label,
            actor=actor,
            action="suspect.received",
            subject=suspect,
            data={"url": checked},
        )
    return suspect


def _fetch_audio(suspect: Suspect) -> None:
    """A URL suspect's audio, fetched once: a re-run after a crash finds the blob set."""
    label = suspect.label
    found = suspect_audio_fetch(label=label, url=suspect.url, actor=suspect.created_by)
    with transaction.atomic():
        _update(
            suspect,
            blob=found.blob,
            audio_url=found.audio_url,
            capture=found.capture,
        )
        ledger_append(
            label=label,
            actor=None,
            action="suspect.fetched",
            subject=suspect,
            blob=found.blob,
            data={
                "url": suspect.url,
                "page": found.page_url,
                "audio": found.audio_url,
                "capture": str(found.capture.code) if found.capture else "",
            },
        )


def _best_hits(path: Path, *, label: Label, progress: Progress) -> dict[str, Any]:
    """Fingerprint the file at each rate and keep, per reference, the best hit found; the
    chroma and waveform come from the decode at normal speed."""
    index = label_index(label=label)
    best: dict[int, tuple[Hit, float]] = {}
    found: dict[str, Any] = {"references": len(index)}
    for step, rate in enumerate(RATES):
        progress(
            100 * step / (len(RATES) + 1),
            _("Fingerprinting at %(rate)s times the speed") % {"rate": f"{rate:.3f}"},
        )
        pcm = decode(path, rate=rate)
        printed = fingerprint_pcm(pcm)
        if rate == 1.0:
            found["duration_ms"] = printed.duration_ms
            found["chroma"] = chroma.chroma(pcm)
            found["envelope"] = envelope(pcm)
        for hit in index.search(printed.values):
            if hit.key not in best or hit.ber < best[hit.key][0].ber:
                best[hit.key] = (hit, rate)
    found["hits"] = _still_indexed(label=label, hits=best)
    return found


def _still_indexed(
    *, label: Label, hits: dict[int, tuple[Hit, float]]
) -> dict[int, tuple[Hit, float]]:
    """Only the hits on fingerprints the index must still hold. This worker's index may be
    older than a master flagged since (the catalog does not tell monitoring): such a hit is
    dropped, and the version moves on, naming its recording, so every worker changes it."""
    if not hits:
        return hits
    current = set(index_rows(label=label).filter(pk__in=list(hits)).values_list("pk", flat=True))
    if len(current) < len(hits):
        stale = Fingerprint.objects.for_label(label).filter(pk__in=set(hits) - current)
        index_version_bump(
            label=label, recordings=set(stale.values_list("recording_id", flat=True)) or None
        )
    return {key: value for key, value in hits.items() if key in current}


def _leads(*, label: Label, suspect_chroma: Any) -> list[tuple[Fingerprint, chroma.Likeness]]:
    """The catalog recordings whose melody and harmony are most like the suspect's."""
    rows = list(index_rows(label=label).exclude(chroma=b"").select_related("master", "recording"))
    ranked = chroma.rank(
        suspect_chroma, [(row.pk, chroma.unpack(bytes(row.chroma))) for row in rows], top=LEADS
    )
    by_pk = {row.pk: row for row in rows}
    return [(by_pk[key], likeness) for key, likeness in ranked]


def suspect_check(*, suspect: Suspect, progress: Progress) -> dict[str, Any]:
    """The check job. Idempotent: a suspect already checked is left alone. A file that does
    not decode as audio ends ``failed`` with the reason (JobFailure)."""
    if suspect.status != Suspect.Status.PENDING:
        return {"status": suspect.status}
    label = suspect.label
    try:
        if suspect.blob is None:
            progress(0, _("Fetching %(url)s") % {"url": suspect.url})
            _fetch_audio(suspect)
        assert suspect.blob is not None
        with blob_local_path(suspect.blob) as path:
            found = _best_hits(path, label=label, progress=progress)
    except (UnreadableAudio, SuspectUrlFailed) as error:
        with transaction.atomic():
            _update(suspect, status=Suspect.Status.FAILED, problem=error.reason,
                    checked_at=timezone.now())  # fmt: skip
            ledger_append(label=label, actor=None, action="suspect.unreadable",
                          subject=suspect, data={"reason": error.reason})  # fmt: skip
        raise JobFailure(error.reason) from None
    progress(100 * len(RATES) / (len(RATES) + 1), _("Looking for soundalike leads"))
    leads = _leads(label=label, suspect_chroma=found["chroma"])
    prints = (
        Fingerprint.objects.for_label(label)
        .select_related("master", "recording")
        .in_bulk(list(found["hits"]))
    )
    with transaction.atomic():
        SuspectMatch.objects.for_label(label).filter(suspect=suspect).delete()
        SuspectLead.objects.for_label(label).filter(suspect=suspect).delete()
        matches = [
            _match(suspect, prints[key], hit, rate) for key, (hit, rate) in found["hits"].items()
        ]
        SuspectMatch.objects.bulk_create(matches)
        SuspectLead.objects.bulk_create(
            [
                _lead(suspect, fingerprint, likeness, rank)
                for rank, (fingerprint, likeness) in enumerate(leads, start=1)
            ]
        )
        _update(suspect, status=Suspect.Status.DONE, problem="",
                duration_ms=found["duration_ms"], envelope=found["envelope"],
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
                "leads": [
                    {"recording": str(f.recording.code), "score": f"{like.score:.4f}"}
                    for f, like in leads
                ],
            },
        )  # fmt: skip
        if matches:
            # Written with the matches; the e-mails leave when they are committed.
            _match_alert(suspect, matches)
    return {"matches": len(matches), "leads": len(leads), "references": found["references"]}


def _match_alert(suspect: Suspect, matches: list[SuspectMatch]) -> None:
    """One ``new_match`` alert per suspect, naming the recordings it holds a copy of."""
    found = sorted(matches, key=lambda m: -m.score)
    url = settings.OPTOUT_BASE_URL + reverse(
        "monitoring:suspect", kwargs={"slug": suspect.label.slug, "code": suspect.code}
    )
    # The alert is for the rights team: in the site's language, whoever sent the suspect.
    with override(settings.LANGUAGE_CODE):
        lines = [
            ngettext(
                "The suspect %(name)s holds a copy of %(count)d recording of the catalog:",
                "The suspect %(name)s holds a copy of %(count)d recordings of the catalog:",
                len(found),
            )
            % {"name": suspect.url or suspect.original_name, "count": len(found)}
        ]
        for match in found:
            lines.append(f"- {match.recording.title}" + (f" ({match.isrc})" if match.isrc else ""))
        lines += ["", _("See the suspect: %(url)s") % {"url": url}]
    alert_raise(
        label=suspect.label,
        kind=Alert.Kind.NEW_MATCH,
        key=f"new_match:{suspect.code}",
        message="\n".join(lines),
        subject=suspect,
    )


def _lead(
    suspect: Suspect, fingerprint: Fingerprint, likeness: chroma.Likeness, rank: int
) -> SuspectLead:
    return SuspectLead(
        label=suspect.label,
        suspect=suspect,
        recording=fingerprint.recording,
        master=fingerprint.master,
        rank=rank,
        score=likeness.score,
        transpose=likeness.transpose,
        tempo=likeness.tempo,
        suspect_offset=likeness.suspect_offset,
        master_offset=likeness.master_offset,
        length=likeness.length,
    )


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
        rate=round(1 / rate, 3),
    )


def _update(suspect: Suspect, **values: Any) -> None:
    Suspect.objects.for_label(suspect.label).filter(pk=suspect.pk).update(**values)
    for key, value in values.items():
        setattr(suspect, key, value)


def suspect_check_for_job(*, label: Label, code: str, progress: Progress) -> dict[str, Any]:
    suspect = (
        Suspect.objects.for_label(label)
        .select_related("blob", "label", "created_by")
        .filter(code=code)
    )
    found = suspect.first()
    if found is None:
        raise JobFailure(_("This suspect no longer exists."))
    return suspect_check(suspect=found, progress=progress)


def _add_capture(*, matter: Matter, suspect: Suspect, actor: User | None) -> None:
    """The capture of the suspect's page, when it has finished (a capture still running
    can be added to the matter later, from its own page)."""
    assert suspect.capture is not None
    with contextlib.suppress(ValidationError):
        matter_item_add(
            matter=matter, actor=actor, source_key="capture", source_code=suspect.capture.code
        )


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
        if suspect.capture_id is not None:
            _add_capture(matter=matter, suspect=suspect, actor=actor)
        for recording in recordings:
            current = (
                Master.objects.for_label(label).filter(recording=recording, is_current=True).first()
            )
            if current is not None:
                matter_item_add(matter=matter, actor=actor, source_key="master",
                                source_code=current.code)  # fmt: skip
        _update(suspect, matter=matter)
    return matter
