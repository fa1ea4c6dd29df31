"""Member names of the archives we write (reliability.md ZIP-1, FZ-2)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from optout.lib.archive import ARCNAME_RE, ArcnameAllocator, safe_component, zip_write_stream
from tests.evidence.packets import HOSTILE_NAMES


def _safe(name: str) -> bool:
    return bool(ARCNAME_RE.match(name)) and ".." not in name.split("/")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=400), min_size=1, max_size=30))
def test_any_names_become_safe_and_unique(names: list[str]) -> None:
    allocator = ArcnameAllocator()
    allocator.reserve("manifest.json")
    out = [allocator.allocate(n, folder="items", prefix=f"{i:03d}-") for i, n in enumerate(names)]
    unprefixed = [allocator.allocate(n, folder="items") for n in names]
    everything = [*out, *unprefixed]
    assert all(_safe(n) for n in everything), everything
    assert len({n.casefold() for n in everything}) == len(everything)


def test_the_hostile_names_keep_what_can_be_kept() -> None:
    allocator = ArcnameAllocator()
    names = [allocator.allocate(n, folder="items") for n in HOSTILE_NAMES]
    assert all(_safe(n) for n in names)
    assert names[0] == "items/passwd"
    assert names[HOSTILE_NAMES.index("/abs/path.txt")] == "items/path.txt"
    assert names[HOSTILE_NAMES.index("C:\\Windows\\system32\\x.dll")] == "items/x.dll"
    assert names[HOSTILE_NAMES.index("dup.pdf")] == "items/dup.pdf"
    assert names[HOSTILE_NAMES.index("DUP.pdf")] == "items/DUP-2.pdf"
    assert safe_component("Årsredovisning 2026.pdf") == "Arsredovisning-2026.pdf"
    assert safe_component("\u202egnp.exe") == "gnp.exe"


def test_members_are_written_zip64_in_chunks_and_read_back() -> None:
    buffer = io.BytesIO()
    data = bytes(range(256)) * 9000
    with zipfile.ZipFile(buffer, "w") as archive:
        digest = zip_write_stream(
            archive, "items/001-x.bin", io.BytesIO(data), date_time=datetime.now(UTC)
        )
    with zipfile.ZipFile(buffer) as archive:
        assert archive.read("items/001-x.bin") == data
        assert archive.testzip() is None
    assert digest.size == len(data)
