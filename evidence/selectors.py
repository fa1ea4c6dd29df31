"""Reads of the evidence app. Every function takes the label it reads for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography import x509
from django.db.models import Count, Q, QuerySet

from evidence.capture.text import TextDiff, text_diff
from evidence.models import (
    Alert,
    Capture,
    CaptureSchedule,
    EvidenceItem,
    EvidenceSettings,
    Matter,
    MatterItem,
    MatterNote,
    Packet,
    Timestamp,
    WithdrawableQuerySet,
)
from evidence.verifier import fingerprint, pem_certificates
from optout.models import Label, LabelScopedQuerySet, Membership, User
from optout.roles import Capability, Role, role_can


def label_evidence_items(
    *, label: Label, status: str | None = None
) -> WithdrawableQuerySet[EvidenceItem]:
    items = (
        EvidenceItem.objects.for_label(label)
        .select_related("blob", "created_by", "withdrawn_by")
        .prefetch_related("recordings", "works")
    )
    if status == EvidenceItem.Status.ACTIVE:
        items = items.active()
    elif status == EvidenceItem.Status.WITHDRAWN:
        items = items.withdrawn()
    return items.order_by("-created_at")


def label_matters(*, label: Label, status: str | None = None) -> QuerySet[Matter]:
    matters: QuerySet[Matter] = (
        Matter.objects.for_label(label)
        .select_related("owner")
        .prefetch_related("recordings", "works")
        .annotate(
            item_count=Count("items", filter=Q(items__status=MatterItem.Status.ACTIVE)),
        )
    )
    if status == "open":
        matters = matters.exclude(status=Matter.Status.CLOSED)
    elif status:
        matters = matters.filter(status=status)
    return matters.order_by("-created_at")


def matter_items(
    *, matter: Matter, include_withdrawn: bool = True
) -> WithdrawableQuerySet[MatterItem]:
    items = (
        MatterItem.objects.for_label(matter.label)
        .filter(matter=matter)
        .select_related("blob", "added_by", "timestamp_blob")
    )
    if not include_withdrawn:
        items = items.active()
    return items.order_by("created_at", "id")


def matter_notes(*, matter: Matter) -> QuerySet[MatterNote]:
    return (
        MatterNote.objects.for_label(matter.label)
        .filter(matter=matter)
        .select_related("author")
        .order_by("created_at", "id")
    )


def matter_packets(*, matter: Matter) -> LabelScopedQuerySet[Packet]:
    packets: LabelScopedQuerySet[Packet] = (
        Packet.objects.for_label(matter.label)
        .filter(matter=matter)
        .select_related("job", "blob", "created_by", "matter")
        .order_by("-created_at")
    )
    return packets


def matters_holding(*, item: EvidenceItem) -> QuerySet[Matter]:
    """The matters an evidence item is (actively) in."""
    held = (
        MatterItem.objects.for_label(item.label)
        .active()
        .filter(source_key="evidence", source_code=item.code)
    )
    return Matter.objects.for_label(item.label).filter(pk__in=held.values("matter_id"))


def matters_open_for_adding(*, label: Label) -> QuerySet[Matter]:
    return Matter.objects.for_label(label).exclude(status=Matter.Status.CLOSED).order_by("title")


def label_member_users(*, label: Label) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=Membership.objects.filter(label=label).values("user_id")
    ).order_by("email")


def matter_owner_candidates(*, label: Label) -> QuerySet[User]:
    """Members who may run a matter: their role can add its notes and items (``RIGHTS``)."""
    roles = [role for role in Role if role_can(role, Capability.RIGHTS)]
    return User.objects.filter(
        pk__in=Membership.objects.filter(label=label, role__in=roles).values("user_id")
    ).order_by("email")


def open_alerts(*, label: Label) -> QuerySet[Alert]:
    return Alert.objects.for_label(label).filter(resolved_at__isnull=True).order_by("-created_at")


def label_alerts(*, label: Label) -> QuerySet[Alert]:
    return Alert.objects.for_label(label).select_related("resolved_by").order_by("-created_at")


def evidence_settings(*, label: Label) -> EvidenceSettings:
    """The label's settings (unsaved defaults when it never set any)."""
    found = EvidenceSettings.objects.filter(label=label).first()
    return found if found is not None else EvidenceSettings(label=label)


def signing_tsa_url(label: Label) -> str:
    """The TSA that timestamps the label's C2PA signatures: its evidence TSA, if any."""
    found = evidence_settings(label=label)
    return found.tsa_url if found.timestamps_enabled else ""


def subject_timestamps(*, label: Label, subject: Any) -> QuerySet[Timestamp]:
    meta = subject._meta
    return Timestamp.objects.for_label(label).filter(
        subject_type=f"{meta.app_label}.{meta.model_name}", subject_code=subject.code
    )


@dataclass(frozen=True)
class EvidenceSummary:
    open_matters: int
    matters_on_hold: int
    items: int
    open_alerts: int


def evidence_summary(*, label: Label) -> EvidenceSummary:
    matters = Matter.objects.for_label(label).aggregate(
        open=Count("id", filter=~Q(status=Matter.Status.CLOSED)),
        hold=Count("id", filter=Q(legal_hold=True)),
    )
    return EvidenceSummary(
        open_matters=matters["open"],
        matters_on_hold=matters["hold"],
        items=EvidenceItem.objects.for_label(label).active().count(),
        open_alerts=open_alerts(label=label).count(),
    )


