"""Reading DDEX ERN NewReleaseMessages (4.x and 3.8) into import rows.

Parsing is safe by construction: lxml with no network, no DTD loading and no entity
expansion, and a message that declares a DOCTYPE is refused outright (real ERN messages
never have one; entity tricks need one). Elements are matched by local name, so the
ERN namespace version does not matter; where 3.8 and 4.x keep a value in different
places both paths are tried.

Each track of each release becomes one row (recording + release values); a sound
recording that no release lists becomes a row of its own. A release is identified by
its ICPN (UPC/EAN), else its GRid, else its ``ProprietaryId`` with that id's
``Namespace``. A ``PurgeReleaseMessage`` asks a recipient to delete releases; the
catalog does not apply it, and the import fails saying so before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from lxml import etree

from optout.jobs import JobFailure


@dataclass(frozen=True)
class DdexRow:
    number: int
    """The source line of the element the row comes from."""
    raw: dict[str, str]
    columns: dict[str, str]


def _line(element: etree._Element) -> int:
    return int(getattr(element, "sourceline", 0) or 0)


def _local(element: etree._Element) -> str:
    # Comments and processing instructions have a function as their tag.
    tag: object = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if _local(c) == name]


def _find(element: etree._Element, path: str) -> etree._Element | None:
    current = [element]
    for step in path.split("/"):
        found: list[etree._Element] = []
        for node in current:
            found.extend(_children(node, step))
        if not found:
            return None
        current = found
    return current[0]


def _text(element: etree._Element, *paths: str) -> str:
    for path in paths:
        node = _find(element, path)
        if node is not None and node.text and node.text.strip():
            return node.text.strip()
    return ""


def _descendant_text(element: etree._Element, name: str) -> str:
    for node in element.iter():
        if _local(node) == name and node.text and node.text.strip():
            return node.text.strip()
    return ""


def _parse(path: Path) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        raise JobFailure(
            _("The XML is not well-formed (line %(line)s): %(error)s")
            % {"line": exc.lineno or "?", "error": exc.msg}
        ) from None
    if getattr(tree.docinfo, "doctype", ""):
        raise JobFailure(
            _("The XML declares a DOCTYPE; DDEX messages have none, so it was refused.")
        )
    root = tree.getroot()
    if _local(root) not in {"NewReleaseMessage", "PurgeReleaseMessage", "CatalogListMessage"}:
        raise JobFailure(
            _("This XML is not a DDEX ERN message (its root element is %(root)s).")
            % {"root": _local(root) or "?"}
        )
    return root


def _parties(root: etree._Element) -> dict[str, str]:
    names = {}
    party_list = _find(root, "PartyList")
    if party_list is not None:
        for party in _children(party_list, "Party"):
            reference = _text(party, "PartyReference")
            name = _text(party, "PartyName/FullName")
            if reference and name:
                names[reference] = name
    return names


def _artist(element: etree._Element, parties: dict[str, str], *detail_paths: str) -> str:
    direct = _text(element, "DisplayArtistName", *(f"{p}/DisplayArtistName" for p in detail_paths))
    if direct:
        return direct
    for container in [element, *(n for p in detail_paths if (n := _find(element, p)) is not None)]:
        for artist in _children(container, "DisplayArtist"):
            reference = _text(artist, "ArtistPartyReference")
            name = parties.get(reference) or _text(artist, "PartyName/FullName")
            if name:
                return name
    return ""


def _sound_recordings(
    root: etree._Element, parties: dict[str, str]
) -> dict[str, tuple[int, dict[str, str], dict[str, str]]]:
    recordings = {}
    resource_list = _find(root, "ResourceList")
    if resource_list is None:
        return {}
    for number, recording in enumerate(_children(resource_list, "SoundRecording"), start=1):
        reference = _text(recording, "ResourceReference") or f"#{number}"
        where = f"SoundRecording[{reference}]"
        raw = {
            "isrc": _descendant_text(recording, "ISRC"),
            "title": _text(
                recording,
                "DisplayTitleText",
                "DisplayTitle/TitleText",
                "ReferenceTitle/TitleText",
                "SoundRecordingDetailsByTerritory/Title/TitleText",
            ),
            "version": _text(recording, "DisplayTitle/SubTitle", "ReferenceTitle/SubTitle"),
            "artist": _artist(recording, parties, "SoundRecordingDetailsByTerritory"),
            "duration": _text(recording, "Duration"),
            "iswc": _text(recording, "WorkId/ISWC", "IndirectSoundRecordingId/ISWC"),
            "p_line": _text(
                recording,
                "SoundRecordingEdition/PLine/PLineText",
                "PLine/PLineText",
                "SoundRecordingDetailsByTerritory/PLine/PLineText",
            ),
        }
        columns = {
            "isrc": f"{where}/ISRC",
            "title": f"{where}/DisplayTitleText",
            "version": f"{where}/DisplayTitle/SubTitle",
            "artist": f"{where}/DisplayArtistName",
            "duration": f"{where}/Duration",
            "iswc": f"{where}/WorkId/ISWC",
            "p_line": f"{where}/PLine",
        }
        recordings[reference] = (_line(recording), raw, columns)
    return recordings


def _deal_territories(root: etree._Element) -> dict[str, tuple[list[str], list[str]]]:
    found: dict[str, tuple[list[str], list[str]]] = {}
    deal_list = _find(root, "DealList")
    if deal_list is None:
        return found
    for release_deal in _children(deal_list, "ReleaseDeal"):
        references = [
            n.text.strip() for n in _children(release_deal, "DealReleaseReference") if n.text
        ]
        codes: list[str] = []
        excluded: list[str] = []
        for node in release_deal.iter():
            name = _local(node)
            if name == "TerritoryCode" and node.text and node.text.strip() not in codes:
                codes.append(node.text.strip())
            elif (
                name == "ExcludedTerritoryCode" and node.text and node.text.strip() not in excluded
            ):
                excluded.append(node.text.strip())
        for reference in references:
            have, have_excluded = found.setdefault(reference, ([], []))
            have.extend(c for c in codes if c not in have)
            have_excluded.extend(c for c in excluded if c not in have_excluded)
    return found


def _deal_start(root: etree._Element, reference: str) -> str:
    deal_list = _find(root, "DealList")
    if deal_list is None:
        return ""
    for release_deal in _children(deal_list, "ReleaseDeal"):
        if reference in [
            n.text.strip() for n in _children(release_deal, "DealReleaseReference") if n.text
        ]:
            start = _descendant_text(release_deal, "StartDate")
            if start:
                return start
    return ""


def _track_items(release: etree._Element) -> list[tuple[int, int, str]]:
    """(disc, track, resource reference) for each track of a release."""
    items: list[tuple[int, int, str]] = []
    for group in _children(release, "ResourceGroup"):
        nested = _children(group, "ResourceGroup")
        discs = nested if nested else [group]
        for disc_index, disc in enumerate(discs, start=1):
            disc_number = int(_text(disc, "SequenceNumber") or disc_index) if nested else 1
            for track_index, item in enumerate(
                _children(disc, "ResourceGroupContentItem"), start=1
            ):
                reference = _text(item, "ReleaseResourceReference")
                sequence = _text(item, "SequenceNumber")
                track = int(sequence) if sequence.isdigit() else track_index
                if reference:
                    items.append((disc_number, track, reference))
    if not items:
        reference_list = _find(release, "ReleaseResourceReferenceList")
        if reference_list is not None:
            for index, node in enumerate(
                _children(reference_list, "ReleaseResourceReference"), start=1
            ):
                if node.text and node.text.strip():
                    items.append((1, index, node.text.strip()))
    return items


def _proprietary_id(release: etree._Element) -> tuple[str, str]:
    """(namespace, id) of the release's first ``ReleaseId/ProprietaryId``."""
    for release_id in _children(release, "ReleaseId"):
        for node in _children(release_id, "ProprietaryId"):
            if node.text and node.text.strip():
                return (node.get("Namespace") or "").strip(), node.text.strip()
    return "", ""


