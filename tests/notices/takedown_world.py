"""A matter ready for takedowns: recordings, a performer with and one without consent, and
an evidence item in the matter (so its evidence packet can be built)."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import Consent, Party, Recording, RecordingPerformer
from evidence.models import Matter
from evidence.services.items import evidence_item_from_bytes
from evidence.services.matters import matter_create, matter_item_add
from notices.models import Takedown
from notices.services.takedowns import takedown_create, takedown_render
from optout.models import Label, User

INFRINGING = "https://tube.example/watch?v=stolen-1"


@dataclass
class TakedownWorld:
    label: Label
    matter: Matter
    recordings: list[Recording]


def takedown_world(
    label: Label, *, actor: User | None = None, title: str = "Uploads on Tube"
) -> TakedownWorld:
    label.legal_name = "Label A Records AB"
    label.address = "Sveavägen 1\n111 57 Stockholm\nSweden"
    label.contact_email = "rights@label-a.test"
    label.save(update_fields=["legal_name", "address", "contact_email"])
    recordings = [
        Recording.objects.create(
            label=label,
            isrc=f"SEA122600{n:03d}",
            title=f"Night Song {n}",
            display_artist="Aurora Hall",
        )
        for n in range(1, 3)
    ]
    singer = Party.objects.create(label=label, name="Aurora Hall")
    backing = Party.objects.create(label=label, name="Bo Backing")
    RecordingPerformer.objects.create(
        label=label, recording=recordings[0], party=singer, role="vocalist"
    )
    RecordingPerformer.objects.create(
        label=label, recording=recordings[0], party=backing, role="backing_vocalist"
    )
    consent = Consent.objects.create(
        label=label,
        kind="voice_release",
        title="Voice release 2024",
        party=backing,
        scope="Backing vocals on the album only; no synthesis.",
    )
    consent.recordings.set([recordings[0]])
    matter = matter_create(
        label=label,
        actor=actor,
        title=title,
        target_platform="Tube",
        recordings=[r.code for r in recordings],
    )
    item = evidence_item_from_bytes(
        label=label,
        actor=actor,
        data=b"Screenshot of the upload page",
        filename="upload.txt",
        kind="screenshot",
        title="The upload page",
    )
    matter_item_add(matter=matter, actor=actor, source_key="evidence", source_code=item.code)
    return TakedownWorld(label=label, matter=matter, recordings=recordings)


def drafted(
    world: TakedownWorld,
    *,
    route: str = "dmca",
    actor: User | None = None,
    recipient_name: str = "Tube Inc.",
    urls: list[str] | None = None,
    explanation: str = "Full copies of the recordings, uploaded without a licence.",
    render: bool = True,
) -> Takedown:
    takedown = takedown_create(
        matter=world.matter,
        route=route,
        recipient_name=recipient_name,
        recipient_kind="platform",
        recipient_email="copyright@tube.example",
        recipient_country="US",
        infringing_urls=[INFRINGING] if urls is None else urls,
        recordings=world.recordings,
        explanation=explanation,
        signatory="Rita Rights",
        actor=actor,
    )
    return takedown_render(takedown=takedown, actor=actor) if render else takedown
