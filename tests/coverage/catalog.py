"""A catalog with known gaps, and the counts the coverage of it must show."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.utils import timezone

from catalog.models import (
    AIClause,
    Contract,
    Master,
    Partner,
    Party,
    Recording,
    RecordingPerformer,
    Release,
    ReleaseTrack,
    Work,
)
from optout.models import Label, User
from optout.policy.models import Territory, TerritoryNote
from optout.services.blobs import blob_store_bytes
from tests.policy.seed import ensure_territories


@dataclass
class GapCatalog:
    recordings: dict[str, Recording] = field(default_factory=dict)
    releases: dict[str, Release] = field(default_factory=dict)


def add_master(label: Label, recording: Recording, actor: User, data: bytes) -> Master:
    blob = blob_store_bytes(label=label, data=data, actor=actor)
    digest = hashlib.sha256(data).hexdigest()
    master: Master = Master.objects.create(
        label=label,
        recording=recording,
        version=1,
        is_current=True,
        blob=blob,
        original_name=f"{recording.title}.wav",
        size=len(data),
        received_sha256=digest,
        verified_sha256=digest,
        verified_at=timezone.now(),
        status=Master.Status.READY,
    )
    return master


def build_gap_catalog(label: Label, actor: User) -> GapCatalog:
    """Five recordings, each missing something different (see EXPECTED)."""
    ensure_territories()  # a transactional test before may have emptied the map
    found = GapCatalog()
    with_iswc = Work.objects.create(label=label, title="Northern Song", iswc="T0345246801")
    without_iswc = Work.objects.create(label=label, title="Untitled Work")
    singer = Party.objects.create(label=label, name="Sara Singer")
    producer = Party.objects.create(label=label, name="Pelle Producer")
    rows = {
        "r1": ("SEABC2600001", with_iswc),
        "r2": ("SEABC2600002", without_iswc),
        "r3": ("", None),
        "r4": ("SEABC2600004", with_iswc),
        "r5": ("QQABC2600005", None),
    }
    for key, (isrc, work) in rows.items():
        found.recordings[key] = Recording.objects.create(
            label=label, title=f"Song {key.upper()}", isrc=isrc, work=work
        )
    r = found.recordings
    RecordingPerformer.objects.create(label=label, recording=r["r1"], party=singer, role="vocalist")
    RecordingPerformer.objects.create(label=label, recording=r["r2"], party=singer, role="vocalist")
    RecordingPerformer.objects.create(
        label=label, recording=r["r4"], party=producer, role="producer"
    )
    full = Contract.objects.create(
        label=label,
        title="Sara's vocalist agreement",
        kind=Contract.Kind.VOCALIST,
        ai_training=AIClause.PROHIBITED,
        ai_voice=AIClause.PROHIBITED,
    )
    full.parties.add(singer)
    full.recordings.add(r["r1"])
    half = Contract.objects.create(
        label=label,
        title="Sara's old agreement",
        kind=Contract.Kind.VOCALIST,
        ai_training=AIClause.PROHIBITED,
        ai_voice=AIClause.SILENT,
    )
    half.parties.add(singer)
    half.recordings.add(r["r2"])
    production = Contract.objects.create(
        label=label,
        title="Producer agreement",
        kind=Contract.Kind.PRODUCER,
        ai_training=AIClause.PERMITTED,
    )
    production.parties.add(producer)
    production.recordings.add(r["r4"])
    sold = Release.objects.create(label=label, title="Sold in Sweden", territories=["SE"])
    unsold = Release.objects.create(label=label, title="Not yet out")
    ReleaseTrack.objects.create(label=label, release=sold, recording=r["r1"], track_number=1)
    ReleaseTrack.objects.create(label=label, release=sold, recording=r["r2"], track_number=2)
    ReleaseTrack.objects.create(label=label, release=unsold, recording=r["r3"], track_number=1)
    found.releases = {"sold": sold, "unsold": unsold}
    # The label's own reading of the region Sweden is in asks for published terms, which
    # it has not approved yet: the territory check fails there, whatever the seeded map says.
    region = next(t for t in Territory.objects.all() if "SE" in t.countries)
    TerritoryNote.objects.create(
        label=label,
        territory=region,
        reading=region.reading,
        legal_hook=region.legal_hook,
        required_signals=["terms"],
        recommended_signals=[],
        disclosure=region.disclosure,
        notice_route=region.notice_route,
        checklist=list(region.checklist),
    )
    distributor = Partner.objects.create(label=label, name="Distro AB", kind="distributor")
    distributor.releases.add(sold)
    Contract.objects.create(
        label=label,
        title="Distribution deal",
        kind=Contract.Kind.DISTRIBUTION,
        partner=distributor,
        ai_sublicensing=AIClause.SILENT,
    )
    add_master(label, r["r1"], actor, b"RIFF-master-one")
    add_master(label, r["r3"], actor, b"RIFF-master-three")
    return found


# What the coverage of that catalog is: check -> (passed, applicable).
EXPECTED_CHECKS = {
    "master": (2, 5),
    "tagged": (0, 5),
    "isrc": (3, 5),
    "work": (2, 5),
    "contributors": (2, 5),
    "notices": (0, 2),
    "terms": (0, 5),
    "fingerprint": (0, 5),
    # Sweden's region asks for approved terms (the label's own note): none yet.
    "territories": (0, 2),
}
# No domain is named (nothing to audit): that check is left out. A new label has its first
# policy in force, so tagged copies can be (and are not) current with it.
LEFT_OUT = ("signals",)
EXPECTED_FLAGS = {
    "silent_sublicensing": 2,
    "voice_not_covered": 1,
    "weak_evidence": 5,
    "one_channel": 5,
}
# Weights: master 3, tagged 2, isrc 1, work 1, contributors 2, notices 2, terms 2,
# fingerprint 1, territories 1 (only r1 and r2 are sold anywhere). r1 passes master, isrc,
# work and contributors: 7 of 15.
EXPECTED_SCORES = {"r1": 46.7, "r2": 6.7, "r3": 25.0, "r4": 33.3, "r5": 0.0}
EXPECTED_CATALOG_SCORE = 22.3
# By recordings protected, then weight, then key.
EXPECTED_NEXT_STEPS = ["tagged", "terms", "fingerprint", "master", "contributors"]
