"""Fan reports: received from the public form, grouped by page, triaged by the rights team.

A report is validated but its URL is never fetched when it arrives: only a member's
"capture" action fetches it, through the safe capture. The reporter's address is never
written to the ledger (an append-only chain cannot forget it); the rights team sees it
only when the reporter agreed to be contacted, and it is otherwise used for one thing:
telling the reporter the outcome.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from evidence.matter_items import MatterItemSnapshot
from evidence.models import Alert, Capture, CapturePurpose, Matter
from evidence.services.alerts import alert_raise, alert_resolve
from evidence.services.captures import CaptureRefused, capture_request
from evidence.services.matters import matter_create, matter_item_add
from monitoring.models import FanReport, FanReportGroup, ReportKind
from monitoring.models.reports import MAX_URL_LENGTH
from monitoring.services.suspects import SuspectError
from optout.lib.canonical import utc_iso
from optout.models import Label, User
from optout.services.blobs import blob_store_bytes
from optout.services.ledger import ledger_append

logger = logging.getLogger(__name__)

MAX_SUBJECT_LENGTH = 300
REFERENCE_BYTES = 18
"""144 random bits: the reference is the only key to the reporter's status page."""

# Query parameters that say how someone arrived, not which page it is.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|igshid|mc_cid|mc_eid|si|feature)$")
_HOST = re.compile(r"^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$")


class ReportError(ValueError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _invalid(message: str) -> ValidationError:
    return ValidationError({"url": [message]}, code="invalid")


def normalise_report_url(url: str) -> str:
    """The URL reports of the same page share: https, host lower-cased without ``www.``/``m.``
    and default port, no fragment, no tracking parameters, the others sorted, no trailing
    slash. ``ValidationError`` when it is not a web address (nothing is looked up)."""
    text = (url or "").strip()
    if not text:
        raise _invalid(_("Enter the address of the page."))
    if len(text) > MAX_URL_LENGTH:
        raise _invalid(_("The address is too long."))
    try:
        URLValidator(schemes=["http", "https"])(text)
        parts = urlsplit(text)
        port = parts.port
    except (ValidationError, ValueError):
        raise _invalid(_("Enter a web address that starts with https:// or http://.")) from None
    if parts.username or parts.password:
        raise _invalid(_("Leave out the user name and password from the address."))
    host = (parts.hostname or "").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower() if not host.startswith("[") else host
    except UnicodeError:
        raise _invalid(_("Enter a web address that starts with https:// or http://.")) from None
    if ":" in host:
        host = f"[{host}]"
    if not host or not _HOST.match(host):
        raise _invalid(_("Enter a web address that starts with https:// or http://."))
    for prefix in ("www.", "m."):
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.match(key.lower())
    )
    if host == "youtu.be" and len(path) > 1:
        host, query, path = "youtube.com", [("v", path.strip("/"))], "/watch"
    if len(path) > 1:
        path = path.rstrip("/")
    default = {"http": 80, "https": 443}[parts.scheme.lower()]
    netloc = host if port in (None, default) else f"{host}:{port}"
    normalised = f"https://{netloc}{path}"
    if query:
        normalised += "?" + urlencode(query)
    return normalised[:MAX_URL_LENGTH]


def reference_hash(reference: str) -> str:
    return hashlib.sha256(reference.encode("utf-8", errors="replace")).hexdigest()


def fan_report_for_reference(*, label: Label, reference: str) -> FanReport | None:
    """The report a status-page reference opens, in ``label`` only (None for any other)."""
    if not reference or len(reference) > 100:
        return None
    found: FanReport | None = (
        FanReport.objects.for_label(label)
        .select_related("group")
        .filter(reference_sha256=reference_hash(reference))
        .first()
    )
    return found


