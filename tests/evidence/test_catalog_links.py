from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse

from catalog.models import Contract, ContributionRecord, Recording, Work
from evidence.models import EvidenceItem, MatterItem
from evidence.services.items import evidence_item_update
from evidence.services.matters import matter_item_add
from optout.models import Label, LedgerEntry
from optout.services.blobs import blob_store_bytes
from tests.conftest import Team
from tests.evidence.conftest import make_item, make_matter

pytestmark = pytest.mark.django_db


def _recording(label: Label, title: str = "Night Drive") -> Recording:
    recording: Recording = Recording.objects.create(label=label, title=title)
    return recording


def test_an_item_links_to_the_labels_recordings_and_works(team: Team) -> None:
    recording = _recording(team.label)
    work = Work.objects.create(label=team.label, title="Night Drive (song)")
    item = make_item(team.label, team.rights, recordings=[str(recording.code)], works=[work.code])
    assert list(item.recordings.all()) == [recording]
    assert list(work.evidence_items.all()) == [item]
    entry = LedgerEntry.objects.for_label(team.label).order_by("-seq").first()
    assert entry is not None and entry.data["recordings"] == [str(recording.code)]


def test_another_labels_recording_cannot_be_linked(team: Team) -> None:
    foreign = _recording(team.other_label, "Label B's song")
    with pytest.raises(ValidationError) as exc:
        make_item(team.label, team.rights, recordings=[foreign.code])
    assert "recordings" in exc.value.message_dict
    assert EvidenceItem.objects.for_label(team.label).count() == 0
    matter = make_matter(team.label, team.rights)
    with pytest.raises(ValidationError):
        evidence_item_update(
            item=make_item(team.label, team.rights), actor=team.rights, recordings=[foreign.code]
        )
    response = team.client_for(team.rights).patch(
        reverse("api:evidence:matter-detail", kwargs={"slug": "label-a", "id": matter.code}),
        {"recordings": [str(foreign.code)]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "recordings" in response.json()["error"]["fields"]
    assert not matter.recordings.exists()


def test_a_recording_with_evidence_cannot_be_deleted(team: Team) -> None:
    recording = _recording(team.label)
    matter = make_matter(team.label, team.rights, recordings=[recording.code])
    with pytest.raises(ProtectedError):
        recording.delete()
    assert list(matter.recordings.all()) == [recording]


def test_contract_documents_and_contribution_records_can_be_added_by_id(team: Team) -> None:
    matter = make_matter(team.label, team.rights)
    document = blob_store_bytes(label=team.label, data=b"%PDF signed", actor=team.owner)
    contract = Contract.objects.create(
        label=team.label,
        title="Distribution agreement 2026",
        kind=Contract.Kind.DISTRIBUTION,
        document=document,
        document_name="agreement.pdf",
        ai_training="prohibited",
    )
    recording = _recording(team.label)
    session = blob_store_bytes(label=team.label, data=b"DAW session bytes", actor=team.owner)
    record = ContributionRecord.objects.create(
        label=team.label,
        recording=recording,
        kind=ContributionRecord.Kind.DAW_SESSION,
        title="Session file",
        file=session,
        file_name="night-drive.als",
    )
    client = team.client_for(team.rights)
    url = reverse("api:evidence:matter-items", kwargs={"slug": "label-a", "matter_id": matter.code})
    for body in ({"contract": str(contract.code)}, {"contribution": str(record.code)}):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 201, response.content
    items = MatterItem.objects.for_label(team.label).filter(matter=matter).order_by("created_at")
    assert [(i.source_key, i.blob_id, i.filename) for i in items] == [
        ("contract", document.pk, "agreement.pdf"),
        ("contribution", session.pk, "night-drive.als"),
    ]
    assert items[0].provenance["ai_training"] == "prohibited"


def test_a_contract_without_a_document_is_refused_with_a_reason(team: Team) -> None:
    matter = make_matter(team.label, team.rights)
    contract = Contract.objects.create(label=team.label, title="Oral deal", kind="other")
    with pytest.raises(ValidationError, match="no signed document"):
        matter_item_add(
            matter=matter, actor=team.rights, source_key="contract", source_code=contract.code
        )
