"""Rights-tagged copies: a new blob with the catalog's rights metadata, the audio untouched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from catalog.audio import payload_sha256, probe
from catalog.audio.tagmap import mutagen
from catalog.models import Master, MasterTaggedCopy, Recording
from catalog.services.tagging import rights_metadata_for
from optout.models import Blob, Job, LedgerEntry
from optout.policy.services.signing import reservation_for_embedding
from tests.catalog.audio.conftest import decoded_md5, ffprobe_tags
from tests.catalog.masters.conftest import (
    body_of,
    give_signing_credential,
    run_job,
    sha256sum,
    stored_path,
)
from tests.conftest import Team
from tests.evidence.tsa import LocalTsa
from tests.policy.pki import Credential, c2pa_read
from tests.polling import assert_pollable

pytestmark = pytest.mark.django_db

ITUNES = "----:com.apple.iTunes:"
File: Any = mutagen("_file").File


def tagged_url(team: Team, master: Master) -> str:
    return reverse("api:catalog:master-tagged", kwargs={"slug": team.label.slug, "id": master.code})


def _download(response: Any, target: Path) -> Path:
    target.write_bytes(body_of(response))
    return target


def _mutagen_isrc(path: Path, fmt: str) -> list[str]:
    audio = File(path)
    tags = audio.tags
    if fmt in ("flac", "ogg", "opus"):
        return list(tags["ISRC"])
    if fmt == "m4a":
        return [bytes(v).decode() for v in tags[f"{ITUNES}ISRC"]]
    return list(tags["TSRC"].text)


def _mutagen_note(path: Path, fmt: str) -> str:
    tags = File(path).tags
    if fmt in ("flac", "ogg", "opus"):
        return str(tags["RIGHTS_RESERVATION"][0])
    if fmt == "m4a":
        return bytes(tags[f"{ITUNES}RIGHTS_RESERVATION"][0]).decode()
    return str(tags["USER:eng"].text)


@pytest.mark.parametrize(
    "fmt", ["wav16", "bwf", "rf64", "aiff", "flac", "mp3", "ogg", "opus", "m4a"]
)
def test_a_tagged_copy_carries_the_rights_metadata_and_the_same_audio(
    fmt: str,
    team: Team,
    uploaded: Callable[..., Master],
    samples: dict[str, Path],
    tmp_path: Path,
    _media_root: Path,
) -> None:
    master = uploaded(fmt, process=True)
    client = team.client_for(team.a_r)
    started = client.get(tagged_url(team, master))
    assert started.status_code == 202, started.content
    # The client polls the URL the answer names: the same one, until it answers the file.
    assert started["Location"] == f"http://testserver{tagged_url(team, master)}"
    body = started.json()
    assert assert_pollable(client, started, same_id=body["id"]).status_code == 202
    assert body["status"] == "pending" and body["job"]["kind"] == "catalog.master_tag"
    copy = MasterTaggedCopy.objects.for_label(team.label).get(code=body["id"])
    job = run_job(copy.job)
    assert job.status == Job.Status.DONE, job.error

    response = client.get(tagged_url(team, master))
    assert response.status_code == 200
    stem = samples[fmt].stem
    assert response["Content-Disposition"] == (
        f'attachment; filename="{stem} (rights metadata){samples[fmt].suffix}"'
    )
    path = _download(response, tmp_path / f"tagged{samples[fmt].suffix}")

    # The audio is byte for byte the same; the original blob was not touched.
    assert payload_sha256(path) == master.payload_sha256 == payload_sha256(samples[fmt])
    assert decoded_md5(path) == decoded_md5(samples[fmt])
    assert sha256sum(stored_path(_media_root, master.received_sha256)) == master.received_sha256
    copy.refresh_from_db()
    assert copy.blob is not None and copy.blob.sha256 == sha256sum(path) != master.received_sha256

    embedding = reservation_for_embedding(label=team.label)
    assert embedding is not None
    note = embedding.note  # the reservation policy in force says it
    assert note.startswith("All rights reserved. No AI/ML training")
    info = probe(path)
    assert info.common["isrc"] == ["SEABC2600001"]
    # AIFF keeps its own NAME text chunk (the source's old title) beside the new ID3 title.
    assert "Nattens Ljus" in info.common["title"]
    assert info.common["artist"] == ["Åsa Exempel"]
    tags = ffprobe_tags(path)
    if fmt in ("wav16", "bwf", "rf64"):
        # ffprobe reads the bext chunk of WAV files (and then ignores their ID3 chunk).
        assert tags["COMMENT"] == note
        assert tags["ORIGINATOR_REFERENCE"] == "SEABC2600001"
        assert tags["ENCODED_BY"] == "Label A"
    else:
        # ffprobe names the ID3 frame by its id, the other tag systems by the field name.
        assert tags.get("ISRC", tags.get("TSRC")) == "SEABC2600001"
        assert "2026 Label A AB" in tags["COPYRIGHT"]
    if fmt != "rf64":  # mutagen cannot open RF64
        assert _mutagen_isrc(path, fmt) == ["SEABC2600001"]
        assert note in _mutagen_note(path, fmt)

    made = LedgerEntry.objects.for_label(team.label).get(action="master.tagged_copy_made")
    assert made.sha256 == copy.blob.sha256
    assert made.data["master"] == str(master.code)
    assert made.data["payload_sha256"] == master.payload_sha256
    downloaded = LedgerEntry.objects.for_label(team.label).filter(action="blob.downloaded")
    assert [e.sha256 for e in downloaded] == [copy.blob.sha256]


def test_the_metadata_comes_from_the_recording_work_release_and_label(
    team: Team, recording: Recording, uploaded: Callable[..., Master]
) -> None:
    master = uploaded("flac", process=True)
    metadata = rights_metadata_for(master=master).as_request()
    embedding = reservation_for_embedding(label=team.label)
    assert embedding is not None
    assert metadata == {
        "isrc": "SEABC2600001",
        "iswc": "T-034.524.680-1",
        "title": "Nattens Ljus",
        "artist": "Åsa Exempel",
        "p_line": "2026 Label A AB",
        "c_line": "2026 Label A AB",
        "rights_holder": "Label A AB",
        "label_name": "Label A",
        "contact_email": "rights@label-a.example",
        "terms_url": "https://label-a.example/ai-licensing",
        "reservation_note": embedding.note,
        "year": "2026",
    }


def test_the_same_metadata_reuses_the_copy_and_changed_metadata_makes_a_new_one(
    team: Team, recording: Recording, uploaded: Callable[..., Master]
) -> None:
    master = uploaded("mp3", process=True)
    client = team.client_for(team.owner)
    first = client.post(tagged_url(team, master))
    assert first.status_code == 202
    assert_pollable(client, first, same_id=first.json()["id"])
    run_job(Job.objects.for_label(team.label).get(code=first.json()["job"]["id"]))
    again = client.post(tagged_url(team, master))
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert MasterTaggedCopy.objects.for_label(team.label).count() == 1
    assert Job.objects.for_label(team.label).filter(kind="catalog.master_tag").count() == 1

    recording.title = "Nattens Ljus (ny titel)"
    recording.save()
    changed = client.get(tagged_url(team, master))
    assert changed.status_code == 202
    assert changed.json()["id"] != first.json()["id"]
    assert changed.json()["metadata"]["title"] == "Nattens Ljus (ny titel)"


def test_viewers_download_ready_copies_but_cannot_start_one(
    team: Team, uploaded: Callable[..., Master]
) -> None:
    master = uploaded("wav16", process=True)
    viewer = team.client_for(team.viewer)
    missing = viewer.get(tagged_url(team, master))
    assert missing.status_code == 409
    assert missing.json()["error"]["code"] == "not_made"
    assert viewer.post(tagged_url(team, master)).status_code == 403
    assert not MasterTaggedCopy.objects.for_label(team.label).exists()

    started = team.client_for(team.a_r).get(tagged_url(team, master))
    assert viewer.get(tagged_url(team, master)).status_code == 202  # being made
    run_job(Job.objects.for_label(team.label).get(code=started.json()["job"]["id"]))
    assert viewer.get(tagged_url(team, master)).status_code == 200


def test_a_master_that_is_not_ready_cannot_be_tagged(
    team: Team, uploaded: Callable[..., Master]
) -> None:
    master = uploaded("wav16")
    response = team.client_for(team.a_r).post(tagged_url(team, master))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_ready"


def test_catalog_values_that_cannot_be_tags_are_field_errors(
    team: Team, recording: Recording, uploaded: Callable[..., Master]
) -> None:
    master = uploaded("flac", process=True)
    recording.p_line = "Label A AB"  # no year, and the release has no date either
    recording.save()
    recording.release_tracks.get().release.__class__.objects.for_label(team.label).update(
        release_date=None, p_line=""
    )
    team.label.contact_email = "not an address"
    team.label.save()
    response = team.client_for(team.a_r).post(tagged_url(team, master))
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"p_line", "contact_email"}
    assert "year" in fields["p_line"][0]
    page = team.client_for(team.a_r).get(
        reverse("catalog:master", kwargs={"slug": team.label.slug, "code": master.code})
    )
    assert "cannot be written into tags" in page.content.decode()
    assert not MasterTaggedCopy.objects.for_label(team.label).exists()


def test_the_page_makes_a_copy_and_offers_its_download(
    team: Team, uploaded: Callable[..., Master], samples: dict[str, Path]
) -> None:
    master = uploaded("aiff", process=True)
    client = team.client_for(team.a_r)
    url = reverse("catalog:master", kwargs={"slug": team.label.slug, "code": master.code})
    assert "Make a copy with rights metadata" in client.get(url).content.decode()
    response = client.post(
        reverse("catalog:master_tag", kwargs={"slug": team.label.slug, "code": master.code})
    )
    assert response.status_code == 302 and response["Location"] == f"{url}#tagged"
    copy = MasterTaggedCopy.objects.for_label(team.label).get()
    polling = client.get(f"{url}?part=live", HTTP_HX_REQUEST="true")
    assert polling.status_code == 200 and "Being made" in polling.content.decode()

    run_job(copy.job)
    done = client.get(f"{url}?part=live", HTTP_HX_REQUEST="true")
    assert done.status_code == 286
    download_url = reverse(
        "catalog:master_tagged_download",
        kwargs={"slug": team.label.slug, "code": master.code, "copy": copy.code},
    )
    assert download_url in done.content.decode()
    download = team.client_for(team.viewer).get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "audio/x-aiff" or download["Content-Type"].startswith(
        "audio/"
    )
    data = body_of(download)
    assert data != samples["aiff"].read_bytes()
    assert Blob.objects.for_label(team.label).count() == 2


def _signed_copy(
    team: Team, uploaded: Callable[..., Master], fmt: str, folder: Path
) -> tuple[Credential, Master, MasterTaggedCopy, Path]:
    """A label with a C2PA credential makes a tagged copy of a new master; the download."""
    credential = give_signing_credential(team)
    master = uploaded(fmt, process=True)
    client = team.client_for(team.a_r)
    started = client.get(tagged_url(team, master))
    copy = MasterTaggedCopy.objects.for_label(team.label).get(code=started.json()["id"])
    job = run_job(copy.job)
    assert job.status == Job.Status.DONE, job.error
    copy.refresh_from_db()
    path = _download(client.get(tagged_url(team, master)), folder / f"copy.{fmt}")
    return credential, master, copy, path


@pytest.mark.parametrize(("fmt", "expected"), [("wav16", "signed"), ("ogg", "unsupported_format")])
def test_a_label_with_a_c2pa_credential_gets_signed_copies_with_the_same_audio(
    fmt: str,
    expected: str,
    team: Team,
    uploaded: Callable[..., Master],
    tmp_path: Path,
) -> None:
    from optout.lib.c2pa import read_manifest

    _credential, master, copy, path = _signed_copy(team, uploaded, fmt, tmp_path)
    assert copy.result["c2pa"] == expected
    assert payload_sha256(path) == master.payload_sha256
    report = read_manifest(path)
    if expected == "signed":
        assert report is not None and report.validation_state == "Valid"
        entries = report.assertions["cawg.training-mining"]["entries"]
        assert entries["cawg.ai_training"] == {"use": "notAllowed"}
        assert report.assertions["c2pa.training-mining"]["entries"]["c2pa.ai_training"] == {
            "use": "notAllowed"
        }
        assert probe(path).common["isrc"] == ["SEABC2600001"]  # the tags survived signing
    else:
        assert report is None


def test_a_signed_copy_is_timestamped_by_the_labels_tsa_and_derived_from_the_master(
    team: Team, uploaded: Callable[..., Master], tmp_path: Path, local_tsa: LocalTsa
) -> None:
    from evidence.services.settings import evidence_settings_update

    evidence_settings_update(
        label=team.label, actor=team.owner, tsa_url=local_tsa.url, tsa_certificates=local_tsa.ca_pem
    )
    pki, master, _copy, path = _signed_copy(team, uploaded, "wav16", tmp_path)
    assert local_tsa.requests() == 1

    read = c2pa_read(path, "audio/wav", trust=[pki.ca_pem, local_tsa.ca_pem.encode()])
    assert read["state"] == "Trusted" and read["results"].get("failure", []) == []
    assert "timeStamp.validated" in {s["code"] for s in read["results"]["success"]}
    (parent,) = read["active"]["ingredients"]
    assert parent["title"] == master.original_name and parent["relationship"] == "parentOf"
    actions = next(
        a["data"]["actions"]
        for a in read["active"]["assertions"]
        if a["label"] == "c2pa.actions.v2"
    )
    assert [a["action"] for a in actions] == ["c2pa.opened", "c2pa.edited"]
