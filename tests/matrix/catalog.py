"""Catalog routes in the cross-label / role matrix, made from ``catalog.entities``."""

from __future__ import annotations

from typing import Any

from catalog.entities import ENTITIES
from catalog.models import (
    CatalogImport,
    PartnerContact,
    RecordingPerformer,
    ReleaseTrack,
    WorkWriter,
)
from optout.roles import Capability
from optout.services.blobs import blob_store_bytes
from optout.services.jobs import job_create
from tests.matrix import Objects, Route, World

CATALOG = Capability.CATALOG


def build(world: World, side: str) -> None:
    objs: Objects = getattr(world, side)
    label, owner = objs.label, objs.owner

    def make(key: str, **data: Any) -> Any:
        # Plain creates: the matrix needs real rows, not the services' ledger entries.
        model: Any = ENTITIES[key].model
        return model.objects.create(label=label, **data)

    blob = blob_store_bytes(label=label, data=f"document of {side}".encode(), actor=owner)
    objs.blob = blob
    objs.party = make("party", name=f"Singer {side}", roles=["vocalist"])
    objs.work = make("work", title=f"Work {side}", iswc="T0345246801")
    objs.recording = make("recording", title=f"Song {side}", isrc="SEABC2600001", work=objs.work)
    objs.release = make("release", title=f"Single {side}", upc="0036000291452")
    objs.partner = make("partner", name=f"Distributor {side}", kind="distributor")
    objs.contract = make(
        "contract",
        title=f"Deal {side}",
        kind="distribution",
        partner=objs.partner,
        document=blob,
        document_name="deal.pdf",
    )
    objs.consent = make(
        "consent",
        kind="voice_release",
        title=f"Release {side}",
        document=blob,
        document_name="c.pdf",
    )
    objs.contribution = make(
        "contribution",
        recording=objs.recording,
        kind="stems",
        title=f"Stems {side}",
        file=blob,
        file_name="stems.zip",
    )
    objs.toolterm = make("toolterm", tool="DAW", document=blob, document_name="terms.html")
    objs.marketnote = make(
        "marketnote", recording=objs.recording, platform="Shop", file=blob, file_name="shot.png"
    )
    objs.writers = WorkWriter.objects.create(
        label=label, work=objs.work, party=objs.party, role="composer", share=50
    )
    objs.performers = RecordingPerformer.objects.create(
        label=label, recording=objs.recording, party=objs.party, role="vocalist"
    )
    objs.tracks = ReleaseTrack.objects.create(
        label=label, release=objs.release, recording=objs.recording, track_number=1
    )
    objs.contacts = PartnerContact.objects.create(
        label=label, partner=objs.partner, email=f"legal@{side}.example"
    )
    job = job_create(label=label, kind="catalog.import", actor=owner, title="Import")
    objs.catalog_import = CatalogImport.objects.create(
        label=label,
        job=job,
        source=blob,
        source_name="catalog.csv",
        format="csv",
        error_report=blob,
        created_by=owner,
    )


# A plausible body for creating or changing each kind (a 400 is fine: the matrix checks
# who may try, tests/catalog/ checks what each write does).
FORM_DATA: dict[str, dict[str, Any]] = {
    "party": {"name": "New party", "kind": "person"},
    "work": {"title": "New work"},
    "recording": {
        "title": "New song",
        "isrc": "SEABC2600099",
        "ai_vocals": "none",
        "ai_instrumentation": "none",
        "ai_composition": "none",
        "ai_post_production": "none",
        "ai_lyrics": "none",
    },
    "release": {"title": "New single", "release_type": "single"},
    "partner": {"name": "New partner", "kind": "dsp"},
    "contract": {
        "title": "New deal",
        "kind": "sync",
        "ai_training": "prohibited",
        "ai_voice": "prohibited",
        "ai_sublicensing": "prohibited",
    },
    "consent": {"title": "New consent", "kind": "sample_licence"},
    "contribution": {"title": "New record", "kind": "midi", "recording": "SEABC2600001"},
    "toolterm": {"tool": "New tool"},
    "marketnote": {"platform": "New shop", "recording": "SEABC2600001"},
}

