"""Identifier rules, with the valid and invalid examples of standards.md PART 2."""

from __future__ import annotations

import pytest

from catalog import identifiers as ids
from catalog.identifiers import IdentifierError


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("USRC17607839", "USRC17607839"),
        ("US-SKG-19-12345", "USSKG1912345"),
        ("usrc17607839", "USRC17607839"),
        ("US RC1 76 07839", "USRC17607839"),
        ("ISRC USRC17607839", "USRC17607839"),
        ("GX26J2400002", "GX26J2400002"),
        ("FXR592300639", "FXR592300639"),
    ],
)
def test_it_normalises_valid_isrcs(raw: str, stored: str) -> None:
    assert ids.normalize_isrc(raw) == stored


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("US-SKG-9-12345", "isrc_length"),
        ("XX-SKG-19-12345", "isrc_prefix"),
        ("USSKG19A2345", "isrc_format"),
        ("USRC17607839X", "isrc_length"),
        ("US.RC1.76.07839", "isrc_length"),
        ("", "isrc_empty"),
    ],
)
def test_it_names_what_is_wrong_with_a_bad_isrc(raw: str, code: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        ids.normalize_isrc(raw)
    assert caught.value.code == code
    if raw:
        assert raw in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("T-034.524.680-1", "T0345246801"),
        ("T0345246801", "T0345246801"),
        ("ISWC T-034.524.680-1", "T0345246801"),
        ("t 034 524 680 1", "T0345246801"),
        ("T-101.914.232-4", "T1019142324"),
        ("T-000.000.001-0", "T0000000010"),
    ],
)
def test_it_normalises_valid_iswcs(raw: str, stored: str) -> None:
    assert ids.normalize_iswc(raw) == stored
    assert ids.format_iswc(stored).startswith("T-")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("T-034.524.680-2", "iswc_checksum"),
        ("T-34.524.680-1", "iswc_format"),
        ("X-034.524.680-1", "iswc_prefix"),
    ],
)
def test_it_rejects_bad_iswcs(raw: str, code: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        ids.normalize_iswc(raw)
    assert caught.value.code == code


def test_iswc_check_digit_matches_the_worked_example() -> None:
    assert ids.iswc_check_digit("034524680") == 1


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("036000291452", "0036000291452"),
        ("4006381333931", "4006381333931"),
        ("0 36000 29145 2", "0036000291452"),
        ("00036000291452", "0036000291452"),
    ],
)
def test_it_stores_upcs_and_eans_as_gtin13(raw: str, stored: str) -> None:
    assert ids.normalize_gtin13(raw) == stored


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("036000291453", "gtin_checksum"),
        ("03600029145", "gtin_length"),
        ("03600029145X", "gtin_format"),
        ("73513537", "gtin_length"),
    ],
)
def test_it_rejects_bad_release_barcodes(raw: str, code: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        ids.normalize_gtin13(raw)
    assert caught.value.code == code


def test_imports_restore_the_leading_zero_spreadsheets_drop() -> None:
    assert ids.normalize_gtin13("36000291452", pad_short=True) == "0036000291452"
    with pytest.raises(IdentifierError):
        ids.normalize_gtin13("36000291452")


@pytest.mark.parametrize("raw", ["00014107338", "00052210040", "000 141 073 38"])
def test_it_accepts_valid_ipi_name_numbers(raw: str) -> None:
    assert len(ids.normalize_ipi(raw)) == 11


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("00014107339", "ipi_checksum"),
        ("0014107338", "ipi_length"),
        ("I-000000229-7", "ipi_base_number"),
        ("0001410733A", "ipi_format"),
    ],
)
def test_it_rejects_bad_ipi_name_numbers(raw: str, code: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        ids.normalize_ipi(raw)
    assert caught.value.code == code


def test_ipi_check_digits_match_the_worked_example() -> None:
    assert ids.ipi_check_digits("000141073") == "38"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("000000012281955X", "000000012281955X"),
        ("0000 0001 2281 955x", "000000012281955X"),
        ("https://isni.org/isni/000000012281955X", "000000012281955X"),
    ],
)
def test_it_normalises_isnis(raw: str, stored: str) -> None:
    assert ids.normalize_isni(raw) == stored


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0000000122819550", "isni_checksum"),
        ("0000 0001 2281 955", "isni_length"),
        ("000000012281955Y", "isni_format"),
    ],
)
def test_it_rejects_bad_isnis(raw: str, code: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        ids.normalize_isni(raw)
    assert caught.value.code == code


def test_territories_follow_iso_and_the_ddex_extras() -> None:
    assert ids.normalize_territories("SE, no;DK | XK ES-CN") == ["SE", "NO", "DK", "XK", "ES-CN"]
    assert ids.normalize_territories(["Worldwide"]) == ["Worldwide"]
    assert ids.normalize_territories("SE SE") == ["SE"]


@pytest.mark.parametrize("raw", ["UK", "WW", "worldwide", "ZZ", "Worldwide, SE"])
def test_it_rejects_codes_that_are_not_territories(raw: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        ids.normalize_territories(raw)
    if raw == "UK":
        assert "GB" in caught.value.reason


def test_exclusions_need_worldwide() -> None:
    ids.validate_exclusions(["Worldwide"], ["US"])
    with pytest.raises(IdentifierError):
        ids.validate_exclusions(["SE"], ["US"])


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00a0"])
def test_invisible_format_characters_are_removed_from_identifiers(invisible: str) -> None:
    assert ids.normalize_isrc(f"US{invisible}RC17607839{invisible}") == "USRC17607839"
    assert ids.normalize_gtin13(f"{invisible}0360002{invisible}91452") == "0036000291452"
    assert ids.normalize_iswc(f"T-034.524.680-1{invisible}") == "T0345246801"
    assert ids.normalize_isni(f"0000 0001 2281 955X{invisible}") == "000000012281955X"
    assert ids.normalize_ipi(f"{invisible}00014107338") == "00014107338"


@pytest.mark.parametrize("raw", ["8.59727E+11", "4.00638E+12", "8,59727E+11", "1E12"])
def test_a_barcode_in_scientific_notation_is_named_as_such(raw: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        ids.normalize_gtin13(raw, pad_short=True)
    assert caught.value.code == "gtin_scientific" and "scientific notation" in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("A12425GABC1234002M", "A12425GABC1234002M"),
        ("A1-2425G-ABC1234002-M", "A12425GABC1234002M"),
        ("Grid: A1-2425G-ABC1234002-M", "A12425GABC1234002M"),
        ("A10302B0003989564F", "A10302B0003989564F"),
    ],
)
def test_it_accepts_grids(raw: str, stored: str) -> None:
    assert ids.normalize_grid(raw) == stored


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("A1-2425G-ABC1234002-Q", "grid_checksum"),
        ("A1-2425G-ABC123400", "grid_format"),
        ("036000291452", "grid_format"),
    ],
)
def test_it_rejects_bad_grids(raw: str, code: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        ids.normalize_grid(raw)
    assert caught.value.code == code


def test_proprietary_ids_keep_their_namespace() -> None:
    assert ids.normalize_proprietary_id(" CAT-42 ", namespace="PADPIDA2007050901U") == (
        "PADPIDA2007050901U",
        "CAT-42",
    )
    with pytest.raises(IdentifierError) as caught:
        ids.normalize_proprietary_id("x" * 201)
    assert caught.value.code == "proprietary_length"
    with pytest.raises(IdentifierError) as caught:
        ids.normalize_proprietary_id("CAT\x0042")
    assert caught.value.code == "proprietary_format"
