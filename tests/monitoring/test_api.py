"""The suspects API: upload (multipart), 202 while the check runs, matches, escalation to a
matter with the evidence, index status; roles and another label's objects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from catalog.models import Master
from evidence.models import Matter
from monitoring.models import Suspect
from optout.models import LedgerEntry
from tests.conftest import Team
from tests.monitoring.audio import ffmpeg
from tests.monitoring.conftest import SEEDS, run_job
from tests.polling import assert_pollable

pytestmark = pytest.mark.django_db


def url(team: Team, name: str, **kwargs: Any) -> str:
    return reverse(f"api:monitoring:{name}", kwargs={"slug": team.label.slug, **kwargs})


def post_file(client: Any, target: str, path: Path) -> Any:
    with path.open("rb") as handle:
        return client.post(target, {"file": handle})


def test_submit_check_and_escalate(
    team: Team,
    catalog: Callable[[], dict[int, Master]],
    tracks: dict[int, Path],
    tmp_path: Path,
) -> None:
    masters = catalog()
    copy = ffmpeg(tracks[SEEDS[1]], tmp_path / "found on a site.mp3", "-b:a", "128k")
    client = team.client_for(team.rights)
    response = post_file(client, url(team, "suspects"), copy)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending" and body["job"]["status"] == "pending"
    assert body["original_name"] == "found on a site.mp3" and body["media_type"] == "audio/mpeg"
    suspect = Suspect.objects.for_label(team.label).get(code=body["id"])
    assert LedgerEntry.objects.for_label(team.label).filter(action="suspect.received").count() == 1
    detail = url(team, "suspect", id=suspect.code)
    assert response["Location"] == f"http://testserver{detail}"
    assert assert_pollable(client, response, same_id=body["id"]).status_code == 202
    # The detail's own 202 names itself again, for any member who may read it.
    viewer = team.client_for(team.viewer)
    assert_pollable(viewer, viewer.get(detail), same_id=body["id"])

    run_job(suspect.job)
    response = team.client_for(team.counsel).get(detail)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "done" and body["job"]["status"] == "done"
    [match] = body["matches"]
    master = masters[SEEDS[1]]
    assert match["recording"] == str(master.recording.code)
    assert match["isrc"] == master.recording.isrc and match["master"] == str(master.code)
    assert match["speed"] == 1.0 and match["length"] > 60 and match["score"] > 0.95
    listed = team.client_for(team.a_r).get(url(team, "suspects")).json()
    assert [s["id"] for s in listed["results"]] == [str(suspect.code)]

    # Counsel reads but may not escalate; the rights member does.
    escalate = url(team, "suspect-matter", id=suspect.code)
    assert team.client_for(team.counsel).post(escalate).status_code == 403
    response = client.post(escalate)
    assert response.status_code == 201, response.content
    matter = Matter.objects.for_label(team.label).get(code=response.json()["matter"])
    items = {item.source_key: item for item in matter.items.all()}
    assert set(items) == {"suspect", "master"}
    assert items["suspect"].blob_id == suspect.blob_id
    assert items["master"].blob_id == master.blob_id
    assert list(matter.recordings.all()) == [master.recording]
    again = client.post(escalate)
    assert again.status_code == 409 and "already in a matter" in again.content.decode()

    status = team.client_for(team.viewer).get(url(team, "fingerprints")).json()
    assert status.pop("version") >= 3  # one step per fingerprint stored, at least
    assert status == {"masters_ready": 3, "fingerprinted": 3, "pending": 0, "failed": 0,
                      "failures": [], "missing": 0, "indexed_recordings": 3}  # fmt: skip


def test_uploads_need_the_rights_capability_and_a_non_empty_file(
    team: Team, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    for role in ("a_r", "counsel", "viewer"):
        response = post_file(team.client_for(team.members[role]), url(team, "suspects"), empty)
        assert response.status_code == 403
    response = post_file(team.client_for(team.owner), url(team, "suspects"), empty)
    assert response.status_code == 400
    assert "empty" in response.json()["error"]["fields"]["file"][0]
    assert not Suspect.objects.for_label(team.label).exists()


def test_a_suspect_without_matches_cannot_be_escalated(
    team: Team, catalog: Callable[[], dict[int, Master]], tmp_path: Path
) -> None:
    catalog()
    silence = tmp_path / "hum.wav"
    from tests.monitoring.audio import run

    run("sox", "-n", "-r", "22050", str(silence), "synth", "20", "sine", "50")
    response = post_file(team.client_for(team.rights), url(team, "suspects"), silence)
    suspect = Suspect.objects.for_label(team.label).get(code=response.json()["id"])
    run_job(suspect.job)
    escalate = url(team, "suspect-matter", id=suspect.code)
    response = team.client_for(team.rights).post(escalate)
    assert response.status_code == 409
    assert "matched no recording" in response.content.decode()
