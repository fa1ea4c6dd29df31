"""The import preview in a real browser: map an unrecognised column, start, and the page
fits a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog.models import CatalogImport, Recording
from tests.conftest import PASSWORD, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "ISRC,Song,Interpret,Notes About The Session That Run Long,UPC\n"
    "SEABC2600001,Midnight Sun,Aurora Lind,recorded live in one take at the old church,"
    "036000291452\n"
)


def test_a_member_maps_a_column_in_the_preview_and_starts_the_import(
    team: Team, browser: Any, live_server: Any, tmp_path: Path
) -> None:
    source = tmp_path / "distributor.csv"
    source.write_text(CSV)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(team.a_r.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**/l/{team.label.slug}/")
        page.goto(f"/l/{team.label.slug}/catalog/imports/")
        page.set_input_files("input[type=file]", str(source))
        page.get_by_role("button", name="Import", exact=True).click()
        page.get_by_role("button", name="Start the import").wait_for()
        assert page.get_by_text("2 columns were not recognised").is_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"the preview scrolls sideways by {overflow}px on a phone"
        assert Recording.objects.for_label(team.label).count() == 0
        page.get_by_label("Interpret").select_option("artist")
        page.get_by_role("button", name="Start the import").click()
        page.get_by_text("The import has started.").wait_for()
        record = CatalogImport.objects.for_label(team.label).get()
        assert record.column_map == {"isrc": 0, "title": 1, "artist": 2, "upc": 4}
        assert not record.awaiting_confirmation
    finally:
        context.close()
