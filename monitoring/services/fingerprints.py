"""Fingerprints of masters: one job per master that reaches ``ready``, and a back-fill job
for masters that were ready before (``manage.py fingerprint_masters``).

The catalog calls ``fingerprint_request`` through its master-ready hook, inside the
transaction that settles the master, so the job exists exactly when the master is ready.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import Master
from monitoring.audio import ALGORITHM, UnreadableAudio, analyse_file, pack
from monitoring.models import Fingerprint, FingerprintIndexChange, FingerprintIndexState
from optout.jobs import JobFailure
from optout.models import Job, Label, User
from optout.services.blobs import blob_local_path
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

FINGERPRINT = "monitoring.fingerprint"
FINGERPRINT_BACKFILL = "monitoring.fingerprint_backfill"

Progress = Callable[[int | float, str | None], None]


def fingerprint_request(*, master: Master, actor: User | None) -> Fingerprint:
    """Queue the fingerprint of a ready master (in the caller's transaction); a master
    already fingerprinted is left as it is."""
    label = master.label
    fingerprint: Fingerprint | None = (
        Fingerprint.objects.for_label(label).filter(master=master).first()
    )
    if fingerprint is not None and fingerprint.status == Fingerprint.Status.READY:
        return fingerprint
    job = job_create(
        label=label,
        kind=FINGERPRINT,
        actor=actor,
        title=gettext_noop("Fingerprint master %(name)s"),
        title_args={"name": master.original_name},
        params={"master": str(master.code)},
    )
    if fingerprint is None:
        created: Fingerprint = Fingerprint.objects.create(
            label=label, master=master, recording_id=master.recording_id, job=job
        )
        return created
    Fingerprint.objects.for_label(label).filter(pk=fingerprint.pk).update(
        status=Fingerprint.Status.PENDING, problem="", job=job
    )
    fingerprint.refresh_from_db()
    return fingerprint


def on_master_ready(master: Master, actor: User | None) -> None:
    """The catalog's master-ready hook. A master ready again after a re-check returns to
    the index (its fingerprint is kept): the index version moves on."""
    fingerprint_request(master=master, actor=actor)
    index_version_bump(label=master.label, recordings=[master.recording_id])


LOG_KEEP = 1000
"""Versions of change log each label keeps: a worker further behind rebuilds its index."""


def index_version_bump(*, label: Label, recordings: Collection[int] | None) -> int:
    """Tell every worker that the label's index changed: the version moves on and the log
    names the ``recordings`` whose reference may have changed (None: anything may have,
    and every worker rebuilds). In the caller's transaction, so the new version and its
    log lines are seen together with the rows that caused them; the row lock on the
    state orders the versions of one label."""
    with transaction.atomic():
        states = FingerprintIndexState.objects.for_label(label).filter(label=label)
        if not states.update(version=F("version") + 1):
            try:
                with transaction.atomic():
                    FingerprintIndexState.objects.create(label=label, version=1)
            except IntegrityError:  # another worker created it meanwhile
                states.update(version=F("version") + 1)
        version, log_from = states.values_list("version", "log_from").get()
        named: Sequence[int | None] = [None] if recordings is None else sorted(set(recordings))
        FingerprintIndexChange.objects.bulk_create(
            FingerprintIndexChange(label=label, version=version, recording_id=recording)
            for recording in named
        )
        if version - log_from > 2 * LOG_KEEP:
            FingerprintIndexChange.objects.for_label(label).filter(
                version__lte=version - LOG_KEEP
            ).delete()
            states.update(log_from=version - LOG_KEEP)
    return int(version)


def fingerprint_compute(*, master: Master, job: Job | None = None) -> Fingerprint:
    """Read the master's audio and store its fingerprint. Idempotent: a ready fingerprint
    is returned untouched. Raises UnreadableAudio (after recording it) when the file does
    not decode."""
    label = master.label
    Fingerprint.objects.for_label(label).get_or_create(
        label=label, master=master, defaults={"recording_id": master.recording_id, "job": job}
    )
    # The row stays locked while the audio is read: the master's own job and a back-fill
    # never fingerprint the same master at once; a killed worker's attempt rolls back.
    with transaction.atomic():
        fingerprint: Fingerprint = (
            Fingerprint.objects.for_label(label).select_for_update().get(master=master)
        )
        if fingerprint.status == Fingerprint.Status.READY:
            return fingerprint
        try:
            with blob_local_path(master.blob) as path:
                found = analyse_file(path)
        except UnreadableAudio as error:
            _save(fingerprint, status=Fingerprint.Status.FAILED, problem=error.reason)
            failure: UnreadableAudio | None = error
        else:
            failure = None
            _save(
                fingerprint,
                status=Fingerprint.Status.READY,
                problem="",
                values=pack(found.print.values),
                frames=len(found.print.values),
                duration_ms=found.print.duration_ms,
                algorithm=ALGORITHM,
                chroma=found.chroma,
                envelope=found.envelope,
                fingerprinted_at=timezone.now(),
            )
            ledger_append(
                label=label,
                actor=None,
                action="fingerprint.stored",
                subject=master,
                data={"frames": fingerprint.frames, "duration_ms": fingerprint.duration_ms},
            )
            index_version_bump(label=label, recordings=[master.recording_id])
    if failure is not None:
        raise failure
    return fingerprint


def _save(fingerprint: Fingerprint, **values: Any) -> None:
    Fingerprint.objects.for_label(fingerprint.label).filter(pk=fingerprint.pk).update(**values)
    for key, value in values.items():
        setattr(fingerprint, key, value)


def _master(*, label: Label, code: str) -> Master:
    master: Master | None = (
        Master.objects.for_label(label)
        .select_related("blob", "label", "recording")
        .filter(code=code)
        .first()
    )
    if master is None:
        raise JobFailure(_("This master no longer exists."))
    return master


def fingerprint_master_for_job(
    *, label: Label, code: str, job: Job, progress: Progress
) -> dict[str, Any]:
    """The fingerprint job: a master that is no longer ready is not fingerprinted."""
    master = _master(label=label, code=code)
    if master.status != Master.Status.READY:
        raise JobFailure(_("This master is not ready (it is %(status)s).") % {
            "status": master.get_status_display()})  # fmt: skip
    progress(0, _("Decoding and fingerprinting the audio"))
    try:
        fingerprint = fingerprint_compute(master=master, job=job)
    except UnreadableAudio as error:
        raise JobFailure(error.reason) from None
    return {"frames": fingerprint.frames, "duration_ms": fingerprint.duration_ms}


def masters_lacking_fingerprint(*, label: Label) -> Any:
    """Ready masters of ``label`` without a ready fingerprint, oldest first."""
    ready = Fingerprint.objects.for_label(label).filter(
        master=OuterRef("pk"), status=Fingerprint.Status.READY
    )
    return (
        Master.objects.for_label(label)
        .filter(status=Master.Status.READY)
        .exclude(Exists(ready))
        .select_related("blob", "label", "recording")
        .order_by("created_at", "pk")
    )


def fingerprint_backfill(*, label: Label, actor: User | None) -> Job:
    """One job that fingerprints every ready master of ``label`` lacking a fingerprint."""
    with transaction.atomic():
        return job_create(
            label=label,
            kind=FINGERPRINT_BACKFILL,
            actor=actor,
            title=gettext_noop("Fingerprint the masters not fingerprinted yet"),
        )


def fingerprint_backfill_run(*, label: Label, job: Job, progress: Progress) -> dict[str, Any]:
    """The back-fill job. Each master is saved as soon as it is done, so a run that was
    killed and started again only does what is left; a master whose audio does not decode
    is recorded as failed and skipped (it is counted, not retried here)."""
    todo = list(masters_lacking_fingerprint(label=label).exclude(
        fingerprint__status=Fingerprint.Status.FAILED))  # fmt: skip
    done = failed = 0
    for index, master in enumerate(todo):
        progress(100 * index / max(len(todo), 1), master.original_name)
        try:
            fingerprint_compute(master=master, job=job)
            done += 1
        except UnreadableAudio:
            failed += 1
    return {"fingerprinted": done, "failed": failed}