# --- captures ------------------------------------------------------------------------------


def label_captures(*, label: Label, url: str | None = None) -> QuerySet[Capture]:
    captures = Capture.objects.for_label(label).select_related(
        "requested_by", "job", "label", "screenshot"
    )
    if url:
        captures = captures.filter(url=url)
    return captures.order_by("-created_at", "-id")


def capture_history(*, capture: Capture) -> QuerySet[Capture]:
    """Every capture of the same URL in the label, newest first (this one included)."""
    return label_captures(label=capture.label, url=capture.url)


def capture_diff(*, capture: Capture) -> TextDiff | None:
    """The text diff with the capture it was compared with; None for a first capture."""
    previous = capture.previous
    if previous is None or capture.status != Capture.Status.DONE:
        return None
    old = f"{previous.captured_at:%Y-%m-%d %H:%M:%S} UTC" if previous.captured_at else "previous"
    new = f"{capture.captured_at:%Y-%m-%d %H:%M:%S} UTC" if capture.captured_at else "this"
    return text_diff(previous.text, capture.text, old_name=old, new_name=new)


def capture_schedule_for(*, capture: Capture) -> CaptureSchedule | None:
    found: CaptureSchedule | None = (
        CaptureSchedule.objects.for_label(capture.label)
        .filter(url=capture.url, active=True)
        .first()
    )
    return found


def label_capture_schedules(*, label: Label) -> QuerySet[CaptureSchedule]:
    return CaptureSchedule.objects.for_label(label).filter(active=True).order_by("next_run_at")


@dataclass(frozen=True)
class TsaCertificate:
    subject: str
    sha256: str
    """The SHA-256 fingerprint, as ``openssl x509 -fingerprint -sha256`` and verify.py print it."""


def tsa_certificate_fingerprints(*, label: Label) -> list[TsaCertificate]:
    """The certificates the label trusts for its timestamps, as it publishes them so counsel
    can obtain the trust anchor independently of any packet."""
    pem = evidence_settings(label=label).tsa_certificates.encode("ascii", "replace")
    found = []
    for der, _block in pem_certificates(pem):
        try:
            subject = x509.load_der_x509_certificate(der).subject.rfc4514_string()
        except ValueError:
            continue
        found.append(TsaCertificate(subject=subject, sha256=fingerprint(der)))
    return found


# --- protection coverage ----------------------------------------------------------------


def check_terms_captured(label: Label, ids: Any) -> Any:
    """Terms published (an approved web-site text with a recorded publication) and our
    own terms page captured, answering below 400, within the label's freshness window."""
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.translation import gettext as _

    from optout.coverage import CheckOutcome, coverage_catalog
    from optout.policy.selectors import terms_published
    from optout.services.coverage import coverage_state

    days = coverage_state(label=label).freshness_days
    since = timezone.now() - timedelta(days=days)
    published = terms_published(label=label)
    capture = (
        Capture.objects.for_label(label)
        .filter(
            purpose=Capture.Purpose.OWN_TERMS,
            status=Capture.Status.DONE,
            captured_at__gte=since,
            http_status__lt=400,
        )
        .order_by("-captured_at")
        .first()
    )
    passed = published is not None and capture is not None
    if published is None:
        detail = _("No approved web-site terms with a recorded publication.")
    elif capture is None:
        detail = _("Our terms page was not captured in the last %(days)s days.") % {"days": days}
    else:
        detail = _("Terms published and captured.")
    if ids is None:
        catalog = coverage_catalog()
        everyone = set(catalog.recording_ids(label)) if catalog and passed else set()
        return CheckOutcome(passed=everyone)
    outcome = CheckOutcome(passed=set(ids) if passed else set())
    for rid in ids:
        outcome.dates[rid] = capture.captured_at if passed and capture else None
        outcome.details[rid] = detail
    return outcome


def escalate_step_done(label: Label) -> bool:
    """A matter holds at least one piece of evidence."""
    return MatterItem.objects.for_label(label).active().exists()


def matters_by_status(*, label: Label) -> list[tuple[str, str, int]]:
    """(status, its name, how many matters) for every status, in the lifecycle's order."""
    counts = dict(
        Matter.objects.for_label(label)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(value, str(name), counts.get(value, 0)) for value, name in Matter.Status.choices]


def open_alerts_by_kind(*, label: Label) -> list[tuple[str, str, int]]:
    counts = dict(
        open_alerts(label=label)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return [
        (value, str(name), counts[value]) for value, name in Alert.Kind.choices if counts.get(value)
    ]


def recording_evidence(*, label: Label, recording_id: int, limit: int = 50) -> dict[str, Any]:
    """The evidence items and matters that name a recording (for its page)."""
    items = list(
        EvidenceItem.objects.for_label(label)
        .filter(recordings=recording_id)
        .order_by("-created_at")[:limit]
    )
    matters = list(
        Matter.objects.for_label(label)
        .filter(recordings=recording_id)
        .order_by("-created_at")[:limit]
    )
    return {"evidence_items": items, "matters": matters}
