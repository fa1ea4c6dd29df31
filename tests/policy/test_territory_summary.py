"""The territory map and a release's checklist as a summary: a map of the regions coloured
by status and named in words, a region by required-signal table, and details folded."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from optout.policy.services.terms import terms_approve, terms_draft_save
from optout.policy.services.territories import territory_map, territory_matrix
from tests.conftest import Team

pytestmark = pytest.mark.django_db

REGIONS = 12


def _row(matrix: object, key: str) -> object:
    return next(r for r in matrix.rows if r.entry.key == key)  # type: ignore[attr-defined]


def test_the_matrix_gives_each_region_a_status_and_each_required_signal_a_cell(
    team: Team,
) -> None:
    matrix = territory_matrix(territory_map(label=team.label))
    kinds = [k for k, _name in matrix.columns]
    assert len(matrix.rows) == REGIONS
    assert "terms" in kinds and "contracts" in kinds and "ai_txt" not in kinds  # never required
    # No approved terms yet: every region asks for them, so every region misses one.
    assert matrix.counts == {"missing": REGIONS, "check": 0, "ok": 0}
    eu = _row(matrix, "eu-eea")
    assert eu.cells[kinds.index("terms")] == "missing"  # type: ignore[attr-defined]
    assert eu.cells[kinds.index("robots")] == "ok"  # type: ignore[attr-defined]
    assert eu.cells[kinds.index("partner_notices")] == ""  # type: ignore[attr-defined]

    terms_approve(
        draft=terms_draft_save(
            label=team.label, channel="website", language="en", actor=team.rights
        ),
        actor=team.owner,
    )
    matrix = territory_matrix(territory_map(label=team.label))
    status = {r.entry.key: r.entry.status for r in matrix.rows}
    assert status["eu-eea"] == "ok"  # every signal it requires comes from the policy
    assert status["us"] == "check"  # contracts and embedded tags are kept in the catalog
    assert status["br"] == "missing"  # terms in Brazilian Portuguese
    assert sum(matrix.counts.values()) == REGIONS
    assert matrix.counts["ok"] >= 1 and matrix.counts["check"] >= 1


def test_the_map_page_opens_with_the_summary_and_folds_the_details(team: Team) -> None:
    page = team.client_for(team.viewer).get(reverse("policy:territories", args=["label-a"]))
    html = page.content.decode()
    tiles = re.findall(r'<li class="region region-(\w+) region-at-([\w-]+)">', html)
    assert len(tiles) == REGIONS and {status for status, _key in tiles} == {"missing"}
    # Colour is not the only cue: each tile names its region and its status in words.
    assert re.search(r"<strong>Brazil</strong>\s*<span class=\"region-status\">1 missing", html)
    assert html.count('<th scope="row">') == REGIONS
    assert html.count('<details class="territory-details') == REGIONS
    assert "<details open" not in html
    # The summary comes first; the long texts only inside the folded details.
    assert (
        html.index("region-map") < html.index("territory-matrix") < html.index("territory-details")
    )
    assert html.index("Lei 9.610/1998") > html.index("territory-details")


def test_a_release_page_lists_its_tracks_before_the_territory_summary(team: Team) -> None:
    from catalog.demo import seed_demo_catalog
    from catalog.models import Release

    seed_demo_catalog(team.label, team.owner)
    release = Release.objects.for_label(team.label).get()
    page = team.client_for(team.viewer).get(
        reverse("catalog:release", args=["label-a", release.code])
    )
    html = page.content.decode()
    assert html.index('id="child-tracks"') < html.index('id="checklist-heading"')
    assert html.index('id="checklist-heading"') < html.index('class="territory-matrix"')
    assert 'class="region-map"' not in html  # the release shows the table, not the map
    assert html.count('<details class="territory-details') == REGIONS  # Worldwide
    assert page.context["territory_checklist"].matrix.counts["missing"] == REGIONS


def test_adding_a_track_returns_to_the_new_row(team: Team) -> None:
    from catalog.demo import seed_demo_catalog
    from catalog.models import Recording, Release

    seed_demo_catalog(team.label, team.owner)
    release = Release.objects.for_label(team.label).get()
    Recording.objects.create(label=team.label, title="Polar Night", isrc="SEA1B2600077")
    client = team.client_for(team.a_r)
    url = reverse("catalog:release", args=["label-a", release.code])
    response = client.post(
        reverse("catalog:release_tracks_add", args=["label-a", release.code]),
        {
            "tracks-recording": "SE-A1B-26-00077",
            "tracks-disc_number": "1",
            "tracks-track_number": "3",
        },
    )
    track = release.tracks.get(track_number=3)
    assert response.status_code == 302
    assert response["Location"] == f"{url}#tracks-{track.code}"
    assert f'<li id="tracks-{track.code}">' in client.get(url).content.decode()
    # A refused track comes back with the form in view, its error named.
    refused = client.post(
        reverse("catalog:release_tracks_add", args=["label-a", release.code]),
        {
            "tracks-recording": "SE-ZZZ-26-99999",
            "tracks-disc_number": "1",
            "tracks-track_number": "4",
        },
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert '/tracks/#child-tracks"' in html
    assert "No recording of this label matches" in html
