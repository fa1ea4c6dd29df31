"""Helpers for the fan report tests: a released and an unreleased part of the catalogue."""

from __future__ import annotations

from datetime import date, timedelta

from django.test import Client

from catalog.models import Recording, Release, ReleaseTrack
from optout.models import Label

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def public_catalog(label: Label) -> None:
    released = Release.objects.create(
        label=label, title="Northern Lights", display_artist="Aurora Fjell",
        release_date=date(2025, 5, 1),
    )  # fmt: skip
    song = Recording.objects.create(
        label=label, title="Midnight Sun", display_artist="Aurora Fjell"
    )
    ReleaseTrack.objects.create(label=label, release=released, recording=song, track_number=1)
    upcoming = Release.objects.create(
        label=label, title="Secret Session", display_artist="Hidden Artist",
        release_date=date.today() + timedelta(days=30),
    )  # fmt: skip
    demo = Recording.objects.create(
        label=label, title="Midnight Demo", display_artist="Hidden Artist"
    )
    ReleaseTrack.objects.create(label=label, release=upcoming, recording=demo, track_number=1)
    Recording.objects.create(label=label, title="Midnight Unreleased", display_artist="Nobody")


def report_data(**values: object) -> dict[str, object]:
    return {
        "url": "https://www.videos.example/watch?v=abc123&utm_source=share",
        "kind": "voice_clone",
        "subject": "Aurora Fjell",
        "email": "",
        "website": "",
        **values,
    }


def submit(client: Client, slug: str, **values: object) -> tuple[int, str]:
    """Post the public form; returns the status and, after a redirect, the status page path."""
    response = client.post(f"/r/{slug}/", report_data(**values))
    return response.status_code, response.get("Location", "")
