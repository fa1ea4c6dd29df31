"""The import preview: columns are shown with the field each is read as, an unrecognised
column can be mapped or ignored, nothing is written before the member starts the import,
and the finished import links to what it created."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import CatalogImport, Recording, Release
from optout.models import Job, LedgerEntry
from optout.services.jobs import job_execute
from tests.conftest import Team

pytestmark = pytest.mark.django_db

# "Code" and "Song" are recognised; "Mystery Col" is not; "Interpret" (German for artist) is
# not either until the member maps it.
PREVIEW_CSV = (
    "ISRC,Song,Interpret,Mystery Col,UPC,Album Title\n"
    "SEABC2600001,Midnight Sun,Aurora Lind,x,036000291452,Nights\n"
    "SEABC2600002,Morning Star,Aurora Lind,y,036000291452,Nights\n"
)


def _upload(client: Any, team: Team, text: str, name: str = "catalog.csv") -> CatalogImport:
    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    response = client.post(
        reverse("catalog:imports", args=[team.label.slug]), {"file": upload, "format": "auto"}
    )
    assert response.status_code == 302, response.content
    record: CatalogImport = CatalogImport.objects.for_label(team.label).get()
    assert response["Location"] == reverse("catalog:import", args=[team.label.slug, record.code])
    return record


def test_the_preview_shows_the_mapping_and_writes_nothing_until_confirmed(team: Team) -> None:
    client = team.client_for(team.a_r)
    record = _upload(client, team, PREVIEW_CSV)
    assert record.awaiting_confirmation and Job.objects.for_label(team.label).count() == 0
    page = client.get(reverse("catalog:import", args=[team.label.slug, record.code]))
    text = page.content.decode()
    preview = page.context["preview"]
    read_as = {c.name: c.field for c in preview.columns}
    assert read_as == {
        "ISRC": "isrc",
        "Song": "title",
        "Interpret": "",
        "Mystery Col": "",
        "UPC": "upc",
        "Album Title": "release_title",
    }
    assert preview.unrecognised == 2 and "2 columns were not recognised" in text
    assert "Midnight Sun" in text and "Morning Star" in text  # the first rows, as samples
    assert Recording.objects.for_label(team.label).count() == 0
    # A viewer sees the preview but cannot start it.
    viewer = team.client_for(team.viewer)
    assert (
        viewer.get(reverse("catalog:import", args=[team.label.slug, record.code])).status_code
        == 200
    )
    confirm = reverse("catalog:import_confirm", args=[team.label.slug, record.code])
    assert viewer.post(confirm, {"col_0": "isrc"}).status_code == 403

    # Map "Interpret" to the artist, ignore the mystery column.
    choices = {f"col_{c.index}": c.field for c in preview.columns}
    choices["col_2"] = "artist"
    response = client.post(confirm, choices)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.column_map == {
        "isrc": 0,
        "title": 1,
        "artist": 2,
        "upc": 4,
        "release_title": 5,
    }
    started = LedgerEntry.objects.for_label(team.label).get(action="catalog.import.started")
    assert started.data["columns"]["artist"] == 2
    job_execute(code=str(record.job.code))
    first = Recording.objects.for_label(team.label).get(isrc="SEABC2600001")
    assert (first.title, first.display_artist) == ("Midnight Sun", "Aurora Lind")
    # Confirming twice starts nothing more.
    assert client.post(confirm, choices).status_code == 302
    assert Job.objects.for_label(team.label).count() == 1

    # The finished import links to what it created.
    done = client.get(reverse("catalog:import", args=[team.label.slug, record.code]))
    text = done.content.decode()
    assert "Created by this import" in text
    assert reverse("catalog:recording", args=[team.label.slug, first.code]) in text
    release = Release.objects.for_label(team.label).get()
    assert reverse("catalog:release", args=[team.label.slug, release.code]) in text
    assert "2 recordings" in text and "1 release" in text


def test_a_mapping_without_isrc_or_upc_or_with_a_field_twice_is_refused(team: Team) -> None:
    client = team.client_for(team.a_r)
    record = _upload(client, team, PREVIEW_CSV)
    confirm = reverse("catalog:import_confirm", args=[team.label.slug, record.code])
    twice = client.post(confirm, {"col_0": "isrc", "col_1": "title", "col_3": "title"})
    assert twice.status_code == 400
    assert "Two columns are mapped to “Title”" in twice.content.decode()
    neither = client.post(confirm, {"col_1": "title"})
    assert neither.status_code == 400
    assert "Map a column to ISRC or to UPC/EAN" in neither.content.decode()
    unknown = client.post(confirm, {"col_0": "isrc", "col_1": "favourite_colour"})
    assert unknown.status_code == 400
    record.refresh_from_db()
    assert record.awaiting_confirmation and Recording.objects.for_label(team.label).count() == 0


def test_a_ddex_message_starts_at_once_and_the_api_lists_only_started_imports(
    team: Team,
) -> None:
    client = team.client_for(team.a_r)
    waiting = _upload(client, team, PREVIEW_CSV)  # waits for its preview
    ddex = (Path(__file__).parent / "samples" / "ern43.xml").read_bytes()
    response = client.post(
        reverse("catalog:imports", args=[team.label.slug]),
        {
            "file": SimpleUploadedFile("message.xml", ddex, content_type="text/xml"),
            "format": "auto",
        },
    )
    assert response.status_code == 302
    started = CatalogImport.objects.for_label(team.label).exclude(pk=waiting.pk).get()
    assert not started.awaiting_confirmation and started.format == "ddex"
    listed = client.get(f"/api/v1/labels/{team.label.slug}/imports/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [str(started.code)]
    assert (
        client.get(f"/api/v1/labels/{team.label.slug}/imports/{waiting.code}/").status_code == 404
    )
    page = client.get(reverse("catalog:imports", args=[team.label.slug])).content.decode()
    assert "Waiting for your check" in page