def _clean(*, url: str, kind: str, subject: str, email: str) -> tuple[str, str, str, str, str]:
    errors: dict[str, list[str]] = {}
    normalised = ""
    try:
        normalised = normalise_report_url(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind not in ReportKind.values:
        errors["kind"] = [_("Choose what you heard.")]
    subject = " ".join((subject or "").split())
    if len(subject) > MAX_SUBJECT_LENGTH:
        errors["subject"] = [
            _("Keep it under %(count)d characters.") % {"count": MAX_SUBJECT_LENGTH}
        ]
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address, or leave it empty.")]
    if errors:
        raise ValidationError(errors)
    return url.strip(), normalised, kind, subject, email


def _group_for(*, label: Label, url: str) -> FanReportGroup:
    """The group of ``url``, locked; made when this is the first report of the page."""
    groups = FanReportGroup.objects.for_label(label).select_for_update()
    group: FanReportGroup | None = groups.filter(url=url).first()
    if group is not None:
        return group
    try:
        with transaction.atomic():
            created: FanReportGroup = FanReportGroup.objects.create(
                label=label,
                url=url,
                host=(urlsplit(url).hostname or "")[:255],
                last_reported_at=timezone.now(),
            )
            return created
    except IntegrityError:  # the same page reported by someone else this very moment
        existing: FanReportGroup = groups.get(url=url)
        return existing


_REPORT_STATUS_OF_GROUP = {
    FanReportGroup.Status.NEW: FanReport.Status.RECEIVED,
    FanReportGroup.Status.REVIEWING: FanReport.Status.REVIEWING,
    FanReportGroup.Status.IN_MATTER: FanReport.Status.ACTION_TAKEN,
}


@transaction.atomic
def fan_report_submit(
    *,
    label: Label,
    url: str,
    kind: str,
    subject: str = "",
    email: str = "",
    consent: bool = False,
    language: str = "",
) -> tuple[FanReport, str]:
    """Record a report from the public form; returns it and its secret reference (shown to
    the reporter once, stored as a hash). The URL is checked, never fetched."""
    given, normalised, kind, subject, email = _clean(
        url=url, kind=kind, subject=subject, email=email
    )
    group = _group_for(label=label, url=normalised)
    if group.status == FanReportGroup.Status.DISMISSED:
        # Someone else heard it there too: the page goes back to the queue.
        group.status = FanReportGroup.Status.NEW
    group.report_count += 1
    group.last_reported_at = timezone.now()
    group.save(update_fields=["status", "report_count", "last_reported_at", "updated_at"])
    reference = secrets.token_urlsafe(REFERENCE_BYTES)
    report: FanReport = FanReport.objects.create(
        label=label,
        group=group,
        url=given,
        kind=kind,
        subject=subject,
        email=email,
        consent=bool(consent and email),
        language=(language or "")[:16],
        reference_sha256=reference_hash(reference),
        status=_REPORT_STATUS_OF_GROUP[FanReportGroup.Status(group.status)],
    )
    ledger_append(
        label=label,
        actor=None,
        action="fan_report.received",
        subject=report,
        data={
            "url": given,
            "page": normalised,
            "group": str(group.code),
            "kind": kind,
            "subject": subject,
            "reports_of_page": group.report_count,
            "contact_given": bool(email),
        },
    )
    # The alert is for the rights team: in the site's language, not the reporter's.
    with override(settings.LANGUAGE_CODE):
        message = _("A fan reported %(kind)s at %(url)s.") % {
            "kind": report.get_kind_display().lower(),
            "url": normalised,
        }
    alert_raise(
        label=label,
        kind=Alert.Kind.FAN_REPORT,
        key=f"fan_report:{group.code}",
        message=message,
        subject=group,
    )
    return report, reference


# --- triage ---------------------------------------------------------------------------------


def _locked(group: FanReportGroup) -> FanReportGroup:
    locked: FanReportGroup = (
        FanReportGroup.objects.for_label(group.label)
        .select_for_update(of=("self",))
        .select_related("label", "capture", "matter")
        .get(pk=group.pk)
    )
    return locked


def _first_url(group: FanReportGroup) -> str:
    """What a reporter typed (the normalised form may not be what the site serves)."""
    first = FanReport.objects.for_label(group.label).filter(group=group).order_by("id").first()
    return first.url if first is not None else group.url


def _notify(report_code: str, label_pk: int) -> None:
    """E-mail a reporter who left an address the outcome of their report."""
    report = (
        FanReport.objects.for_label(Label.objects.get(pk=label_pk))
        .select_related("label")
        .filter(code=report_code)
        .first()
    )
    if report is None or not report.email:
        return
    context = {"report": report, "label": report.label}
    language = report.language if report.language in dict(settings.LANGUAGES) else None
    with override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("emails/fan_report_outcome_subject.txt", context).strip()
        body = render_to_string("emails/fan_report_outcome_message.txt", context)
    try:
        send_mail(subject, body, None, [report.email])
    except Exception:
        logger.exception("Could not e-mail the outcome of fan report %s", report.code)


def _notifier(report_code: str, label_pk: int) -> Callable[[], None]:
    return lambda: _notify(report_code, label_pk)


def _move_reports(
    group: FanReportGroup, *, to: str, from_statuses: tuple[str, ...], notify: bool
) -> int:
    reports = FanReport.objects.for_label(group.label).filter(group=group, status__in=from_statuses)
    changed = list(reports.values_list("code", "email"))
    reports.update(status=to, status_changed_at=timezone.now())
    if notify:
        for code, email in changed:
            if email:
                transaction.on_commit(_notifier(str(code), group.label_id), robust=True)
    return len(changed)


def _resolve_alert(group: FanReportGroup, actor: User | None) -> None:
    alert = (
        Alert.objects.for_label(group.label)
        .filter(key=f"fan_report:{group.code}", resolved_at__isnull=True)
        .first()
    )
    if alert is not None:
        alert_resolve(alert=alert, actor=actor)


_OPEN = (FanReport.Status.RECEIVED, FanReport.Status.REVIEWING)


@transaction.atomic
def report_group_dismiss(
    *, group: FanReportGroup, actor: User | None, reason: str
) -> FanReportGroup:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the reports are dismissed.")]})
    group = _locked(group)
    if group.status == FanReportGroup.Status.IN_MATTER:
        raise ReportError(_("These reports are already in a matter."), code="in_matter")
    group.status = FanReportGroup.Status.DISMISSED
    group.dismiss_reason = reason
    group.save(update_fields=["status", "dismiss_reason", "updated_at"])
    count = _move_reports(group, to=FanReport.Status.DISMISSED, from_statuses=_OPEN, notify=True)
    ledger_append(
        label=group.label,
        actor=actor,
        action="fan_report.dismissed",
        subject=group,
        data={"page": group.url, "reason": reason, "reports": count},
    )
    _resolve_alert(group, actor)
    return group


@transaction.atomic
def report_group_capture(*, group: FanReportGroup, actor: User | None) -> Capture:
    """Capture the reported page (the safe capture, in a job) and keep it with the group."""
    group = _locked(group)
    if group.status == FanReportGroup.Status.DISMISSED:
        raise ReportError(_("These reports were dismissed."), code="dismissed")
    try:
        capture = capture_request(
            label=group.label,
            actor=actor,
            url=_first_url(group),
            purpose=CapturePurpose.INFRINGING_LISTING,
            note=_("Reported by fans (%(count)d reports).") % {"count": group.report_count},
        )
    except CaptureRefused as exc:
        raise ReportError(exc.message_text, code=exc.reason) from None
    group.capture = capture
    if group.status == FanReportGroup.Status.NEW:
        group.status = FanReportGroup.Status.REVIEWING
    group.save(update_fields=["capture", "status", "updated_at"])
    _move_reports(
        group, to=FanReport.Status.REVIEWING, from_statuses=(FanReport.Status.RECEIVED,),
        notify=False,
    )  # fmt: skip
    ledger_append(
        label=group.label,
        actor=actor,
        action="fan_report.capture_requested",
        subject=group,
        data={"page": group.url, "capture": str(capture.code)},
    )
    return capture


def suspect_from_url_service() -> Callable[..., Any] | None:
    """Fingerprint monitoring's "check the audio behind a URL as a suspect"
    (``(*, label, url, actor) -> Suspect``), where this server's monitoring has it."""
    from monitoring.services import suspects

    for name in ("suspect_create_from_url", "suspect_submit_url"):
        found: Callable[..., Any] | None = getattr(suspects, name, None)
        if found is not None:
            return found
    return None


@transaction.atomic
def report_group_check_as_suspect(*, group: FanReportGroup, actor: User | None) -> Any:
    """Run the reported page through fingerprint monitoring as a suspect."""
    create = suspect_from_url_service()
    if create is None:
        raise ReportError(
            _("Checking a page by fingerprint is not available on this server."),
            code="unavailable",
        )
    group = _locked(group)
    if group.status == FanReportGroup.Status.DISMISSED:
        raise ReportError(_("These reports were dismissed."), code="dismissed")
    try:
        suspect = create(label=group.label, url=_first_url(group), actor=actor)
    except SuspectError as error:
        raise ReportError(error.message, code=error.code) from None
    group.suspect = suspect
    if group.status == FanReportGroup.Status.NEW:
        group.status = FanReportGroup.Status.REVIEWING
    group.save(update_fields=["suspect", "status", "updated_at"])
    _move_reports(
        group, to=FanReport.Status.REVIEWING, from_statuses=(FanReport.Status.RECEIVED,),
        notify=False,
    )  # fmt: skip
    ledger_append(
        label=group.label,
        actor=actor,
        action="fan_report.suspect_requested",
        subject=group,
        data={"page": group.url, "suspect": str(getattr(suspect, "code", ""))},
    )
    return suspect


@transaction.atomic
def report_group_to_matter(
    *, group: FanReportGroup, actor: User | None, matter: Matter | None = None
) -> Matter:
    """Open a matter with the reports (and the page's capture, once finished), or add them
    to ``matter``. Reporters who left an address hear that action was taken."""
    group = _locked(group)
    if group.status == FanReportGroup.Status.DISMISSED:
        raise ReportError(_("These reports were dismissed."), code="dismissed")
    if group.matter_id is not None:
        raise ReportError(_("These reports are already in a matter."), code="in_matter")
    url = _first_url(group)
    if matter is None:
        matter = matter_create(
            label=group.label,
            actor=actor,
            title=(_("Reported by fans: %(site)s") % {"site": group.host})[:300],
            summary=_("%(count)d fan reports of %(url)s.")
            % {"count": group.report_count, "url": group.url},
            target_url=url[:2000],
        )
    matter_item_add(matter=matter, actor=actor, source_key="fan_reports", source_code=group.code)
    capture = group.capture
    if capture is not None and capture.status == Capture.Status.DONE:
        try:
            with transaction.atomic():
                matter_item_add(
                    matter=matter, actor=actor, source_key="capture", source_code=capture.code
                )
        except ValidationError:
            pass  # already in the matter
    group.matter = matter
    group.status = FanReportGroup.Status.IN_MATTER
    group.save(update_fields=["matter", "status", "updated_at"])
    _move_reports(group, to=FanReport.Status.ACTION_TAKEN, from_statuses=_OPEN, notify=True)
    ledger_append(
        label=group.label,
        actor=actor,
        action="fan_report.to_matter",
        subject=group,
        data={"page": group.url, "matter": str(matter.code)},
    )
    _resolve_alert(group, actor)
    return matter


def fan_reports_snapshot(group: FanReportGroup) -> MatterItemSnapshot:
    """The reports of one page as a matter item: a JSON record without the reporters'
    addresses (a matter's packet goes to counsel and beyond)."""
    reports = list(FanReport.objects.for_label(group.label).filter(group=group).order_by("id"))
    record = {
        "format": "optout-fan-reports/1",
        "group": str(group.code),
        "page": group.url,
        "reports": [
            {
                "report": str(r.code),
                "received_at": utc_iso(r.created_at),
                "url": r.url,
                "kind": r.kind,
                "artist_or_recording": r.subject,
                "may_be_contacted": r.consent,
            }
            for r in reports
        ],
    }
    data = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False).encode()
    blob = blob_store_bytes(label=group.label, data=data, actor=None, media_type="application/json")
    return MatterItemSnapshot(
        blob=blob,
        title=_("Fan reports of %(url)s") % {"url": group.url},
        filename=f"fan-reports-{group.host or 'page'}.json",
        description=_("%(count)d reports from the public form.") % {"count": len(reports)},
        recorded_at=reports[0].created_at if reports else group.created_at,
        source_url=group.url,
        provenance={"type": "fan_reports", "group": str(group.code), "reports": len(reports)},
    )
