"""URL suspects: a page on a loopback server whose <audio> points at a copy is fetched (only
the page and its audio), kept as a capture, and matched, once the operator allowed the host;
without that the URL is refused; a page without audio or a broken link fails with its
reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import Master
from evidence.models import Capture, Matter
from monitoring.models import Suspect
from monitoring.services.suspect_urls import audio_link
from optout.models import Job
from optout.services.blobs import blob_store_bytes
from tests.conftest import Team
from tests.monitoring.audio import ffmpeg, sox
from tests.monitoring.conftest import SEEDS, run_job
from tests.polling import assert_pollable
from tests.servers import FetchSettings, LoopbackServer, respond

pytestmark = pytest.mark.django_db

PAGE = """<!doctype html><html><head><title>New upload</title>
<meta property="og:audio" content="/media/other.mp3">
<link rel="stylesheet" href="/style.css"><script src="/app.js"></script></head>
<body><img src="/cover.png"><audio controls><source src="media/copy.mp3" type="audio/mpeg">
</audio></body></html>"""


AUDIO = ("Content-Type", "audio/mpeg")


def _post(team: Team, url: str) -> tuple[int, dict[str, object]]:
    endpoint = reverse("api:monitoring:suspects", kwargs={"slug": team.label.slug})
    client = team.client_for(team.rights)
    with transaction.atomic():
        response = client.post(endpoint, json.dumps({"url": url}), content_type="application/json")
    if response.status_code == 202:
        # Accepted: Location names the new suspect, which answers 202 until it is checked.
        assert_pollable(client, response, same_id=response.json()["id"])
    return response.status_code, response.json()


def test_a_page_with_audio_is_fetched_captured_and_matched_once_allowed(
    team: Team,
    catalog: Callable[[], dict[int, Master]],
    tracks: dict[int, Path],
    tmp_path: Path,
    http_server: LoopbackServer,
    fetch_settings: FetchSettings,
) -> None:
    clip = sox(tracks[SEEDS[2]], tmp_path / "clip.wav", "trim", "30", "30")
    copy = ffmpeg(clip, tmp_path / "copy.mp3", "-b:a", "128k")
    page_url = http_server.route("/songs/new-upload", respond(PAGE))
    http_server.route(
        "/songs/media/copy.mp3",
        respond(copy.read_bytes(), headers=[("Content-Type", "audio/mpeg")]),
    )
    # Not allowed: refused at once, nothing reaches the server, nothing is written.
    status, body = _post(team, page_url)
    assert status == 400, body
    assert "url" in body["error"]["fields"]  # type: ignore[index]
    assert http_server.hits() == 0
    assert not Suspect.objects.for_label(team.label).exists()

    masters = catalog()
    fetch_settings.allow(f"127.0.0.1:{http_server.port}")
    status, body = _post(team, page_url)
    assert status == 202, body
    suspect = Suspect.objects.for_label(team.label).get(code=body["id"])
    assert suspect.blob_id is None and suspect.url == page_url
    assert run_job(suspect.job).status == Job.Status.DONE
    suspect.refresh_from_db()
    assert suspect.status == Suspect.Status.DONE, suspect.problem
    assert suspect.audio_url == http_server.url("/songs/media/copy.mp3")
    assert suspect.blob is not None and suspect.blob.size == copy.stat().st_size
    [match] = suspect.matches.all()
    assert match.master_id == masters[SEEDS[2]].pk and abs(match.master_offset - 30) <= 1
    # Only the page and the <audio> it plays were downloaded: not its og:audio, images,
    # styles or scripts.
    assert http_server.hits("/songs/new-upload") == 1
    assert http_server.hits("/songs/media/copy.mp3") == 1
    assert http_server.hits() == 2
    # The page is kept as a capture (its own job fetches and renders it as evidence).
    capture = Capture.objects.for_label(team.label).get(pk=suspect.capture_id)
    assert capture.url == page_url and capture.purpose == "infringing_listing"
    detail = reverse("api:monitoring:suspect", kwargs={"slug": team.label.slug, "id": suspect.code})
    shown = team.client_for(team.viewer).get(detail).json()
    assert shown["capture"] == str(capture.code) and shown["url"] == page_url
    assert shown["audio_url"] == suspect.audio_url

    # Escalated once its capture has finished, the matter holds the capture of the page too
    # (its outputs stand in here: the capture job itself is tested in tests/evidence/).
    stand_in = blob_store_bytes(label=team.label, data=b"capture outputs", actor=None)
    Capture.objects.for_label(team.label).filter(pk=capture.pk).update(
        status=Capture.Status.DONE, warc=stand_in, provenance=stand_in, bundle=stand_in,
        captured_at=timezone.now(),
    )  # fmt: skip
    escalate = reverse(
        "api:monitoring:suspect-matter", kwargs={"slug": team.label.slug, "id": suspect.code}
    )
    with transaction.atomic():
        response = team.client_for(team.rights).post(escalate)
    assert response.status_code == 201, response.content
    matter = Matter.objects.for_label(team.label).get(code=response.json()["matter"])
    assert {item.source_key for item in matter.items.all()} == {"suspect", "capture", "master"}

    # A direct audio link: no page, no capture.
    status, body = _post(team, http_server.url("/songs/media/copy.mp3"))
    direct = Suspect.objects.for_label(team.label).get(code=body["id"])
    assert run_job(direct.job).status == Job.Status.DONE
    direct.refresh_from_db()
    assert direct.capture_id is None and direct.matches.count() == 1


def test_a_page_whose_only_audio_is_its_og_audio_tag_is_matched(
    team: Team,
    catalog: Callable[[], dict[int, Master]],
    tracks: dict[int, Path],
    tmp_path: Path,
    http_server: LoopbackServer,
    fetch_settings: FetchSettings,
) -> None:
    """A share page (as many sites serve them): no player in the HTML, only Open Graph tags."""
    clip = sox(tracks[SEEDS[1]], tmp_path / "clip.wav", "trim", "20", "30")
    copy = ffmpeg(clip, tmp_path / "shared.mp3", "-b:a", "128k")
    audio_url = http_server.route("/cdn/shared.mp3", respond(copy.read_bytes(), headers=[AUDIO]))
    share = f"""<!doctype html><html><head><title>Shared track</title>