CHILD_DATA = {
    "writers": lambda o: {
        "writers-party": str(o.party.code),
        "writers-role": "lyricist",
        "writers-share": "10",
    },
    "performers": lambda o: {"performers-party": str(o.party.code), "performers-role": "musician"},
    "tracks": lambda o: {
        "tracks-recording": str(o.recording.code),
        "tracks-disc_number": "1",
        "tracks-track_number": "2",
    },
    "contacts": lambda o: {"contacts-email": "new@example.test"},
}

API_DATA: dict[str, Any] = {
    **{key: dict(value) for key, value in FORM_DATA.items()},
    "contribution": lambda o: {
        "title": "New record",
        "kind": "midi",
        "recording": str(o.recording.code),
    },
    "marketnote": lambda o: {"platform": "New shop", "recording": str(o.recording.code)},
}


def _const(value: dict[str, Any]) -> Any:
    def data(o: Objects) -> dict[str, Any]:
        return value

    return data


def _child_kwargs(key: str, child: str) -> Any:
    def kwargs(o: Objects) -> dict[str, Any]:
        return {"code": getattr(o, key).code, "child": getattr(o, child).code}

    return kwargs


def _api_data(key: str) -> Any:
    value = API_DATA[key]
    return value if callable(value) else _const(value)


def _routes() -> list[Route]:
    routes = [
        Route("catalog:index"),
        Route("catalog:imports", writes={"POST": CATALOG}, data=lambda o: {"format": "csv"}),
        Route("catalog:import", kwargs=lambda o: {"code": o.catalog_import.code}),
        Route("catalog:import_report", kwargs=lambda o: {"code": o.catalog_import.code}),
        Route(
            "catalog:import_confirm",
            kwargs=lambda o: {"code": o.catalog_import.code},
            writes={"POST": CATALOG},
            data=lambda o: {"col_0": "isrc"},
        ),
        Route("catalog:export", kwargs=lambda o: {"kind": "recordings"}),
        Route(
            "catalog:settings",
            writes={"POST": CATALOG},
            data=lambda o: {"aliases": "isrc: Track code"},
        ),
        Route(
            "api:catalog:import-list",
            writes={"POST": CATALOG},
            format="multipart",
            data=lambda o: {},
        ),
        Route("api:catalog:import-detail", kwargs=lambda o: {"id": o.catalog_import.code}),
        Route("api:catalog:import-report", kwargs=lambda o: {"id": o.catalog_import.code}),
        Route("api:catalog:export", query="?kind=works"),
        Route("api:catalog:recording-coverage", kwargs=lambda o: {"id": o.recording.code}),
    ]
    for entity in ENTITIES.values():
        key, need = entity.key, entity.capability

        def one(o: Objects, key: str = key) -> dict[str, Any]:
            return {"code": getattr(o, key).code}

        def api_one(o: Objects, key: str = key) -> dict[str, Any]:
            return {"id": getattr(o, key).code}

        form = FORM_DATA[key]
        routes += [
            Route(f"catalog:{entity.plural}"),
            Route(f"catalog:{key}_new", read=need, writes={"POST": need}, data=_const(form)),
            Route(f"catalog:{key}", kwargs=one),
            Route(
                f"catalog:{key}_edit",
                kwargs=one,
                read=need,
                writes={"POST": need},
                data=_const(form),
            ),
            Route(f"catalog:{key}_delete", kwargs=one, read=None, writes={"POST": need}),
            Route(
                f"api:catalog:{key}-list", writes={"POST": need}, format="json", data=_api_data(key)
            ),
            Route(
                f"api:catalog:{key}-detail",
                kwargs=api_one,
                writes={"PATCH": need, "DELETE": need},
                format="json",
                data=_api_data(key),
            ),
        ]
        if entity.file_field:
            routes += [
                Route(f"catalog:{key}_file", kwargs=one),
                Route(f"api:catalog:{key}-file", kwargs=api_one),
            ]
        for child in entity.children:
            routes += [
                Route(
                    f"catalog:{key}_{child.key}_add",
                    kwargs=one,
                    read=None,
                    writes={"POST": need},
                    data=CHILD_DATA[child.key],
                ),
                Route(
                    f"catalog:{key}_{child.key}_remove",
                    kwargs=_child_kwargs(key, child.key),
                    read=None,
                    writes={"POST": need},
                ),
            ]
    return routes


ROUTES = _routes()
