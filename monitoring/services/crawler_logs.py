"""Crawler logs: an access log read in a job and judged, request by request, against the
robots.txt the label published on that day.

A log arrives as an upload (hashed while it arrives, stored as a blob) or as a path in a
server folder the operator allowed (``OPTOUT_CRAWLER_LOG_DIRS``; hashed by the job, never
copied). The job streams it once (``monitoring.accesslog.scan``) and keeps per agent what
it did; the violating lines, each robots.txt that applied and a manifest naming the policy
versions and the captures that prove the file was published make the export (a ZIP blob),
which joins a matter as it is or becomes an evidence item.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from evidence.models import Capture, EvidenceItem
from evidence.services.items import evidence_item_create
from monitoring.accesslog import (
    AgentSpec,
    ProtegoRules,
    ScanResult,
    Tap,
    VerifyRule,
    open_log,
    scan,
    specs_from_registry,
)
from monitoring.models import CrawlerLog, CrawlerLogAgent
from optout.jobs import JobFailure
from optout.lib.fetch.transport import reverse_dns_confirms
from optout.lib.hashing import copy_and_hash, sha256_file
from optout.lib.tempfiles import temp_dir
from optout.models import Label, User
from optout.policy.models import PolicyVersion
from optout.policy.services.agents import agent_registry
from optout.policy.services.policy import policy_fingerprint
from optout.policy.services.signals import signal_bundle
from optout.services.blobs import blob_local_path, blob_store_file, blob_store_hashed
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append
from optout.uploads import HashedUploadedFile

CRAWLER_LOG_ANALYSE = "monitoring.crawler_log_analyse"
DATA = Path(__file__).resolve().parent.parent / "data" / "crawler_verification.json"

Progress = Callable[[int | float, str | None], None]


class CrawlerLogError(ValueError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# --- receiving ---------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    return (name or "access.log").replace("\x00", "\ufffd").strip()[:255] or "access.log"


def _queue(log: CrawlerLog, *, actor: User | None) -> CrawlerLog:
    log.job = job_create(
        label=log.label,
        kind=CRAWLER_LOG_ANALYSE,
        actor=actor,
        title=_("Analyse access log %(name)s") % {"name": log.original_name},
        params={"log": str(log.code)},
    )
    log.save()
    return log


def crawler_log_submit(
    *,
    label: Label,
    path: Path,
    sha256: str,
    size: int,
    original_name: str,
    actor: User | None,
) -> CrawlerLog:
    """Store an uploaded log (``path``, hashed on arrival, is consumed) and queue its
    analysis. Whether it is a log is the job's question: a file that is not one ends with
    every line counted as malformed, on record."""
    if size == 0:
        raise CrawlerLogError(_("The file is empty."), code="empty")
    name = _clean_name(original_name)
    with transaction.atomic():
        blob = blob_store_hashed(label=label, path=path, sha256=sha256, size=size, actor=actor)
        log = CrawlerLog(
            code=uuid.uuid4(), label=label, source=CrawlerLog.Source.UPLOAD, blob=blob,
            original_name=name, sha256=sha256, size=size, created_by=actor,
        )  # fmt: skip
        _queue(log, actor=actor)
        ledger_append(
            label=label, actor=actor, action="crawler_log.received", subject=log, blob=blob,
            data={"original_name": name, "size": size, "sha256": sha256},
        )  # fmt: skip
    return log


def allowed_log_path(text: str) -> Path:
    """The real path of ``text`` when it is a file inside a folder the operator allowed."""
    folders = [Path(f).resolve() for f in settings.OPTOUT_CRAWLER_LOG_DIRS if f.strip()]
    if not folders:
        raise CrawlerLogError(
            _("This server reads no logs from its own folders (OPTOUT_CRAWLER_LOG_DIRS is empty)."),
            code="no_folders",
        )
    if not text or "\x00" in text or not Path(text).is_absolute():
        raise CrawlerLogError(_("Give the absolute path of the log file."), code="bad_path")
    real = Path(text).resolve()
    if not any(real.is_relative_to(folder) for folder in folders):
        raise CrawlerLogError(
            _("The path is outside the folders this server may read logs from."),
            code="path_not_allowed",
        )
    if not real.is_file():
        raise CrawlerLogError(_("There is no file at this path."), code="no_file")
    return real


def crawler_log_from_path(*, label: Label, path: str, actor: User | None) -> CrawlerLog:
    """Queue the analysis of a log the worker reads where it lies (never copied)."""
    real = allowed_log_path(path)
    with transaction.atomic():
        log = CrawlerLog(
            code=uuid.uuid4(), label=label, source=CrawlerLog.Source.SERVER_PATH,
            server_path=str(real), original_name=_clean_name(real.name),
            size=real.stat().st_size, created_by=actor,
        )  # fmt: skip
        _queue(log, actor=actor)
        ledger_append(
            label=label, actor=actor, action="crawler_log.requested", subject=log,
            data={"path": str(real)},
        )  # fmt: skip
    return log


# --- what the scan needs -------------------------------------------------------------------


def agent_specs() -> list[AgentSpec]:
    return specs_from_registry(agent_registry())


@cache
def verification_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def _networks(path: Path) -> tuple[Any, ...]:
    import ipaddress

    raw = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for entry in raw.get("prefixes", []) if isinstance(raw, dict) else []:
        prefix = (
            entry.get("ipv4Prefix") or entry.get("ipv6Prefix") if isinstance(entry, dict) else None
        )
        if not isinstance(prefix, str):
            continue
        try:
            network = ipaddress.ip_network(prefix, strict=False)
        except ValueError:
            continue
        # A range this broad proves nothing about who sent the request.
        if network.prefixlen >= (8 if network.version == 4 else 16):
            found.append(network)
    return tuple(found)


def _dns_resolver(domains: tuple[str, ...]) -> Callable[[str], bool]:
    return lambda address: reverse_dns_confirms(address, domains)


def verification_rules() -> tuple[dict[str, VerifyRule], dict[str, dict[str, Any]]]:
    """The rules usable now, and per agent how its requests were (or could not be) checked."""
    folder = (
        Path(settings.OPTOUT_CRAWLER_RANGES_DIR) if settings.OPTOUT_CRAWLER_RANGES_DIR else None
    )
    rules: dict[str, VerifyRule] = {}
    described: dict[str, dict[str, Any]] = {}
    for token, facts in verification_data()["agents"].items():
        entry: dict[str, Any] = {"source": facts["source"], "ranges_url": facts["ranges_url"]}
        ranges_file = folder / facts["ranges_file"] if folder and facts["ranges_file"] else None
        networks: tuple[Any, ...] = ()
        if ranges_file is not None and ranges_file.is_file():
            try:
                networks = _networks(ranges_file)
            except (ValueError, UnicodeDecodeError):
                networks = ()
            entry["ranges_sha256"] = sha256_file(ranges_file).sha256
        domains = tuple(facts["reverse_dns"])
        if networks:
            rules[token] = VerifyRule(networks=networks)
            entry["method"] = "ip_ranges"
            entry["networks"] = len(networks)
        elif domains and settings.OPTOUT_CRAWLER_VERIFY_DNS:
            rules[token] = VerifyRule(reverse_dns=domains, resolver=_dns_resolver(domains))
            entry["method"] = "reverse_dns"
        else:
            entry["method"] = "none"
            entry["why"] = (
                "published ranges not loaded; reverse DNS lookups not allowed"
                if domains
                else "published ranges not loaded"
            )
        described[token] = entry
    return rules, described


class PolicyHistory:
    """The robots.txt in force on each day, from the label's approved policy versions."""

    def __init__(self, label: Label) -> None:
        self.label = label
        self.versions = list(
            PolicyVersion.objects.for_label(label)
            .filter(status=PolicyVersion.Status.APPROVED)
            .order_by("effective_date", "number")
        )
        self.texts: dict[str, str] = {}
        self._parsed: dict[str, ProtegoRules] = {}

    def version_on(self, day: date) -> PolicyVersion | None:
        found = None
        for version in self.versions:
            if version.effective_date is not None and version.effective_date <= day:
                found = version
        return found

    def __call__(self, day: date) -> tuple[str, ProtegoRules | None]:
        version = self.version_on(day)
        if version is None:
            return "", None
        key = str(version.number)
        if key not in self._parsed:
            bundle = signal_bundle(label=self.label, version=version)
            assert bundle is not None
            self.texts[key] = bundle["robots.txt"]
            self._parsed[key] = ProtegoRules(self.texts[key])
        return key, self._parsed[key]

    def by_number(self, key: str) -> PolicyVersion:
        found: PolicyVersion = next(v for v in self.versions if str(v.number) == key)
        return found


