"""Demo catalog for ``manage.py seed_demo``: a few records of every kind, with one of
each risk flag so the dashboard has something to show."""

from __future__ import annotations

import datetime

from catalog.entities import ENTITIES
from catalog.models import AIClause, AIDisclosure, Contract, Partner, Party, PartyRole, Release
from catalog.services.entities import child_add, entity_create
from optout.models import Label, User


def seed_demo_catalog(label: Label, owner: User) -> None:
    def make(key: str, **data: object) -> object:
        return entity_create(entity=ENTITIES[key], label=label, actor=owner, data=data)

    aurora = make(
        "party",
        name="Aurora Lind",
        kind=Party.Kind.PERSON,
        roles=[PartyRole.ARTIST, PartyRole.VOCALIST, PartyRole.WRITER],
        ipi="00014107338",
        isni="000000012281955X",
    )
    nils = make(
        "party",
        name="Nils Berg",
        kind=Party.Kind.PERSON,
        roles=[PartyRole.PRODUCER, PartyRole.WRITER],
        ipi="00052210040",
    )
    publisher = make(
        "party",
        name="Fjord Music Publishing AB",
        kind=Party.Kind.ORGANISATION,
        roles=[PartyRole.PUBLISHER],
    )
    work = make("work", title="Midnight Sun", iswc="T0345246801")
    child_add(
        entity=ENTITIES["work"],
        parent=work,
        key="writers",
        data={"party": aurora, "role": "composer_lyricist", "share": 50},
        actor=owner,
    )
    child_add(
        entity=ENTITIES["work"],
        parent=work,
        key="writers",
        data={"party": nils, "role": "composer", "share": 25},
        actor=owner,
    )
    child_add(
        entity=ENTITIES["work"],
        parent=work,
        key="writers",
        data={"party": publisher, "role": "publisher", "share": 25},
        actor=owner,
    )
    first = make(
        "recording",
        isrc="SEA1B2600001",
        title="Midnight Sun",
        display_artist="Aurora Lind",
        duration_ms=214_000,
        work=work,
        p_line="℗ 2026 Northern Lights Records AB",
        ai_vocals=AIDisclosure.NONE,
        ai_instrumentation=AIDisclosure.NONE,
        ai_composition=AIDisclosure.NONE,
        ai_post_production=AIDisclosure.ASSISTED,
        ai_lyrics=AIDisclosure.NONE,
    )
    second = make(
        "recording",
        isrc="SEA1B2600002",
        title="Midnight Sun",
        version="Acoustic",
        display_artist="Aurora Lind",
        duration_ms=198_000,
        work=work,
        p_line="℗ 2026 Northern Lights Records AB",
    )
    for recording in (first, second):
        child_add(
            entity=ENTITIES["recording"],
            parent=recording,
            key="performers",
            data={"party": aurora, "role": "vocalist"},
            actor=owner,
        )
    release = make(
        "release",
        upc="0036000291452",
        title="Midnight Sun",
        release_type=Release.Type.SINGLE,
        release_date=datetime.date(2026, 2, 1),
        display_artist="Aurora Lind",
        p_line="℗ 2026 Northern Lights Records AB",
        c_line="© 2026 Northern Lights Records AB",
        territories=["Worldwide"],
        excluded_territories=[],
    )
    for number, recording in enumerate((first, second), start=1):
        child_add(
            entity=ENTITIES["release"],
            parent=release,
            key="tracks",
            data={"recording": recording, "disc_number": 1, "track_number": number},
            actor=owner,
        )
    distributor = make(
        "partner",
        name="Example Distribution Ltd",
        kind=Partner.Kind.DISTRIBUTOR,
        website="https://distribution.example",
        territories=["Worldwide"],
        releases=[release],
    )
    child_add(
        entity=ENTITIES["partner"],
        parent=distributor,
        key="contacts",
        data={"name": "Legal team", "email": "legal@distribution.example"},
        actor=owner,
    )
    make(
        "partner", name="Example Sound Library", kind=Partner.Kind.LIBRARY, territories=["SE", "NO"]
    )
    make(
        "contract",
        title="Distribution agreement 2025",
        kind=Contract.Kind.DISTRIBUTION,
        partner=distributor,
        releases=[release],
        territories=["Worldwide"],
        signed_on=datetime.date(2025, 3, 1),
        starts_on=datetime.date(2025, 3, 1),
        ai_training=AIClause.PROHIBITED,
        ai_voice=AIClause.SILENT,
        ai_sublicensing=AIClause.SILENT,
        clause_notes="§ 7.2 bars machine learning; sublicensing (§ 9) says nothing about AI.",
    )
    make(
        "contract",
        title="Vocalist agreement: Aurora Lind",
        kind=Contract.Kind.VOCALIST,
        parties=[aurora],
        recordings=[first],
        signed_on=datetime.date(2025, 9, 12),
        ai_training=AIClause.PROHIBITED,
        ai_voice=AIClause.PROHIBITED,
        ai_sublicensing=AIClause.PROHIBITED,
        clause_notes="§ 4: no voice models or synthetic replicas of the artist's voice.",
    )
    make(
        "consent",
        kind="voice_release",
        title="Voice release: Aurora Lind",
        party=aurora,
        recordings=[first],
        granted_on=datetime.date(2025, 9, 12),
        scope="Release of the recorded vocals on this recording only; no synthetic use.",
    )
    make(
        "contribution",
        recording=first,
        kind="daw_session",
        title="Ableton session, final mix",
        contributor=nils,
        made_on=datetime.date(2025, 10, 2),
        description="Session with 38 tracks; vocals recorded 2025-09-20.",
    )
    make(
        "toolterm",
        tool="iZotope Ozone",
        plan="Standard",
        version="11",
        terms_url="https://www.izotope.com/en/company/legal/eula.html",
        terms_date=datetime.date(2025, 1, 1),
        exported_on=datetime.date(2025, 10, 5),
        recordings=[first],
    )
    make(
        "marketnote",
        recording=first,
        platform="Spotify",
        territories=["Worldwide"],
        uploaded_on=datetime.date(2026, 1, 20),
        ai_metadata_fields="AI disclosure: mastering assisted by AI; no AI vocals.",
        platform_declaration="Declared “AI-assisted production” in the distributor form.",
    )
