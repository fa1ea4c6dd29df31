"""A master joins a matter by its id, and its packet carries the exact stored file."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from catalog.models import Master
from evidence.models import MatterItem
from evidence.verifier import verify_packet
from tests.catalog.masters.conftest import sha256sum
from tests.conftest import Team
from tests.evidence.conftest import make_matter
from tests.evidence.packets import build_packet, packet_file


def test_a_checked_master_is_added_by_id_and_packed_byte_for_byte(
    team: Team, uploaded: Callable[..., Master], tmp_path: Path
) -> None:
    master = uploaded("flac", process=True)
    matter = make_matter(team.label, team.rights, title="Voice clone on Example AI")
    url = f"/api/v1/labels/{team.label.slug}/matters/{matter.code}/items/"
    response = team.client_for(team.rights).post(
        url, {"master": str(master.code)}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    item = MatterItem.objects.for_label(team.label).get(matter=matter)
    assert item.blob_id == master.blob_id
    assert item.provenance["received_sha256"] == master.received_sha256

    packet = build_packet(matter, team.counsel)
    path = packet_file(packet, tmp_path / "packet.zip")
    assert verify_packet(str(path), accept_unstamped="the test").ok
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        member = next(m for m in manifest["members"] if m.get("kind") == "master")
        stored = tmp_path / "stored"
        stored.write_bytes(archive.read(member["path"]))
    assert sha256sum(stored) == master.received_sha256


def test_a_flagged_master_or_another_labels_master_cannot_be_added(
    team: Team, uploaded: Callable[..., Master]
) -> None:
    master = uploaded("wav16")  # received, not yet checked
    matter = make_matter(team.label, team.rights, title="Case")
    url = f"/api/v1/labels/{team.label.slug}/matters/{matter.code}/items/"
    client = team.client_for(team.rights)
    early = client.post(url, {"master": str(master.code)}, content_type="application/json")
    assert early.status_code == 400
    assert "checked" in json.dumps(early.json())
    other = make_matter(team.other_label, team.outsider, title="Theirs")
    foreign = team.client_for(team.outsider).post(
        f"/api/v1/labels/{team.other_label.slug}/matters/{other.code}/items/",
        {"master": str(master.code)},
        content_type="application/json",
    )
    assert foreign.status_code in (400, 404)
    assert not MatterItem.objects.unscoped().exists()
