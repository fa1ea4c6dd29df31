"""Demo catalog for ``manage.py seed_demo``: a few records of every kind, with one of
each risk flag so the dashboard has something to show."""

from __future__ import annotations

import datetime
from typing import Any

from catalog.entities import ENTITIES
from catalog.models import AIClause, AIDisclosure, Contract, Partner, Party, PartyRole, Release
from catalog.services.entities import child_add, entity_create
from optout.models import Label, User

P_LINE = "℗ 2026 Northern Lights Records AB"

# The demo, in order. Each step is ``(target, name, data)``: a target that is an entity key
# makes a record remembered as ``name``; ``"<name>.<child>"`` adds a child row to the record
# made as ``<name>``. In ``data`` a string "@name" (alone or in a list) is a record made
# earlier.
STEPS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "party",
        "aurora",
        {
            "name": "Aurora Lind",
            "kind": Party.Kind.PERSON,
            "roles": [PartyRole.ARTIST, PartyRole.VOCALIST, PartyRole.WRITER],
            "ipi": "00014107338",
            "isni": "000000012281955X",
        },
    ),
    (
        "party",
        "nils",
        {
            "name": "Nils Berg",
            "kind": Party.Kind.PERSON,
            "roles": [PartyRole.PRODUCER, PartyRole.WRITER],
            "ipi": "00052210040",
        },
    ),
    (
        "party",
        "publisher",
        {
            "name": "Fjord Music Publishing AB",
            "kind": Party.Kind.ORGANISATION,
            "roles": [PartyRole.PUBLISHER],
        },
    ),
    ("work", "work", {"title": "Midnight Sun", "iswc": "T0345246801"}),
    ("work.writers", "", {"party": "@aurora", "role": "composer_lyricist", "share": 50}),
    ("work.writers", "", {"party": "@nils", "role": "composer", "share": 25}),
    ("work.writers", "", {"party": "@publisher", "role": "publisher", "share": 25}),
    (
        "recording",
        "first",
        {
            "isrc": "SEA1B2600001",
            "title": "Midnight Sun",
            "display_artist": "Aurora Lind",
            "duration_ms": 214_000,
            "work": "@work",
            "p_line": P_LINE,
            "ai_vocals": AIDisclosure.NONE,
            "ai_instrumentation": AIDisclosure.NONE,
            "ai_composition": AIDisclosure.NONE,
            "ai_post_production": AIDisclosure.ASSISTED,
            "ai_lyrics": AIDisclosure.NONE,
        },
    ),
    (
        "recording",
        "second",
        {
            "isrc": "SEA1B2600002",
            "title": "Midnight Sun",
            "version": "Acoustic",
            "display_artist": "Aurora Lind",
            "duration_ms": 198_000,
            "work": "@work",
            "p_line": P_LINE,
        },
    ),
    ("first.performers", "", {"party": "@aurora", "role": "vocalist"}),
    ("second.performers", "", {"party": "@aurora", "role": "vocalist"}),
    (
        "release",
        "release",
        {
            "upc": "0036000291452",
            "title": "Midnight Sun",
            "release_type": Release.Type.SINGLE,
            "release_date": datetime.date(2026, 2, 1),
            "display_artist": "Aurora Lind",
            "p_line": P_LINE,
            "c_line": "© 2026 Northern Lights Records AB",
            "territories": ["Worldwide"],
            "excluded_territories": [],
        },
    ),
    ("release.tracks", "", {"recording": "@first", "disc_number": 1, "track_number": 1}),
    ("release.tracks", "", {"recording": "@second", "disc_number": 1, "track_number": 2}),
    (
        "partner",
        "distributor",
        {
            "name": "Example Distribution Ltd",
            "kind": Partner.Kind.DISTRIBUTOR,
            "website": "https://distribution.example",
            "territories": ["Worldwide"],
            "releases": ["@release"],
        },
    ),
    ("distributor.contacts", "", {"name": "Legal team", "email": "legal@distribution.example"}),
    (
        "partner",
        "library",
        {
            "name": "Example Sound Library",
            "kind": Partner.Kind.LIBRARY,
            "territories": ["SE", "NO"],
        },
    ),
    (
        "contract",
        "distribution",
        {
            "title": "Distribution agreement 2025",
            "kind": Contract.Kind.DISTRIBUTION,
            "partner": "@distributor",
            "releases": ["@release"],
            "territories": ["Worldwide"],
            "signed_on": datetime.date(2025, 3, 1),
            "starts_on": datetime.date(2025, 3, 1),
            "ai_training": AIClause.PROHIBITED,
            "ai_voice": AIClause.SILENT,
            "ai_sublicensing": AIClause.SILENT,
            "clause_notes": (
                "§ 7.2 bars machine learning; sublicensing (§ 9) says nothing about AI."
            ),
        },
    ),
    (
        "contract",
        "vocalist",
        {
            "title": "Vocalist agreement: Aurora Lind",
            "kind": Contract.Kind.VOCALIST,
            "parties": ["@aurora"],
            "recordings": ["@first"],
            "signed_on": datetime.date(2025, 9, 12),
            "ai_training": AIClause.PROHIBITED,
            "ai_voice": AIClause.PROHIBITED,
            "ai_sublicensing": AIClause.PROHIBITED,
            "clause_notes": "§ 4: no voice models or synthetic replicas of the artist's voice.",
        },
    ),
    (
        "consent",
        "consent",
        {
            "kind": "voice_release",
            "title": "Voice release: Aurora Lind",
            "party": "@aurora",
            "recordings": ["@first"],
            "granted_on": datetime.date(2025, 9, 12),
            "scope": "Release of the recorded vocals on this recording only; no synthetic use.",
        },
    ),
    (
        "contribution",
        "session",
        {
            "recording": "@first",
            "kind": "daw_session",
            "title": "Ableton session, final mix",
            "contributor": "@nils",
            "made_on": datetime.date(2025, 10, 2),
            "description": "Session with 38 tracks; vocals recorded 2025-09-20.",
        },
    ),
    (
        "toolterm",
        "ozone",
        {
            "tool": "iZotope Ozone",
            "plan": "Standard",
            "version": "11",
            "terms_url": "https://www.izotope.com/en/company/legal/eula.html",
            "terms_date": datetime.date(2025, 1, 1),
            "exported_on": datetime.date(2025, 10, 5),
            "recordings": ["@first"],
        },
    ),
    (
        "marketnote",
        "spotify",
        {
            "recording": "@first",
            "platform": "Spotify",
            "territories": ["Worldwide"],
            "uploaded_on": datetime.date(2026, 1, 20),
            "ai_metadata_fields": "AI disclosure: mastering assisted by AI; no AI vocals.",
            "platform_declaration": "Declared “AI-assisted production” in the distributor form.",
        },
    ),
)


def seed_demo_catalog(label: Label, owner: User) -> None:
    made: dict[str, tuple[str, Any]] = {}

    def resolve(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("@"):
            return made[value[1:]][1]
        if isinstance(value, list):
            return [resolve(item) for item in value]
        return value

    for target, name, raw in STEPS:
        data = {key: resolve(value) for key, value in raw.items()}
        parent_name, _dot, child = target.partition(".")
        if child:
            key, parent = made[parent_name]
            child_add(entity=ENTITIES[key], parent=parent, key=child, data=data, actor=owner)
        else:
            record = entity_create(entity=ENTITIES[target], label=label, actor=owner, data=data)
            made[name] = (target, record)
