from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from evidence.models import EvidenceItem, Matter, MatterItem, MatterNote
from evidence.services.items import (
    evidence_item_create,
    evidence_item_update,
    evidence_item_withdraw,
)
from evidence.services.matters import (
    matter_item_add,
    matter_item_request,
    matter_item_withdraw,
    matter_note_add,
    matter_set_hold,
    matter_update,
)
from optout.lib.hashing import sha256_bytes
from optout.models import Blob, LedgerEntry
from optout.services.blobs import blob_open
from optout.services.ledger import ledger_verify
from tests.conftest import Team
from tests.evidence.conftest import hashed_upload, make_item, make_matter

pytestmark = pytest.mark.django_db


def _last_actions(team: Team, n: int) -> list[str]:
    entries = LedgerEntry.objects.for_label(team.label).order_by("-seq")[:n]
    return [e.action for e in reversed(entries)]


def test_it_stores_an_uploaded_item_as_a_blob_with_a_ledger_entry(team: Team) -> None:
    data = b"Registration certificate no. 1234"
    item = make_item(
        team.label,
        team.rights,
        data=data,
        name="certificate.txt",
        kind=EvidenceItem.Kind.REGISTRATION_CERTIFICATE,
        source="Copyright office",
    )
    assert item.blob.sha256 == sha256_bytes(data)
    with blob_open(item.blob) as handle:
        assert handle.read() == data
    assert item.title == "certificate.txt"
    entry = LedgerEntry.objects.for_label(team.label).order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.object_code, entry.sha256) == (
        "evidence.item_added",
        str(item.code),
        item.blob.sha256,
    )
    assert entry.data["kind"] == "registration_certificate"
    assert ledger_verify(label=team.label).ok


def test_it_refuses_an_empty_file_and_writes_nothing(team: Team) -> None:
    blobs = Blob.objects.for_label(team.label).count()
    with pytest.raises(ValidationError) as exc:
        evidence_item_create(
            label=team.label, actor=team.rights, upload=hashed_upload(b""), kind="other"
        )
    assert "file" in exc.value.message_dict
    assert EvidenceItem.objects.for_label(team.label).count() == 0
    assert Blob.objects.for_label(team.label).count() == blobs


def test_it_refuses_an_unknown_kind_before_storing_the_file(team: Team) -> None:
    with pytest.raises(ValidationError) as exc:
        make_item(team.label, team.rights, kind="rumour")
    assert "kind" in exc.value.message_dict
    assert not Blob.objects.for_label(team.label).filter(sha256=sha256_bytes(b"x")).exists()
    assert EvidenceItem.objects.for_label(team.label).count() == 0


def test_it_records_what_changed_when_an_item_is_edited(team: Team) -> None:
    item = make_item(team.label, team.rights, title="Letter")
    evidence_item_update(item=item, actor=team.rights, title="Letter of 3 May", source="Post")
    entry = LedgerEntry.objects.for_label(team.label).order_by("-seq").first()
    assert entry is not None and entry.action == "evidence.item_updated"
    assert entry.data["changed"]["title"] == {"from": "Letter", "to": "Letter of 3 May"}
    assert set(entry.data["changed"]) == {"title", "source"}


def test_withdrawing_needs_a_reason_and_keeps_the_row(team: Team) -> None:
    item = make_item(team.label, team.rights)
    with pytest.raises(ValidationError):
        evidence_item_withdraw(item=item, actor=team.rights, reason="  ")
    evidence_item_withdraw(item=item, actor=team.rights, reason="Wrong file uploaded")
    item.refresh_from_db()
    assert item.is_withdrawn and item.withdrawal_reason == "Wrong file uploaded"
    assert EvidenceItem.objects.for_label(team.label).withdrawn().get() == item
    assert not EvidenceItem.objects.for_label(team.label).active().exists()
    assert _last_actions(team, 1) == ["evidence.item_withdrawn"]
    with pytest.raises(ValidationError):
        evidence_item_update(item=item, actor=team.rights, title="Changed after withdrawal")


def test_an_item_under_legal_hold_cannot_be_withdrawn(team: Team) -> None:
    item = make_item(team.label, team.rights)
    matter = make_matter(team.label, team.rights, title="Case against Example AI")
    added = matter_item_add(
        matter=matter, actor=team.rights, source_key="evidence", source_code=item.code
    )
    matter_set_hold(matter=matter, actor=team.owner, hold=True, reason="Litigation expected")

    with pytest.raises(ValidationError) as exc:
        evidence_item_withdraw(item=item, actor=team.rights, reason="Tidying up")
    assert "Case against Example AI" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        matter_item_withdraw(item=added, actor=team.rights, reason="Not relevant")
    assert exc.value.code == "legal_hold"
    item.refresh_from_db()
    added.refresh_from_db()
    assert not item.is_withdrawn and not added.is_withdrawn

    matter_set_hold(matter=matter, actor=team.owner, hold=False, reason="Settled")
    matter_item_withdraw(item=added, actor=team.rights, reason="Not relevant")
    evidence_item_withdraw(item=item, actor=team.rights, reason="Superseded")
    actions = _last_actions(team, 3)
    assert actions == ["matter.hold_released", "matter.item_withdrawn", "evidence.item_withdrawn"]


def test_a_hold_needs_a_reason(team: Team) -> None:
    matter = make_matter(team.label, team.rights)
    with pytest.raises(ValidationError):
        matter_set_hold(matter=matter, actor=team.owner, hold=True, reason="")
    matter.refresh_from_db()
    assert not matter.legal_hold


