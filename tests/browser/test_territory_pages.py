"""The territory map and a release page in a real browser: a summary a screen or two long,
as wide as the window, details opened on demand; a new track is in view after adding it."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

from catalog.demo import seed_demo_catalog
from catalog.models import Recording, Release
from tests.conftest import PASSWORD, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _regions(team: Team) -> None:
    # The map's regions come from a data migration; a transactional test before this one
    # may have flushed them, so they are seeded again the way the migration does.
    seed = importlib.import_module("optout.policy.migrations.0007_seed_territories").seed
    seed(apps, None)


def _sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/l/**")


def _size(page: Any) -> tuple[int, int]:
    return (
        page.evaluate("document.documentElement.scrollWidth"),
        page.evaluate("document.documentElement.scrollHeight"),
    )


@pytest.mark.parametrize(("width", "tallest"), [(1280, 3500), (390, 5000)])
def test_the_territory_map_is_a_summary_with_details_on_demand(
    team: Team, page: Any, width: int, tallest: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, team.viewer.email)
    page.goto(f"/l/{team.label.slug}/policy/territories/")
    wide, tall = _size(page)
    assert wide <= width
    assert tall <= tallest  # the texts of twelve regions were 15,000 px
    tiles = page.locator(".region-map .region")
    assert tiles.count() == 12
    brazil = page.locator(".region-at-br")
    assert brazil.is_visible() and "Brazil" in brazil.inner_text()
    assert "missing" in brazil.inner_text()  # in words, not only in red
    # A region's details open on demand: from its tile, or by its summary line.
    details = page.locator("details.territory-details", has_text="Brazil")
    assert not details.evaluate("d => d.open")
    assert not page.get_by_text("Lei 9.610/1998").first.is_visible()
    brazil.get_by_role("link").click()
    page.wait_for_function("document.querySelector('#t-br').closest('details').open")
    assert page.get_by_text("Lei 9.610/1998").first.is_visible()
    assert _size(page)[0] <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_a_release_shows_its_tracks_first_and_keeps_a_new_track_in_view(
    team: Team, page: Any, width: int
) -> None:
    seed_demo_catalog(team.label, team.owner)
    release = Release.objects.for_label(team.label).get()
    Recording.objects.create(label=team.label, title="Polar Night", isrc="SEA1B2600077")
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, team.a_r.email)
    page.goto(f"/l/{team.label.slug}/catalog/releases/{release.code}/")
    tracks = page.locator("#child-tracks")
    checklist = page.locator("#checklist-heading")
    assert tracks.bounding_box()["y"] < checklist.bounding_box()["y"]
    assert _size(page)[0] <= width
    assert _size(page)[1] < 6000  # the territory texts were 14,000 px before the tracks

    form = page.locator("section", has=tracks)
    form.get_by_label("Recording").fill("SEA1B2600077")
    form.get_by_label("Track").fill("3")
    form.get_by_role("button", name="Add").click()
    page.wait_for_url("**#tracks-*")
    row = page.locator("li:target")
    assert "Polar Night" in row.inner_text()
    box = row.bounding_box()  # relative to the window
    assert page.evaluate("window.scrollY") > 0
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900  # in view