# --- the analysis job ----------------------------------------------------------------------


def _aware(text: str | None) -> datetime | None:
    return parse_datetime(text) if text else None


def _proving_captures(label: Label, last_day: date | None) -> list[Capture]:
    """Captures of a robots.txt of the label made by the last day of the log: what shows the
    file was served (not only compiled)."""
    found = Capture.objects.for_label(label).filter(
        status=Capture.Status.DONE, url__endswith="/robots.txt"
    )
    if last_day is not None:
        found = found.filter(captured_at__date__lte=last_day)
    return list(found.select_related("warc").order_by("-captured_at")[:10])


def _manifest(
    log: CrawlerLog, result: ScanResult, history: PolicyHistory, captures: list[Capture]
) -> dict[str, Any]:
    return {
        "log": {
            "id": str(log.code),
            "name": log.original_name,
            "sha256": log.sha256,
            "size": log.size,
            "source": log.source,
        },
        "label": log.label.slug,
        "totals": result.totals(),
        "policy_versions": [
            {
                "number": int(key),
                "effective_date": history.by_number(key).effective_date.isoformat(),  # type: ignore[union-attr]
                "fingerprint": policy_fingerprint(history.by_number(key)),
                "days_judged": span,
                "robots_txt": f"robots-v{key}.txt",
                "robots_txt_sha256": hashlib.sha256(history.texts[key].encode()).hexdigest(),
            }
            for key, span in sorted(result.versions.items(), key=lambda kv: int(kv[0]))
        ],
        "captures": [
            {
                "id": str(c.code),
                "url": c.url,
                "captured_at": c.captured_at.isoformat() if c.captured_at else None,
                "http_status": c.http_status,
                "warc_sha256": c.warc.sha256 if c.warc else None,
            }
            for c in captures
        ],
        "agents": [s.as_dict() for s in sorted(result.agents.values(), key=lambda s: s.spec.token)],
        "how_judged": (
            "Each request whose User-Agent names a registry agent is judged with Protego "
            "against the robots.txt compiled from the policy version in force on the day the "
            "log line carries; violations.log.gz holds the violating lines verbatim."
        ),
    }


