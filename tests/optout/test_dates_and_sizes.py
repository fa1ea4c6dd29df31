"""One date format per language and one size unit everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from catalog.demo import seed_demo_catalog
from catalog.entities import ENTITIES
from optout.lib.sizes import size_display
from tests.conftest import Team

RAW_DATETIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\.\d+")
UPLOAD_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "upload.js"


def test_sizes_are_decimal_megabytes_in_the_readers_number_format() -> None:
    assert size_display(34_600_000) == "34.6 MB"  # what the upload said, and now the page too
    assert size_display(999) == "999 B"
    assert size_display(1_500) == "1.5 kB"
    assert size_display(2_000_000_000) == "2.0 GB"
    with translation.override("sv"):
        assert size_display(34_600_000) == "34,6 MB"
    # The upload progress counts the same way (1000 bytes a kilobyte, the same unit names).
    script = UPLOAD_JS.read_text()
    assert 'var UNITS = ["B", "kB", "MB", "GB", "TB"];' in script
    assert "value >= 1000" in script and "1024" not in script


@pytest.mark.django_db
def test_no_catalog_page_shows_a_raw_timestamp_in_either_language(team: Team) -> None:
    seed_demo_catalog(team.label, team.owner)
    client = team.client_for(team.viewer)
    for language in ("en", "sv"):
        client.cookies["django_language"] = language
        for entity in ENTITIES.values():
            obj = entity.model.objects.for_label(team.label).first()  # type: ignore[attr-defined]
            url = reverse(f"catalog:{entity.key}", args=[team.label.slug, obj.code])
            text = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            assert not RAW_DATETIME.search(text), (language, entity.key)
            assert "\x01" not in text  # the list order's sort key is not a fact to show
        with translation.override(language):
            from django.utils.formats import get_format

            assert get_format("SHORT_DATE_FORMAT") == get_format("DATE_FORMAT")
            assert get_format("SHORT_DATETIME_FORMAT") == get_format("DATETIME_FORMAT")
