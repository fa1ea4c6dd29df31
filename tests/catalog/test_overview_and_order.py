"""The catalog overview counts every kind; title order; a release's artist from an import."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from catalog.entities import ENTITIES
from catalog.models import Recording, Release
from catalog.services.entities import catalog_changed
from optout.models import Job
from tests.catalog.test_imports import run_import, write
from tests.conftest import Team

pytestmark = pytest.mark.django_db


def test_the_overview_counts_every_kind_of_record(demo: Team) -> None:
    catalog_changed(label=demo.label)
    page = demo.client_for(demo.viewer).get(reverse("catalog:index", args=[demo.label.slug]))
    shown = {entity.key: count for entity, count in page.context["entities"]}
    for entity in ENTITIES.values():
        expected = entity.model.objects.for_label(demo.label).count()  # type: ignore[attr-defined]
        assert shown[entity.key] == expected, entity.key
    for key in ("consent", "contribution", "toolterm", "marketnote"):
        assert shown[key] >= 1, key  # the demo has one of each; the page used to show none
    text = page.content.decode()
    assert text.count('<p class="muted">') >= len(ENTITIES)


def test_titles_sort_without_regard_to_case_and_a_version_after_the_plain_title(
    team: Team,
) -> None:
    for title, version in (
        ("Midnight Sunrise", ""),
        ("Midnight Sun", "Acoustic"),
        ("midnight sun", "Remix"),
        ("Midnight Sun", ""),
        ("Zebra", ""),
    ):
        Recording.objects.create(label=team.label, title=title, version=version)
    client = team.client_for(team.viewer)
    url = reverse("catalog:recordings", args=[team.label.slug])
    seen = [str(r) for r in client.get(url, {"sort": "title"}).context["page"].items]
    assert seen == [
        "Midnight Sun",
        "Midnight Sun (Acoustic)",
        "midnight sun (Remix)",
        "Midnight Sunrise",
        "Zebra",
    ]
    backwards = [str(r) for r in client.get(url, {"sort": "-title"}).context["page"].items]
    assert backwards == list(reversed(seen))


def test_a_release_without_a_release_artist_column_takes_the_artist_its_tracks_share(
    team: Team, tmp_path: Path
) -> None:
    csv_text = (
        "ISRC,Title,Artist,UPC,Release Title\n"
        "SEABC2600001,One,Aurora Lind,036000291452,Shared\n"
        "SEABC2600002,Two,Aurora Lind,036000291452,Shared\n"
        "SEABC2600003,Three,Aurora Lind,4006381333931,Compilation\n"
        "SEABC2600004,Four,Other Band,4006381333931,Compilation\n"
    )
    record = run_import(team, write(tmp_path, "releases.csv", csv_text))
    assert record.job.status == Job.Status.DONE, record.job.error
    releases = Release.objects.for_label(team.label)
    assert releases.get(title="Shared").display_artist == "Aurora Lind"
    # Two artists: no release artist, rather than the last row's.
    assert releases.get(title="Compilation").display_artist == ""