def _export(
    workdir: Path,
    log: CrawlerLog,
    result: ScanResult,
    history: PolicyHistory,
    violations: Path,
    rules: dict[str, Any],
) -> Path:
    captures = _proving_captures(log.label, result.last_day)
    manifest = _manifest(log, result, history, captures)
    manifest["verification"] = rules
    path = workdir / "export.zip"
    stamp = (max(timezone.now().year, 1980), 1, 1, 0, 0, 0)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("violations.log.gz", date_time=stamp)
        info.compress_type = zipfile.ZIP_STORED  # already compressed
        with archive.open(info, "w") as target, open(violations, "rb") as source:
            shutil.copyfileobj(source, target, 1024 * 1024)
        for key in result.versions:
            archive.writestr(
                zipfile.ZipInfo(f"robots-v{key}.txt", date_time=stamp), history.texts[key]
            )
        archive.writestr(
            zipfile.ZipInfo("manifest.json", date_time=stamp),
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
        )
    return path


def _read(
    log: CrawlerLog, path: Path, workdir: Path, progress: Progress
) -> tuple[ScanResult, Path]:
    history = PolicyHistory(log.label)
    rules, described = verification_rules()
    violations = workdir / "violations.log.gz"
    size = max(log.size, 1)
    hashed = log.source == CrawlerLog.Source.SERVER_PATH
    shown = [-1]
    tap: Tap | None = None

    def report(lines: int) -> None:
        done = tap.count if tap is not None else 0
        percent = int(min(95, 95 * done / size))
        if percent != shown[0]:  # one progress write per percent, not per chunk
            shown[0] = percent
            progress(percent, _("%(n)s lines read") % {"n": f"{lines:,}"})

    try:
        with (
            open_log(str(path), hashed=hashed) as (stream, tap),
            gzip.open(violations, "wb", compresslevel=1) as out,
        ):
            result = scan(
                stream,
                agents=agent_specs(),
                robots_for_day=history,
                verify=rules,
                violations_out=out,
                progress=report,
            )
    except OSError as error:
        if isinstance(error, gzip.BadGzipFile):
            raise JobFailure(
                _("The gzip file is damaged or cut short (%(e)s).") % {"e": str(error)}
            ) from None
        raise JobFailure(
            _("The log could not be opened: %(e)s") % {"e": error.strerror or error}
        ) from None
    except (EOFError, zlib.error) as error:
        raise JobFailure(
            _("The gzip file is damaged or cut short (%(e)s).") % {"e": str(error) or "EOF"}
        ) from None
    if hashed:
        # The server's file may still grow: what was analysed is what was hashed.
        assert tap is not None
        log.sha256, log.size = tap.hexdigest(), tap.count
    result_path = _export(workdir, log, result, history, violations, described)
    log.report = {
        **result.totals(),
        "malformed_samples": result.malformed_samples,
        "policy_versions": dict(sorted(result.versions.items())),
        "verification": described,
    }
    return result, result_path


