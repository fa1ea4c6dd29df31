from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from evidence.models import EvidenceItem, Matter
from evidence.services.items import evidence_item_create
from evidence.services.matters import matter_create, matter_item_add
from optout.lib.hashing import sha256_file
from optout.lib.tempfiles import temp_dir
from optout.models import Label, User
from optout.uploads import HashedUploadedFile
from tests.conftest import Team


def hashed_upload(data: bytes, name: str = "letter.pdf") -> HashedUploadedFile:
    """An upload as optout.uploads hands it to a view: on disk, hashed on arrival."""
    fd, path = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=temp_dir())
    with open(fd, "wb") as handle:
        handle.write(data)
    return HashedUploadedFile(
        path=Path(path),
        name=name,
        content_type="application/octet-stream",
        digest=sha256_file(path),
        charset=None,
    )


def make_item(
    label: Label,
    actor: User,
    data: bytes = b"%PDF-1.4 a letter from the distributor",
    name: str = "letter.pdf",
    **fields: Any,
) -> EvidenceItem:
    fields.setdefault("kind", EvidenceItem.Kind.CORRESPONDENCE)
    return evidence_item_create(
        label=label, actor=actor, upload=hashed_upload(data, name), **fields
    )


def make_matter(label: Label, actor: User, **fields: Any) -> Matter:
    fields.setdefault("title", "Unlicensed training on our catalogue")
    return matter_create(label=label, actor=actor, **fields)


@pytest.fixture
def matter_with_items(team: Team) -> Matter:
    matter = make_matter(team.label, team.rights, target_company="Example AI Ltd")
    for i in range(2):
        item = make_item(
            team.label, team.rights, data=f"document {i}".encode(), name=f"doc-{i}.txt"
        )
        matter_item_add(
            matter=matter, actor=team.rights, source_key="evidence", source_code=item.code
        )
    return matter


# The local RFC 3161 authority (tests/evidence/tsa.py) and the loopback test servers.
from tests.evidence.tsa import attacker_pki, local_tsa, tsa_pki  # noqa: E402, F401