<meta property="og:type" content="music.song">
<meta property="og:audio" content="{audio_url}">
<meta property="og:audio:type" content="audio/mpeg">
<meta property="og:image" content="/cover.jpg"></head>
<body><p>Listen in the app.</p></body></html>"""
    page_url = http_server.route("/share/abc", respond(share))
    masters = catalog()
    fetch_settings.allow(f"127.0.0.1:{http_server.port}")

    status, body = _post(team, page_url)
    assert status == 202, body
    suspect = Suspect.objects.for_label(team.label).get(code=body["id"])
    assert run_job(suspect.job).status == Job.Status.DONE
    suspect.refresh_from_db()
    assert suspect.status == Suspect.Status.DONE, suspect.problem
    assert suspect.audio_url == audio_url
    assert suspect.blob is not None and suspect.blob.size == copy.stat().st_size
    [match] = suspect.matches.all()
    assert match.master_id == masters[SEEDS[1]].pk and abs(match.master_offset - 20) <= 1
    assert http_server.hits("/share/abc") == 1 and http_server.hits("/cdn/shared.mp3") == 1
    assert http_server.hits() == 2  # not the cover image
    capture = Capture.objects.for_label(team.label).get(pk=suspect.capture_id)
    assert capture.url == page_url


@pytest.mark.parametrize("prop", ["og:audio", "og:audio:url", "og:audio:secure_url"])
def test_each_open_graph_audio_tag_names_the_audio(prop: str) -> None:
    page = f'<html><head><meta property="{prop}" content="../a/b.mp3"></head></html>'
    assert audio_link(page.encode(), "https://music.example/s/t/page") == (
        "https://music.example/s/a/b.mp3"
    )


def test_a_page_without_audio_or_a_broken_link_fails_with_its_reason(
    team: Team, http_server: LoopbackServer, fetch_settings: FetchSettings
) -> None:
    fetch_settings.allow(f"127.0.0.1:{http_server.port}")
    cases = {
        http_server.route("/plain", respond("<html><body><p>No music here</p></body></html>")): (
            "The page has no <audio> element or og:audio tag pointing at an audio file."
        ),
        http_server.route("/broken", respond('<html><audio src="/gone.mp3"></audio></html>')): (
            "answered with HTTP status 404"
        ),
        http_server.route("/garbage.mp3", respond(b"\x00" * 5000, headers=[AUDIO])): (
            "The file could not be decoded as audio."
        ),
    }  # fmt: skip
    for url, reason in cases.items():
        status, body = _post(team, url)
        assert status == 202, body
        suspect = Suspect.objects.for_label(team.label).get(code=body["id"])
        job = run_job(suspect.job)
        suspect.refresh_from_db()
        assert job.status == Job.Status.FAILED and suspect.status == Suspect.Status.FAILED
        assert reason in suspect.problem and reason in job.error