def crawler_log_analyse(*, log: CrawlerLog, progress: Progress) -> dict[str, Any]:
    """The analysis job. Idempotent: a log already analysed is left alone."""
    if log.status != CrawlerLog.Status.PENDING:
        return {"status": log.status}
    label = log.label
    with tempfile.TemporaryDirectory(prefix="crawler-log-", dir=temp_dir()) as folder:
        workdir = Path(folder)
        if log.source == CrawlerLog.Source.UPLOAD:
            assert log.blob is not None
            with blob_local_path(log.blob) as path:
                result, export = _read(log, path, workdir, progress)
        else:
            try:
                path = allowed_log_path(log.server_path)
            except CrawlerLogError as error:
                _fail(log, error.message)
                raise JobFailure(error.message) from None
            result, export = _read(log, path, workdir, progress)
        violations_path = workdir / "violations.log.gz"
        with transaction.atomic():
            violations_blob = (
                blob_store_file(label=label, path=violations_path, actor=None,
                                media_type="application/gzip")
                if result.violations else None
            )  # fmt: skip
            export_blob = blob_store_file(
                label=label, path=export, actor=None, media_type="application/zip"
            )
            if log.source == CrawlerLog.Source.SERVER_PATH:
                # The log itself is no blob: its hash goes in the ledger as read.
                ledger_append(
                    label=label, actor=None, action="crawler_log.read", subject=log,
                    sha256=log.sha256, data={"path": log.server_path, "size": log.size},
                )  # fmt: skip
            CrawlerLogAgent.objects.for_label(label).filter(log=log).delete()
            CrawlerLogAgent.objects.bulk_create(
                [_agent_row(log, stats.as_dict()) for stats in result.agents.values()]
            )
            _update(
                log, status=CrawlerLog.Status.DONE, problem="", report=log.report,
                sha256=log.sha256, size=log.size, violations_blob=violations_blob,
                export_blob=export_blob, analysed_at=timezone.now(),
            )  # fmt: skip
            ledger_append(
                label=label, actor=None, action="crawler_log.analysed", subject=log,
                blob=export_blob,
                data={
                    "log_sha256": log.sha256, "size": log.size,
                    "lines": result.lines, "malformed": result.malformed,
                    "agent_requests": result.agent_requests, "violations": result.violations,
                    "policy_versions": sorted(result.versions),
                },
            )  # fmt: skip
    return {
        "lines": result.lines,
        "agent_requests": result.agent_requests,
        "violations": result.violations,
        "malformed": result.malformed,
    }


