"""Pickers search as you type in a real browser: the policy's catalog scope and a release's
track field suggest the label's records, and a record picked is added to the field."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.models import Recording, Release
from optout.policy.models import PolicyVersion
from tests.conftest import PASSWORD, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/l/**")


def test_the_policy_scope_picker_adds_a_recording_found_by_its_title(team: Team, page: Any) -> None:
    recording = Recording.objects.create(
        label=team.label, title="Nattens Ljus", isrc="SEA1B2600001"
    )
    Recording.objects.create(label=team.other_label, title="Nattens Ljus", isrc="SEA1B2600002")
    _sign_in(page, team.rights.email)
    page.goto(f"/l/{team.label.slug}/policy/draft/")
    field = page.locator('textarea[data-lookup="recordings"]')
    search = field.locator("xpath=following-sibling::input[@type='search']")
    search.fill("nattens")
    options = page.locator(f"#{search.get_attribute('list')} option")
    options.first.wait_for(state="attached")
    assert options.count() == 1  # the other label's recording is not offered
    assert options.first.get_attribute("value") == "SE-A1B-26-00001"
    assert "Nattens Ljus" in (options.first.get_attribute("label") or "")
    search.fill("SE-A1B-26-00001")  # what choosing the suggestion puts in the box
    assert field.input_value() == "SE-A1B-26-00001"
    assert search.input_value() == ""
    page.get_by_label("Applies to the whole catalog").uncheck()
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_load_state()
    draft = PolicyVersion.objects.for_label(team.label).get(status="draft")
    assert draft.scope_catalog["recordings"] == [str(recording.code)]


def test_a_track_field_suggests_recordings_and_still_takes_a_typed_isrc(
    team: Team, page: Any
) -> None:
    Recording.objects.create(label=team.label, title="Polar Night", isrc="SEA1B2600077")
    release = Release.objects.create(label=team.label, title="Polar", territories=[])
    _sign_in(page, team.a_r.email)
    page.goto(f"/l/{team.label.slug}/catalog/releases/{release.code}/")
    field = page.locator("#child-tracks").locator("xpath=..").get_by_label("Recording")
    field.fill("polar")
    options = page.locator(f"#{field.get_attribute('list')} option")
    options.first.wait_for(state="attached")
    assert options.first.get_attribute("value") == "SE-A1B-26-00077"
    field.fill("SEA1B2600077")
    page.locator("#child-tracks").locator("xpath=..").get_by_label("Track").fill("1")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url("**#tracks-*")
    assert release.tracks.count() == 1
