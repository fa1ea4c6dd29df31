"""“Download all tagged copies of this release”: a job builds one ZIP of every track's
current rights-tagged copy (stored, byte for byte), lists the tracks without one, and the
release page links it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from django.urls import reverse

from catalog.models import Master, MasterTaggedCopy, Recording, Release, ReleaseTrack
from optout.models import Job, LedgerEntry
from optout.services.blobs import blob_open
from tests.catalog.masters.conftest import body_of, run_job
from tests.conftest import Team

pytestmark = pytest.mark.django_db


def _tagged_copy(team: Team, master: Master) -> MasterTaggedCopy:
    url = reverse("api:catalog:master-tagged", kwargs={"slug": team.label.slug, "id": master.code})
    started = team.client_for(team.owner).post(url)
    assert started.status_code == 202
    run_job(Job.objects.for_label(team.label).get(code=started.json()["job"]["id"]))
    copy: MasterTaggedCopy = MasterTaggedCopy.objects.for_label(team.label).get(
        code=started.json()["id"]
    )
    assert copy.status == MasterTaggedCopy.Status.READY
    return copy


def test_one_zip_holds_every_current_tagged_copy_and_names_the_missing(
    team: Team, recording: Recording, uploaded: Callable[..., Master]
) -> None:
    copy = _tagged_copy(team, uploaded("flac", process=True))
    release = Release.objects.for_label(team.label).get()
    silent = Recording.objects.create(label=team.label, title="Utan master", isrc="SEABC2600009")
    ReleaseTrack.objects.create(label=team.label, release=release, recording=silent, track_number=2)
    viewer = team.client_for(team.viewer)
    page = reverse("catalog:release", args=[team.label.slug, release.code])
    assert "Download all tagged copies as one ZIP" in viewer.get(page).content.decode()

    started = viewer.post(
        reverse("catalog:release_tagged_zip", args=[team.label.slug, release.code])
    )
    assert started.status_code == 302 and started["Location"] == f"{page}#tagged-zip"
    job = run_job(Job.objects.for_label(team.label).get(kind="catalog.release_tagged_zip"))
    assert job.status == Job.Status.DONE, job.error
    assert job.result["missing"] == [{"track": "1-02", "title": "Utan master"}]

    html = viewer.get(page).content.decode()
    download = reverse(
        "catalog:release_tagged_zip_download", args=[team.label.slug, release.code, job.code]
    )
    assert download in html and "1 track without one" in html
    response = viewer.get(download)
    assert response.status_code == 200
    assert "Nattens Ljus (rights metadata).zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(body_of(response)))
    assert archive.testzip() is None
    names = archive.namelist()
    # Track order first; the name is made safe for every unzip tool.
    assert names[0].startswith("1-01-") and names[0].endswith("-rights-metadata.flac")
    assert names[1:] == ["MISSING.txt"]
    assert copy.blob is not None
    with blob_open(copy.blob) as handle:
        assert archive.read(names[0]) == handle.read()  # the tagged copy, byte for byte
    assert archive.getinfo(names[0]).compress_type == zipfile.ZIP_STORED
    assert "1-02  Utan master" in archive.read("MISSING.txt").decode()
    entry = LedgerEntry.objects.for_label(team.label).get(action="release.tagged_zip_built")
    assert entry.data["included"] == 1 and entry.data["missing"] == 1
    assert entry.data["job"] == str(job.code)


def test_a_release_without_any_tagged_copy_fails_with_the_reason(
    team: Team, recording: Recording
) -> None:
    release = Release.objects.for_label(team.label).get()
    client = team.client_for(team.a_r)
    client.post(reverse("catalog:release_tagged_zip", args=[team.label.slug, release.code]))
    job = run_job(Job.objects.for_label(team.label).get(kind="catalog.release_tagged_zip"))
    assert job.status == Job.Status.FAILED
    assert "No track of this release has a rights-tagged copy yet" in job.error
    empty = Release.objects.create(label=team.label, title="Tom")
    response = client.post(
        reverse("catalog:release_tagged_zip", args=[team.label.slug, empty.code]), follow=True
    )
    assert "This release has no tracks yet." in response.content.decode()


def test_another_labels_release_zip_is_not_found(team: Team, recording: Recording) -> None:
    release = Release.objects.for_label(team.label).get()
    outsider = team.client_for(team.outsider)
    url = reverse("catalog:release_tagged_zip", args=[team.label.slug, release.code])
    assert outsider.post(url).status_code == 404