def _agent_row(log: CrawlerLog, facts: dict[str, Any]) -> CrawlerLogAgent:
    return CrawlerLogAgent(
        label=log.label,
        log=log,
        token=facts["token"],
        purpose=facts["purpose"],
        requests=facts["requests"],
        allowed=facts["allowed"],
        violations=facts["violations"],
        signal_fetches=facts["signal_fetches"],
        unjudged=facts["unjudged"],
        robots_fetches=facts["robots_fetches"],
        violations_after_robots=facts["violations_after_robots"],
        control_reserved=facts["control_reserved"],
        verified=facts["verified"],
        impostors=facts["impostors"],
        unverifiable=facts["unverifiable"],
        first_seen=_aware(facts["first_seen"]),
        last_seen=_aware(facts["last_seen"]),
        top_paths=facts["top_paths"],
        top_violating_paths=facts["top_violating_paths"],
    )


def _update(log: CrawlerLog, **values: Any) -> None:
    CrawlerLog.objects.for_label(log.label).filter(pk=log.pk).update(**values)
    for key, value in values.items():
        setattr(log, key, value)


def _fail(log: CrawlerLog, message: str) -> None:
    with transaction.atomic():
        _update(log, status=CrawlerLog.Status.FAILED, problem=message, analysed_at=timezone.now())
        ledger_append(label=log.label, actor=None, action="crawler_log.failed", subject=log,
                      data={"reason": message})  # fmt: skip


def crawler_log_for_job(*, label: Label, code: str, progress: Progress) -> dict[str, Any]:
    found = (
        CrawlerLog.objects.for_label(label)
        .select_related("blob", "label")
        .filter(code=code)
        .first()
    )
    if found is None:
        raise JobFailure(_("This log no longer exists."))
    try:
        return crawler_log_analyse(log=found, progress=progress)
    except JobFailure as failure:
        if found.status == CrawlerLog.Status.PENDING:
            _fail(found, str(failure))
        raise


# --- export ----------------------------------------------------------------------------------


def crawler_log_export(*, log: CrawlerLog, actor: User | None) -> EvidenceItem:
    """The export as an evidence item (once per log), with the log's SHA-256 in the ledger."""
    if log.status != CrawlerLog.Status.DONE or log.export_blob is None:
        raise CrawlerLogError(_("The log has not been analysed yet."), code="not_analysed")
    if log.evidence_item_id is not None:
        raise CrawlerLogError(_("This log was already exported."), code="already_exported")
    totals = log.report
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=temp_dir())
    with (
        os.fdopen(fd, "wb") as target,
        blob_local_path(log.export_blob) as source,
        open(source, "rb") as handle,
    ):
        digest = copy_and_hash(handle, target)
    upload = HashedUploadedFile(
        path=Path(name), name=f"crawler-log-{log.code}.zip",
        content_type="application/zip", digest=digest, charset=None,
    )  # fmt: skip
    try:
        with transaction.atomic():
            item = evidence_item_create(
                label=log.label,
                actor=actor,
                upload=upload,
                kind=EvidenceItem.Kind.OTHER,
                title=(_("AI crawler violations in %(name)s") % {"name": log.original_name})[:300],
                description=_(
                    "%(violations)s requests fetched what the robots.txt in force that day "
                    "refused them (log SHA-256 %(sha256)s, days %(first)s to %(last)s)."
                )
                % {
                    "violations": totals.get("violations", 0),
                    "sha256": log.sha256,
                    "first": totals.get("first_day") or "-",
                    "last": totals.get("last_day") or "-",
                },
                source=_("Access log analysed by Optout"),
            )
            _update(log, evidence_item=item)
            ledger_append(
                label=log.label, actor=actor, action="crawler_log.exported", subject=log,
                blob=item.blob, data={"log_sha256": log.sha256, "evidence_item": str(item.code)},
            )  # fmt: skip
    finally:
        upload.close()
    return item


def export_bytes_preview(data: bytes) -> dict[str, Any]:
    """The manifest of an export ZIP (tests and the page read it back)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return manifest
