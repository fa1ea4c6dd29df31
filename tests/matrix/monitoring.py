"""Routes of monitoring: suspects (upload, detail, escalation to a matter), index status."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Recording
from monitoring.models import CrawlerLog, Suspect, SuspectMatch
from monitoring.services.controls import control_check_record
from optout.roles import Capability
from optout.services.blobs import blob_store_bytes
from tests.matrix import Objects, Route, World
from tests.matrix.masters import ready_master, seeded_wav

RIGHTS = Capability.RIGHTS


def build(world: World, side: str) -> None:
    """A checked suspect matching a ready master in each label (rows made directly: the
    fingerprint and check jobs run in tests/monitoring/)."""
    objs: Objects = getattr(world, side)
    label, owner = objs.label, objs.owner
    seed = 31 if side == "a" else 32
    recording = Recording.objects.create(label=label, title=f"Monitored {side}")
    master = ready_master(objs, recording, seed=seed, name=f"monitored-{side}.wav")
    copy = blob_store_bytes(label=label, data=seeded_wav(seed + 40), actor=owner)
    suspect = Suspect.objects.create(
        label=label, blob=copy, original_name="found.wav", status=Suspect.Status.DONE,
        created_by=owner,
    )  # fmt: skip
    SuspectMatch.objects.create(
        label=label, suspect=suspect, recording=recording, master=master, votes=50,
        score=0.98, ber=0.02, suspect_offset=0, master_offset=0, length=30,
    )  # fmt: skip
    objs.suspect = suspect
    log_blob = blob_store_bytes(label=label, data=f"log {side}\n".encode(), actor=owner)
    objs.crawler_log = CrawlerLog.objects.create(
        label=label, blob=log_blob, original_name="access.log", sha256=log_blob.sha256,
        size=log_blob.size, status=CrawlerLog.Status.DONE, export_blob=log_blob,
        report={"violations": 0},
    )  # fmt: skip
    control_check_record(label=label, actor=owner, control_key="believe-ai", state="on")


def _upload(objs: Objects) -> dict[str, object]:
    return {"file": SimpleUploadedFile("found.wav", seeded_wav(77))}


def _files(objs: Objects) -> dict[str, object]:
    return {"files": [SimpleUploadedFile("found.wav", seeded_wav(78))]}


ROUTES = [
    Route("monitoring:index", writes={"POST": RIGHTS}, data=_files, format="multipart"),
    Route("monitoring:suspect", kwargs=lambda o: {"code": o.suspect.code}),
    Route(
        "monitoring:suspect_escalate", read=None, writes={"POST": RIGHTS},
        kwargs=lambda o: {"code": o.suspect.code},
    ),
    Route("api:monitoring:suspects", writes={"POST": RIGHTS}, data=_upload, format="multipart"),
    Route("api:monitoring:suspect", kwargs=lambda o: {"id": o.suspect.code}),
    Route(
        "api:monitoring:suspect-matter", read=None, writes={"POST": RIGHTS}, format="json",
        data=lambda o: {}, kwargs=lambda o: {"id": o.suspect.code},
    ),
    Route("api:monitoring:fingerprints"),
    Route("monitoring:controls", writes={"POST": RIGHTS},
          data=lambda o: {"action": "check", "control": "believe-ai", "state": "off"}),
    Route("monitoring:crawler_logs", writes={"POST": RIGHTS}, format="multipart",
          data=lambda o: {"file": SimpleUploadedFile("access.log", b"x\n")}),
    Route("monitoring:crawler_log", kwargs=lambda o: {"code": o.crawler_log.code}),
    Route(
        "monitoring:crawler_log_export", read=None, writes={"POST": RIGHTS},
        kwargs=lambda o: {"code": o.crawler_log.code},
    ),
    Route("api:monitoring:crawler-logs", writes={"POST": RIGHTS}, format="multipart",
          data=lambda o: {"file": SimpleUploadedFile("access.log", b"x\n")}),
    Route("api:monitoring:crawler-agents"),
    Route("api:monitoring:crawler-log", kwargs=lambda o: {"id": o.crawler_log.code}),
    Route(
        "api:monitoring:crawler-log-export", read=None, writes={"POST": RIGHTS}, format="json",
        data=lambda o: {}, kwargs=lambda o: {"id": o.crawler_log.code},
    ),
    Route("api:monitoring:platform-controls", writes={"PATCH": RIGHTS}, format="json",
          data=lambda o: {"recheck_days": 30}),
    Route("api:monitoring:platform-control-checks", read=None, writes={"POST": RIGHTS},
          format="json", data=lambda o: {"control": "believe-ai", "state": "off"}),
    Route("api:monitoring:platform-control-additions", read=None, writes={"POST": RIGHTS},
          format="json", data=lambda o: {"key": "own-shop", "platform": "Shop", "name": "AI"}),
]  # fmt: skip
