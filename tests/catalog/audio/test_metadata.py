from __future__ import annotations

import pytest

from catalog.audio import RightsMetadata, RightsMetadataError


def test_it_normalises_identifiers_and_lines():
    metadata = RightsMetadata(
        isrc="isrc us-rc1-76-07839",
        iswc="T-034.524.680-1",
        c_line="© 2026 Example Records Ltd",
        p_line="Example Records Ltd",
        year="2025",
        terms_url="https://label.example/villkor/ä",
        language="SWE",
        title="  Nattens Ljus  ",
    )
    assert metadata.isrc == "USRC17607839"
    assert metadata.iswc == "T-034.524.680-1"
    assert metadata.c_line == "2026 Example Records Ltd"
    assert metadata.p_line == "2025 Example Records Ltd"
    assert metadata.terms_url == "https://label.example/villkor/%C3%A4"
    assert metadata.language == "swe"
    assert metadata.title == "Nattens Ljus"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("isrc", "US-SKG-9-12345"),
        ("isrc", "USSKG19A2345"),
        ("iswc", "T-034.524.680-2"),
        ("iswc", "X-034.524.680-1"),
        ("c_line", "Example Records 2026"),
        ("title", "Title\x00with NUL"),
        ("artist", "Tab\there"),
        ("title", "Evil \u202eright-to-left"),
        ("reservation_note", "x" * 2001),
        ("terms_url", "javascript:alert(1)"),
        ("contact_url", "ftp://label.example"),
        ("contact_email", "not an address"),
        ("year", "26"),
        ("language", "english"),
    ],
)
def test_it_rejects_unsafe_or_invalid_fields_with_a_field_error(field, value):
    with pytest.raises(RightsMetadataError) as caught:
        RightsMetadata(**{field: value})
    assert list(caught.value.errors) == [field]
    assert caught.value.errors[field][0].endswith((".", "”."))


def test_it_allows_line_breaks_only_in_the_reservation_note():
    assert RightsMetadata(reservation_note="Line one.\nLine two.").reservation_note
    with pytest.raises(RightsMetadataError):
        RightsMetadata(title="Line one.\nLine two.")


def test_it_collects_every_field_error_at_once():
    with pytest.raises(RightsMetadataError) as caught:
        RightsMetadata(isrc="bad", iswc="bad", contact_email="bad")
    assert set(caught.value.errors) == {"isrc", "iswc", "contact_email"}


def test_empty_values_mean_not_written():
    metadata = RightsMetadata(title="", isrc="  ", artist="A")
    assert metadata.as_request() == {"artist": "A"}
    assert RightsMetadata(year="2026").is_empty()
