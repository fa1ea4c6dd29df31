"""Requesting captures: one now (a pending row and its job), again, or on a schedule."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evidence.models import Capture, CapturePurpose, CaptureSchedule
from optout.lib.fetch import FetchError, check_url
from optout.models import Label, User
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

CAPTURE_JOB = "evidence.capture"


class CaptureRefused(ValidationError):
    """The URL can never be fetched; ``reason`` is the fetcher's code (``host_not_allowed``…)."""

    def __init__(self, error: FetchError) -> None:
        super().__init__({"url": [error.message]}, code=error.code)
        self.reason = error.code
        self.detail = getattr(error, "reason", "")
        self.message_text = error.message


def capture_url_check(url: str) -> str:
    """The URL as it will be fetched, or ``CaptureRefused`` naming why it never could be."""
    try:
        return check_url(url or "").url
    except FetchError as exc:
        raise CaptureRefused(exc) from None


def _purpose(purpose: str) -> str:
    if purpose not in CapturePurpose.values:
        raise ValidationError(
            {
                "purpose": [
                    _("Choose one of: %(values)s.") % {"values": ", ".join(CapturePurpose.values)}
                ]
            },
            code="invalid",
        )
    return purpose


@transaction.atomic
def capture_request(
    *,
    label: Label,
    actor: User | None,
    url: str,
    purpose: str,
    note: str = "",
    trigger: str = Capture.Trigger.USER,
    schedule: CaptureSchedule | None = None,
    recapture_every_hours: int | None = None,
) -> Capture:
    """Write a pending capture and its job (queued when the caller's transaction commits).

    A URL the fetcher would refuse whatever the network says (scheme, syntax, a private
    address, a port) is refused here, and nothing is written.
    """
    normalised = capture_url_check(url)
    capture = Capture(
        label=label,
        url=normalised,
        purpose=_purpose(purpose),
        note=(note or "").strip(),
        trigger=trigger,
        schedule=schedule,
        requested_by=actor,
    )
    capture.full_clean(exclude=["label", "job", "schedule", "previous"], validate_unique=False)
    capture.save()
    capture.job = job_create(
        label=label,
        kind=CAPTURE_JOB,
        actor=actor,
        title=gettext_noop("Capture %(url)s"),
        title_args={"url": normalised[:280]},
        params={"capture": str(capture.code)},
    )
    capture.save(update_fields=["job"])
    ledger_append(
        label=label,
        actor=actor,
        action="capture.requested",
        subject=capture,
        data={"url": normalised, "purpose": capture.purpose, "trigger": trigger},
    )
    if recapture_every_hours is not None:
        capture_schedule_set(
            label=label,
            actor=actor,
            url=normalised,
            purpose=capture.purpose,
            interval_hours=recapture_every_hours,
        )
    return capture


def capture_recapture(*, capture: Capture, actor: User | None) -> Capture:
    """Capture the same URL again, for the same purpose."""
    return capture_request(
        label=capture.label,
        actor=actor,
        url=capture.url,
        purpose=capture.purpose,
        note=capture.note,
        trigger=Capture.Trigger.RECAPTURE,
    )


# --- schedules -----------------------------------------------------------------------------


@transaction.atomic
def capture_schedule_set(
    *, label: Label, actor: User | None, url: str, purpose: str, interval_hours: int | None
) -> CaptureSchedule | None:
    """Capture ``url`` every ``interval_hours`` from now on (None or 0 stops it)."""
    normalised = capture_url_check(url)
    current = (
        CaptureSchedule.objects.for_label(label)
        .select_for_update()
        .filter(url=normalised, active=True)
        .first()
    )
    if current is not None:
        current.active = False
        current.save(update_fields=["active", "updated_at"])
    if not interval_hours:
        if current is not None:
            ledger_append(
                label=label,
                actor=actor,
                action="capture.schedule_stopped",
                subject=current,
                data={"url": normalised},
            )
        return None
    schedule = CaptureSchedule(
        label=label,
        url=normalised,
        purpose=_purpose(purpose),
        interval_hours=interval_hours,
        next_run_at=timezone.now() + timedelta(hours=interval_hours),
        created_by=actor,
    )
    schedule.full_clean(exclude=["label"], validate_unique=False)
    schedule.save()
    ledger_append(
        label=label,
        actor=actor,
        action="capture.schedule_set",
        subject=schedule,
        data={"url": normalised, "purpose": purpose, "interval_hours": interval_hours},
    )
    return schedule


def captures_run_due(*, now: datetime | None = None, limit: int = 100) -> int:
    """Start the captures whose schedule is due (system code: every label's schedules).

    Each schedule is claimed with ``SKIP LOCKED`` and moved to its next time in the same
    transaction as the capture it starts, so two beats never start the same one twice.
    """
    now = now or timezone.now()
    started = 0
    for _attempt in range(limit):
        with transaction.atomic():
            schedule = (
                CaptureSchedule.objects.unscoped()
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("label")
                .filter(active=True, next_run_at__lte=now, label__is_active=True)
                .order_by("next_run_at")
                .first()
            )
            if schedule is None:
                break
            schedule.next_run_at = now + timedelta(hours=schedule.interval_hours)
            try:
                with transaction.atomic():
                    capture_request(
                        label=schedule.label,
                        actor=None,
                        url=schedule.url,
                        purpose=schedule.purpose,
                        trigger=Capture.Trigger.SCHEDULE,
                        schedule=schedule,
                    )
                started += 1
            except ValidationError as exc:
                # The URL is no longer allowed (the allowlist changed): stop, on the record.
                schedule.active = False
                ledger_append(
                    label=schedule.label,
                    actor=None,
                    action="capture.schedule_stopped",
                    subject=schedule,
                    data={"url": schedule.url, "reason": "; ".join(exc.messages)[:500]},
                )
            schedule.save(update_fields=["next_run_at", "active", "updated_at"])
    return started
