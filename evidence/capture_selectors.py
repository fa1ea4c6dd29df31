"""Reads about captures: lists, history of a URL, the diff with the previous capture."""

from __future__ import annotations

from django.db.models import QuerySet

from evidence.capture.text import TextDiff, text_diff
from evidence.models import Capture, CaptureSchedule
from optout.models import Label


def label_captures(*, label: Label, url: str | None = None) -> QuerySet[Capture]:
    captures = Capture.objects.for_label(label).select_related(
        "requested_by", "job", "label", "screenshot"
    )
    if url:
        captures = captures.filter(url=url)
    return captures.order_by("-created_at", "-id")


def capture_history(*, capture: Capture) -> QuerySet[Capture]:
    """Every capture of the same URL in the label, newest first (this one included)."""
    return label_captures(label=capture.label, url=capture.url)


def capture_diff(*, capture: Capture) -> TextDiff | None:
    """The text diff with the capture it was compared with; None for a first capture."""
    previous = capture.previous
    if previous is None or capture.status != Capture.Status.DONE:
        return None
    old = f"{previous.captured_at:%Y-%m-%d %H:%M:%S} UTC" if previous.captured_at else "previous"
    new = f"{capture.captured_at:%Y-%m-%d %H:%M:%S} UTC" if capture.captured_at else "this"
    return text_diff(previous.text, capture.text, old_name=old, new_name=new)


def capture_schedule_for(*, capture: Capture) -> CaptureSchedule | None:
    found: CaptureSchedule | None = (
        CaptureSchedule.objects.for_label(capture.label)
        .filter(url=capture.url, active=True)
        .first()
    )
    return found


def label_capture_schedules(*, label: Label) -> QuerySet[CaptureSchedule]:
    return CaptureSchedule.objects.for_label(label).filter(active=True).order_by("next_run_at")