def ddex_rows(path: Path) -> Iterator[DdexRow]:
    root = _parse(path)
    if _local(root) == "PurgeReleaseMessage":
        raise JobFailure(
            _(
                "This is a DDEX PurgeReleaseMessage, which asks for releases to be deleted. "
                "Purge messages are not applied to the catalog: nothing was changed. Delete "
                "the releases in the catalog if that is what you want."
            )
        )
    parties = _parties(root)
    recordings = _sound_recordings(root, parties)
    territories = _deal_territories(root)
    used: set[str] = set()
    release_list = _find(root, "ReleaseList")
    releases = _children(release_list, "Release") if release_list is not None else []
    for number, release in enumerate(releases, start=1):
        reference = _text(release, "ReleaseReference") or f"#{number}"
        kind = _text(release, "ReleaseType")
        upc = _text(release, "ReleaseId/ICPN", "ReleaseId/EAN", "ReleaseId/UPC")
        grid = _text(release, "ReleaseId/GRid")
        namespace, proprietary = _proprietary_id(release)
        where = f"Release[{reference}]"
        if not upc and kind in {"TrackRelease", "VideoTrackRelease"}:
            continue
        codes, excluded = territories.get(reference, ([], []))
        release_raw = {
            "upc": upc,
            "grid": grid,
            "proprietary_namespace": namespace,
            "proprietary_id": proprietary,
            "release_title": _text(
                release, "DisplayTitleText", "DisplayTitle/TitleText", "ReferenceTitle/TitleText"
            ),
            "release_type": kind,
            "release_date": _text(
                release,
                "ReleaseDate",
                "OriginalReleaseDate",
                "GlobalOriginalReleaseDate",
                "ReleaseDetailsByTerritory/ReleaseDate",
            )
            or _deal_start(root, reference),
            "release_artist": _artist(release, parties, "ReleaseDetailsByTerritory"),
            "catalog_number": _text(release, "ReleaseId/CatalogNumber"),
            "p_line": "",
            "c_line": _text(
                release, "CLine/CLineText", "ReleaseDetailsByTerritory/CLine/CLineText"
            ),
            "territories": ", ".join(codes if codes else (["Worldwide"] if excluded else [])),
            "excluded_territories": ", ".join(excluded),
        }
        release_columns = {
            "upc": f"{where}/ReleaseId/ICPN",
            "grid": f"{where}/ReleaseId/GRid",
            "proprietary_id": f"{where}/ReleaseId/ProprietaryId",
            "release_title": f"{where}/DisplayTitleText",
            "release_type": f"{where}/ReleaseType",
            "release_date": f"{where}/ReleaseDate",
            "release_artist": f"{where}/DisplayArtistName",
            "catalog_number": f"{where}/ReleaseId/CatalogNumber",
            "c_line": f"{where}/CLine",
            "territories": f"DealList/ReleaseDeal[{reference}]/TerritoryCode",
            "excluded_territories": f"DealList/ReleaseDeal[{reference}]/ExcludedTerritoryCode",
        }
        if not (upc or grid or proprietary):
            yield DdexRow(
                _line(release),
                {k: v for k, v in release_raw.items() if v},
                {
                    **release_columns,
                    "isrc": f"{where}/ReleaseId/ICPN",
                    "upc": f"{where}/ReleaseId/ICPN",
                },
            )
            continue
        release_only = {k: v for k, v in release_raw.items() if v and k != "p_line"}
        # Items that are not sound recordings (videos, images, text) are not tracks here; a
        # release with no sound recording at all still becomes one release-only row.
        tracks = [
            (disc, track, resource)
            for disc, track, resource in _track_items(release)
            if resource in recordings
        ]
        if not tracks:
            yield DdexRow(_line(release), release_only, release_columns)
            continue
        for disc, track, resource in tracks:
            found = recordings[resource]
            used.add(resource)
            line, raw, columns = found
            combined = {k: v for k, v in raw.items() if v}
            combined.update(release_only)
            combined["disc_number"] = str(disc)
            combined["track_number"] = str(track)
            yield DdexRow(
                line,
                combined,
                {
                    **columns,
                    **release_columns,
                    "disc_number": f"{where}/ResourceGroup",
                    "track_number": f"{where}/ResourceGroupContentItem/SequenceNumber",
                },
            )
    for reference, (line, raw, columns) in recordings.items():
        if reference not in used:
            yield DdexRow(line, {k: v for k, v in raw.items() if v}, columns)
