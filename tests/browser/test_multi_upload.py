"""Several masters by drag and drop in a real browser: real files dropped on the section,
matched by the ISRC in their tags or names, a preview where an unmatched file gets its
recording typed in, then each uploaded through the single upload."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from catalog.models import Master, Recording
from tests.catalog.masters.test_multi_upload import make_audio
from tests.conftest import PASSWORD, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DROP = """
async ([files]) => {
  const transfer = new DataTransfer();
  for (const [name, data] of files) {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name));
  }
  const zone = document.querySelector("[data-dropzone]");
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = { bubbles: true, cancelable: true, dataTransfer: transfer };
    zone.dispatchEvent(new DragEvent(type, init));
  }
}
"""


def _sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/l/**")


@pytest.mark.parametrize("width", [1280, 390])
def test_dropped_files_are_matched_previewed_and_uploaded(
    team: Team, page: Any, tmp_path: Path, width: int
) -> None:
    tagged = Recording.objects.create(label=team.label, title="Taggad", isrc="SEA1B2600001")
    named = Recording.objects.create(label=team.label, title="Namngiven", isrc="SEA1B2600002")
    typed = Recording.objects.create(label=team.label, title="Inskriven", isrc="SEA1B2600003")
    files = [
        ("take one.flac", make_audio(tmp_path / "a.flac", isrc="SEA1B2600001")),
        ("SE-A1B-26-00002 final.wav", make_audio(tmp_path / "b.wav")),
        ("mystery.wav", make_audio(tmp_path / "c.wav")),
    ]
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, team.a_r.email)
    page.goto(f"/l/{team.label.slug}/catalog/masters/")
    section = page.locator("#multi-upload")
    assert section.is_visible()
    page.evaluate(
        DROP, [[[name, base64.b64encode(path.read_bytes()).decode()] for name, path in files]]
    )
    rows = section.locator("tbody tr")
    rows.nth(2).wait_for()
    assert "SE-A1B-26-00001 (in its tags)" in rows.nth(0).inner_text()
    assert "Taggad" in rows.nth(0).inner_text() and "matched" in rows.nth(0).inner_text()
    assert "SE-A1B-26-00002 (in its name)" in rows.nth(1).inner_text()
    assert "no match" in rows.nth(2).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The preview is editable: the user names the third file's recording.
    rows.nth(2).get_by_label("mystery.wav").fill("SE-A1B-26-00003")
    section.get_by_role("button", name="Upload the matched files").click()
    for index in range(3):
        rows.nth(index).get_by_role("link", name="open").wait_for(timeout=30_000)
    masters = {m.original_name: m.recording_id for m in Master.objects.for_label(team.label)}
    assert masters == {
        "take one.flac": tagged.pk,
        "SE-A1B-26-00002 final.wav": named.pk,
        "mystery.wav": typed.pk,
    }
    assert all(
        m.size == dict(files)[m.original_name].stat().st_size
        for m in Master.objects.for_label(team.label)
    )