def test_it_adds_an_evidence_item_to_a_matter_as_a_snapshot(team: Team) -> None:
    item = make_item(
        team.label, team.rights, title="Takedown reply", source_url="https://example.test/r"
    )
    matter = make_matter(team.label, team.rights)
    added = matter_item_add(
        matter=matter, actor=team.rights, source_key="evidence", source_code=str(item.code)
    )
    assert (added.blob_id, added.title, added.source_url) == (
        item.blob_id,
        "Takedown reply",
        "https://example.test/r",
    )
    assert added.provenance["evidence_item"] == str(item.code)
    evidence_item_update(item=item, actor=team.rights, title="Renamed later")
    added.refresh_from_db()
    assert added.title == "Takedown reply"
    assert _last_actions(team, 2) == ["matter.item_added", "evidence.item_updated"]


def test_it_refuses_another_labels_item_and_writes_nothing(team: Team) -> None:
    foreign = make_item(team.other_label, team.outsider)
    matter = make_matter(team.label, team.rights)
    entries = LedgerEntry.objects.for_label(team.label).count()
    with pytest.raises(ValidationError) as exc:
        matter_item_add(
            matter=matter, actor=team.rights, source_key="evidence", source_code=foreign.code
        )
    assert "evidence" in exc.value.message_dict
    assert MatterItem.objects.for_label(team.label).count() == 0
    assert LedgerEntry.objects.for_label(team.label).count() == entries


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"rumour": "00000000-0000-0000-0000-000000000000"}, "rumour"),
        ({}, None),
        ({"evidence": "x", "capture": "y"}, None),
    ],
)
def test_an_add_request_must_name_exactly_one_known_kind(request_body, field) -> None:
    with pytest.raises(ValidationError) as exc:
        matter_item_request(request_body)
    if field:
        assert field in exc.value.message_dict


def test_it_refuses_duplicates_withdrawn_items_and_closed_matters(team: Team) -> None:
    item = make_item(team.label, team.rights)
    matter = make_matter(team.label, team.rights)
    matter_item_add(matter=matter, actor=team.rights, source_key="evidence", source_code=item.code)
    with pytest.raises(ValidationError, match="already in the matter"):
        matter_item_add(
            matter=matter, actor=team.rights, source_key="evidence", source_code=item.code
        )
    gone = make_item(team.label, team.rights, data=b"other")
    evidence_item_withdraw(item=gone, actor=team.rights, reason="Wrong")
    with pytest.raises(ValidationError):
        matter_item_add(
            matter=matter, actor=team.rights, source_key="evidence", source_code=gone.code
        )
    matter_update(matter=matter, actor=team.rights, status=Matter.Status.CLOSED)
    fresh = make_item(team.label, team.rights, data=b"fresh")
    with pytest.raises(ValidationError, match="closed"):
        matter_item_add(
            matter=matter, actor=team.rights, source_key="evidence", source_code=fresh.code
        )
    assert MatterItem.objects.for_label(team.label).count() == 1


def test_a_matter_owner_must_belong_to_the_label(team: Team) -> None:
    with pytest.raises(ValidationError) as exc:
        make_matter(team.label, team.rights, owner=team.outsider)
    assert "owner" in exc.value.message_dict
    assert Matter.objects.for_label(team.label).count() == 0


def test_only_a_member_who_can_add_notes_and_items_is_offered_to_run_a_matter(
    team: Team,
) -> None:
    for role in ("counsel", "viewer", "a_r"):
        with pytest.raises(ValidationError) as exc:
            make_matter(team.label, team.rights, owner=team.user_for(role))
        assert "cannot add its notes and items" in " ".join(exc.value.message_dict["owner"])
    assert make_matter(team.label, team.rights, owner=team.owner).owner == team.owner
    client = team.client_for(team.rights)
    form = client.get(f"/l/{team.label.slug}/evidence/matters/new/").context["form"]
    offered = {code for code, _name in form.fields["owner"].choices if code}
    assert offered == {str(team.owner.code), str(team.rights.code)}
    # The member who runs it can add a note: the form offered no one who could not.
    matter = make_matter(team.label, team.rights, owner=team.rights)
    note = client.post(
        f"/l/{team.label.slug}/evidence/matters/{matter.code}/notes/", {"text": "Called them."}
    )
    assert note.status_code == 302
    assert MatterNote.objects.for_label(team.label).filter(matter=matter).count() == 1


@pytest.mark.parametrize(
    ("given", "stored"), [("se", "SE"), (" GB ", "GB"), ("Worldwide", "Worldwide"), ("", "")]
)
def test_it_normalises_the_territory(team: Team, given: str, stored: str) -> None:
    assert make_matter(team.label, team.rights, territory=given).territory == stored


@pytest.mark.parametrize("given", ["Narnia", "UK", "world"])
def test_it_refuses_an_unknown_territory_with_a_hint(team: Team, given: str) -> None:
    with pytest.raises(ValidationError) as exc:
        make_matter(team.label, team.rights, territory=given)
    assert "territory" in exc.value.message_dict
    if given == "UK":
        assert "GB" in exc.value.message_dict["territory"][0]


def test_notes_are_kept_in_order_and_logged(team: Team) -> None:
    matter = make_matter(team.label, team.rights)
    matter_note_add(matter=matter, actor=team.rights, text="Called their counsel.")
    matter_note_add(matter=matter, actor=team.owner, text="Sent the notice.")
    assert [n.text for n in MatterNote.objects.for_label(team.label).filter(matter=matter)] == [
        "Called their counsel.",
        "Sent the notice.",
    ]
    with pytest.raises(ValidationError):
        matter_note_add(matter=matter, actor=team.owner, text=" ")
    assert _last_actions(team, 2) == ["matter.note_added", "matter.note_added"]
