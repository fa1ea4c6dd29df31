"""Server-rendered waveforms: the stored envelope of the suspect and of the master drawn as
SVG, with the stretch they share marked, and the times the A/B players start and stop at.
No script draws anything: the page works as plain HTML."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from monitoring.models import Fingerprint, Suspect

WIDTH = 600
HEIGHT = 48


def waveform_svg(envelope: bytes, *, seconds: float, start: float, length: float) -> SafeString:
    """The envelope as mirrored bars, the stretch [start, start + length] highlighted.
    Only numbers go into the markup, so it is safe to mark as such."""
    points = len(envelope) or 1
    step = WIDTH / points
    middle = HEIGHT / 2
    bars = "".join(
        f"M{i * step:.1f} {middle - level * middle / 255:.1f}"
        f"V{middle + max(level, 2) * middle / 255:.1f}"
        for i, level in enumerate(envelope)
    )
    seconds = max(seconds, 0.001)
    x = min(max(start / seconds, 0.0), 1.0) * WIDTH
    width = min(max(length / seconds, 0.0), 1.0) * WIDTH
    width = min(width, WIDTH - x)
    # A screen reader hears what the picture shows: the stretch it highlights.
    label = escape(
        _("Waveform; the highlighted stretch runs from %(start)s s to %(end)s s")
        % {"start": f"{start:.1f}", "end": f"{start + length:.1f}"}
    )
    return mark_safe(  # noqa: S308 - numbers and an escaped label only
        f'<svg class="waveform" viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="none" '
        f'width="100%" height="{HEIGHT}" role="img" aria-label="{label}" focusable="false">'
        f'<rect class="stretch" x="{x:.1f}" y="0" width="{width:.1f}" height="{HEIGHT}" '
        f'fill="#f5c542" fill-opacity="0.45" data-start="{start:.2f}" data-length="{length:.2f}"/>'
        f'<path d="{bars}" fill="none" stroke="#3b5b8c" stroke-width="{max(step * 0.7, 0.5):.2f}"/>'
        f"</svg>"
    )


@dataclass(frozen=True)
class Comparison:
    """One matched (or alike) stretch: both waveforms and the A/B fragment times."""

    item: Any
    suspect_svg: SafeString
    master_svg: SafeString
    suspect_start: float
    suspect_end: float
    master_start: float
    master_end: float


def comparisons(suspect: Suspect, items: list[Any]) -> list[Comparison]:
    """For matches or leads (each with ``master``, ``suspect_offset``, ``master_offset``,
    ``length`` and, for a match, ``rate``): what the suspect page draws."""
    if not items:
        return []
    envelopes = dict(
        Fingerprint.objects.for_label(suspect.label)
        .filter(master__in=[item.master_id for item in items])
        .values_list("master_id", "envelope")
    )
    durations = dict(
        Fingerprint.objects.for_label(suspect.label)
        .filter(master__in=[item.master_id for item in items])
        .values_list("master_id", "duration_ms")
    )
    suspect_seconds = (suspect.duration_ms or 0) / 1000
    made = []
    for item in items:
        # A match's length is in master time; the suspect ran ``rate`` times as fast.
        rate = getattr(item, "rate", 1.0) or 1.0
        tempo = getattr(item, "tempo", 1.0) or 1.0
        suspect_length = item.length / rate / tempo
        master_seconds = (durations.get(item.master_id) or 0) / 1000
        made.append(
            Comparison(
                item=item,
                suspect_svg=waveform_svg(
                    bytes(suspect.envelope or b""),
                    seconds=suspect_seconds,
                    start=item.suspect_offset,
                    length=suspect_length,
                ),
                master_svg=waveform_svg(
                    bytes(envelopes.get(item.master_id) or b""),
                    seconds=master_seconds,
                    start=item.master_offset,
                    length=item.length,
                ),
                suspect_start=round(item.suspect_offset, 2),
                suspect_end=round(item.suspect_offset + suspect_length, 2),
                master_start=round(item.master_offset, 2),
                master_end=round(item.master_offset + item.length, 2),
            )
        )
    return made
