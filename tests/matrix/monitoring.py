"""Routes of monitoring: suspects (upload or URL, detail, audio for the A/B comparison,
escalation to a matter), index status."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Recording
from evidence.services.captures import capture_request
from monitoring.models import CrawlerLog, Suspect, SuspectMatch, Watch, WatchCheck
from monitoring.services.controls import control_check_record
from monitoring.services.reports import fan_report_submit
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
    objs.report, _reference = fan_report_submit(
        label=label, url=f"https://videos.example/{side}", kind="copy", subject="Song"
    )
    objs.report_group = objs.report.group
    objs.watch = Watch.objects.create(
        label=label, name=f"Terms {side}", purpose="partner_terms",
        url=f"https://terms-{side}.example/", interval_hours=24, created_by=owner,
    )  # fmt: skip
    capture = capture_request(
        label=label, actor=owner, url=f"https://terms-{side}.example/", purpose="partner_terms"
    )
    objs.watch_check = WatchCheck.objects.create(
        label=label, watch=objs.watch, capture=capture, outcome="first"
    )
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
    Route("monitoring:suspect_audio", kwargs=lambda o: {"code": o.suspect.code}),
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
    # Fan reports: the public form and status page, and the rights team's triage.
    Route("fan_report", kind="public", kwargs=lambda o: {"slug": o.label.slug},
          note="The public form; its limits and honeypot: tests/monitoring/test_reports.py."),
    Route("fan_report_names", kind="public", kwargs=lambda o: {"slug": o.label.slug},
          note="Names of the released catalogue only, rate-limited."),
    Route("fan_report_status", kind="public",
          kwargs=lambda o: {"slug": o.label.slug, "reference": "not-a-real-reference"},
          note="Reference-gated: an unknown reference is a 404 page."),
    Route("monitoring:reports"),
    Route("monitoring:report", writes={"POST": RIGHTS}, data=lambda o: {"reason": "Not ours"},
          kwargs=lambda o: {"code": o.report_group.code}),
    Route("monitoring:report_capture", read=None, writes={"POST": RIGHTS},
          kwargs=lambda o: {"code": o.report_group.code}),
    Route("monitoring:report_suspect", read=None, writes={"POST": RIGHTS},
          kwargs=lambda o: {"code": o.report_group.code}),
    Route("monitoring:report_matter", read=None, writes={"POST": RIGHTS},
          kwargs=lambda o: {"code": o.report_group.code}),
    Route("api:monitoring:reports"),
    Route("api:monitoring:report", kwargs=lambda o: {"id": o.report_group.code}),
    Route("api:monitoring:report-dismiss", read=None, writes={"POST": RIGHTS}, format="json",
          data=lambda o: {"reason": "Not ours"}, kwargs=lambda o: {"id": o.report_group.code}),
    Route("api:monitoring:report-capture", read=None, writes={"POST": RIGHTS}, format="json",
          data=lambda o: {}, kwargs=lambda o: {"id": o.report_group.code}),
    Route("api:monitoring:report-suspect", read=None, writes={"POST": RIGHTS}, format="json",
          data=lambda o: {}, kwargs=lambda o: {"id": o.report_group.code}),
    Route("api:monitoring:report-matter", read=None, writes={"POST": RIGHTS}, format="json",
          data=lambda o: {}, kwargs=lambda o: {"id": o.report_group.code}),
    # Watched pages.
    Route("monitoring:watches", writes={"POST": RIGHTS},
          data=lambda o: {"url": "https://terms.example/new", "purpose": "tool_terms",
                          "interval_hours": "24", "language": "en"}),
    Route("monitoring:watch", kwargs=lambda o: {"code": o.watch.code}),
    Route("monitoring:watch_stop", read=None, writes={"POST": RIGHTS},
          kwargs=lambda o: {"code": o.watch.code}),
    Route("monitoring:watch_capture", read=None, writes={"POST": RIGHTS},
          kwargs=lambda o: {"code": o.watch.code}),
    Route("monitoring:watch_check", kwargs=lambda o: {"code": o.watch_check.code}),
    Route("api:monitoring:watches", writes={"POST": RIGHTS}, format="json",
          data=lambda o: {"url": "https://terms.example/api", "purpose": "tool_terms",
                          "interval_hours": 24}),
    Route("api:monitoring:watch", writes={"PATCH": RIGHTS, "DELETE": RIGHTS}, format="json",
          data=lambda o: {"interval_hours": 48}, kwargs=lambda o: {"id": o.watch.code}),
    Route("api:monitoring:watch-capture", read=None, writes={"POST": RIGHTS}, format="json",
          data=lambda o: {}, kwargs=lambda o: {"id": o.watch.code}),
    # Alerts of every kind, in one place (the evidence app's pages and API).
    Route("evidence:alerts"),
    Route("evidence:alert_preferences", writes={"POST": Capability.VIEW},
          data=lambda o: {"kind-fan_report": "never"}),
    Route("evidence:alert_done", read=None, writes={"POST": RIGHTS},
          kwargs=lambda o: {"code": o.alert.code}),
    Route("api:evidence:label-alerts"),
    Route("api:evidence:label-alert", kwargs=lambda o: {"id": o.alert.code}),
    Route("api:evidence:label-alert-resolve", read=None, writes={"POST": RIGHTS},
          format="json", data=lambda o: {}, kwargs=lambda o: {"id": o.alert.code}),
    Route("api:evidence:alert-preferences", writes={"PUT": Capability.VIEW}, format="json",
          data=lambda o: {"deliveries": {"fan_report": "daily"}}),
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
