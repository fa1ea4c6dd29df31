"""Takedowns: draft from a matter, render to PDF, approve (counsel), send, follow through.

Every step is a ``TakedownEvent`` (who, when, an optional document kept as a blob and an
evidence item) and a ledger entry; the matter's timeline shows the events
(``notices.registrations``). Letters are in English: the routes are legal procedures whose
recipients work in English (docs/notices.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Recording
from evidence.models import EvidenceItem, Matter
from evidence.services.items import evidence_item_create, evidence_item_from_bytes
from evidence.services.matters import matter_item_add
from notices.models import Takedown, TakedownEvent
from notices.models.takedowns import RecipientKind, TakedownRoute, TakedownStatus
from notices.services.takedown_facts import SIGNALS, takedown_facts_gather
from optout.jobs import JobContext, JobFailure
from optout.lib.pdf import PdfRenderError, render_pdf
from optout.models import Blob, Job, Label, User
from optout.services.blobs import blob_open, blob_store_bytes
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append
from optout.uploads import HashedUploadedFile

RENDER_JOB = "notices.takedown_render"
SEND_JOB = "notices.takedown_send"
MAX_URLS = 200

S = TakedownStatus
# Which step may follow which. "approved" and "sent" have their own actions (approve needs
# counsel, sending needs the approved PDF); the rest are recorded as correspondence arrives.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFTED: frozenset({S.APPROVED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.SENT, S.WITHDRAWN}),
    S.SENT: frozenset({S.ACKNOWLEDGED, S.REMOVED, S.REJECTED, S.WITHDRAWN}),
    S.ACKNOWLEDGED: frozenset({S.REMOVED, S.REJECTED, S.WITHDRAWN}),
    S.REMOVED: frozenset({S.COUNTER_NOTICE, S.WITHDRAWN}),
    S.REJECTED: frozenset({S.WITHDRAWN}),
    S.COUNTER_NOTICE: frozenset({S.REINSTATED, S.WITHDRAWN}),
    S.REINSTATED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# Steps recorded through "record a step" (the events endpoint / form).
EVENT_STEPS = (
    S.ACKNOWLEDGED,
    S.REMOVED,
    S.REJECTED,
    S.COUNTER_NOTICE,
    S.REINSTATED,
    S.WITHDRAWN,
)
EVENT_STEP_CHOICES = [(s.value, s.label) for s in EVENT_STEPS]
# How an approved takedown went out: e-mailed by a job, or filed through the recipient's portal.
SEND_VIA_CHOICES = [("email", "email"), ("portal", "portal")]
# Routes that need at least one infringing URL: the notice must say where the material is.
NEEDS_URLS = frozenset({TakedownRoute.DMCA, TakedownRoute.DSA})


def allowed_next(takedown: Takedown) -> frozenset[str]:
    return TRANSITIONS.get(takedown.status, frozenset())


def _refuse(takedown: Takedown, step: str) -> ValidationError:
    return ValidationError(
        {
            "status": [
                _("A takedown that is “%(current)s” cannot become “%(next)s”.")
                % {"current": S(takedown.status).label, "next": S(step).label}
            ]
        },
        code="invalid_transition",
    )


# --- drafting -------------------------------------------------------------------------------


def _clean_urls(urls: list[str]) -> list[str]:
    validate = URLValidator(schemes=["http", "https"])
    cleaned, bad = [], []
    for raw in urls:
        url = raw.strip()
        if not url:
            continue
        try:
            validate(url)
        except ValidationError:
            bad.append(url[:100])
        else:
            cleaned.append(url)
    if bad:
        raise ValidationError(
            {
                "infringing_urls": [
                    _("Not a web address (http or https): %(urls)s.") % {"urls": ", ".join(bad)}
                ]
            }
        )
    if len(cleaned) > MAX_URLS:
        raise ValidationError(
            {"infringing_urls": [_("At most %(n)d URLs per takedown.") % {"n": MAX_URLS}]}
        )
    return cleaned


def takedown_create(
    *,
    matter: Matter,
    route: str,
    recipient_name: str,
    recipient_kind: str,
    recipient_email: str = "",
    recipient_address: str = "",
    recipient_url: str = "",
    recipient_country: str = "",
    infringing_urls: list[str] | None = None,
    recordings: list[Recording] | None = None,
    explanation: str = "",
    signatory: str = "",
    signals: list[str] | None = None,
    actor: User | None,
) -> Takedown:
    """A drafted takedown with its facts frozen from the matter, and the job rendering it."""
    label = matter.label
    if not matter.is_open:
        raise ValidationError(
            _("The matter is closed. Reopen it to draft a takedown."), code="closed"
        )
    errors: dict[str, list[str]] = {}
    if route not in TakedownRoute.values:
        errors["route"] = [_("Choose one of the routes.")]
    if not recipient_name.strip():
        errors["recipient_name"] = [_("Name the recipient.")]
    if recipient_kind not in RecipientKind.values:
        errors["recipient_kind"] = [_("Choose what kind of recipient this is.")]
    if recipient_email:
        try:
            EmailValidator()(recipient_email)
        except ValidationError:
            errors["recipient_email"] = [_("Enter a valid e-mail address.")]
    if recipient_url:
        try:
            URLValidator(schemes=["http", "https"])(recipient_url)
        except ValidationError:
            errors["recipient_url"] = [_("Enter a web address (http or https).")]
    country = recipient_country.strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        errors["recipient_country"] = [_("Enter a two-letter ISO 3166 country code.")]
    if not signatory.strip():
        errors["signatory"] = [_("Name the person who signs the notice for the label.")]
    chosen = list(recordings or [])
    if any(r.label_id != label.pk for r in chosen):
        errors["recordings"] = [_("Choose this label's recordings.")]
    if route == TakedownRoute.DSA and not explanation.strip():
        errors["explanation"] = [
            _("A DSA notice must explain why the content is illegal (Article 16(2)(a)).")
        ]
    unknown_signals = [s for s in signals or [] if s not in SIGNALS]
    if unknown_signals:
        errors["signals"] = [_("Unknown signal: %(s)s.") % {"s": ", ".join(unknown_signals)}]
    try:
        urls = _clean_urls(list(infringing_urls or []))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        urls = []
    if errors:
        raise ValidationError(errors)
    if route == TakedownRoute.AI_RESERVATION and signals is None:
        signals = list(SIGNALS)
    facts = takedown_facts_gather(
        matter=matter, recordings=chosen, infringing_urls=urls, signals=list(signals or [])
    )
    if route in NEEDS_URLS and not facts["infringing_urls"]:
        raise ValidationError(
            {
                "infringing_urls": [
                    _(
                        "Give at least one URL of the infringing material, or add a capture "
                        "of it to the matter."
                    )
                ]
            }
        )
    if route == TakedownRoute.DMCA and not facts["recordings"] and not facts["works"]:
        raise ValidationError(
            {"recordings": [_("Name at least one recording or work the notice is about.")]}
        )
    if route == TakedownRoute.LIKENESS and not facts["recordings"]:
        raise ValidationError(
            {"recordings": [_("Name the recording whose performer's voice or likeness is used.")]}
        )
    if route == TakedownRoute.AI_RESERVATION and not facts["reservation"]:
        raise ValidationError(
            {"route": [_("Approve a reservation policy first: this letter cites it.")]}
        )
    with transaction.atomic():
        takedown: Takedown = Takedown.objects.create(
            label=label,
            matter=matter,
            route=route,
            recipient_name=recipient_name.strip(),
            recipient_kind=recipient_kind,
            recipient_email=recipient_email.strip(),
            recipient_address=recipient_address.strip(),
            recipient_url=recipient_url.strip(),
            recipient_country=country,
            infringing_urls=urls,
            explanation=explanation.strip(),
            signatory=signatory.strip(),
            facts=facts,
            created_by=actor,
        )
        takedown.recordings.set(chosen)
        _event(takedown=takedown, status=S.DRAFTED, previous="", actor=actor)
        ledger_append(
            label=label,
            actor=actor,
            action="takedown.drafted",
            subject=takedown,
            data={
                "matter": str(matter.code),
                "route": route,
                "recipient": takedown.recipient_name,
                "urls": len(facts["infringing_urls"]),
            },
        )
        takedown.job = takedown_render_request(takedown=takedown, actor=actor)
        takedown.save(update_fields=["job"])
    return takedown


def _event(
    *,
    takedown: Takedown,
    status: str,
    previous: str,
    actor: User | None,
    happened_on: date | None = None,
    note: str = "",
    item: EvidenceItem | None = None,
    blob: Blob | None = None,
    document_name: str = "",
) -> TakedownEvent:
    event: TakedownEvent = TakedownEvent.objects.create(
        label=takedown.label,
        takedown=takedown,
        status=status,
        previous_status=previous,
        actor=actor,
        happened_on=happened_on or timezone.localdate(),
        note=note,
        document=item.blob if item is not None else blob,
        document_name=document_name,
        evidence_item=item,
    )
    return event


def _into_matter(*, takedown: Takedown, item: EvidenceItem, actor: User | None) -> None:
    """Correspondence joins the matter's evidence, so its packet carries it; a closed
    matter keeps what it has (the item stays in the evidence list)."""
    try:
        with transaction.atomic():
            matter_item_add(
                matter=takedown.matter, actor=actor, source_key="evidence", source_code=item.code
            )
    except ValidationError:
        pass


# --- rendering ------------------------------------------------------------------------------


def takedown_render_request(*, takedown: Takedown, actor: User | None) -> Job:
    return job_create(
        label=takedown.label,
        kind=RENDER_JOB,
        actor=actor,
        title=_("Render the takedown to %(recipient)s") % {"recipient": takedown.recipient_name},
        params={"takedown": str(takedown.code)},
    )


def takedown_html(*, takedown: Takedown) -> str:
    return render_to_string(
        f"notices/takedowns/pdf/{takedown.route}.html",
        {
            "t": takedown,
            "f": takedown.facts,
            "today": timezone.localdate().isoformat(),
            "route_name": TakedownRoute(takedown.route).label,
        },
    )


def takedown_render(*, takedown: Takedown, actor: User | None) -> Takedown:
    """Render the PDF; an approved letter is never re-rendered (what counsel approved is sent)."""
    if takedown.status != S.DRAFTED and takedown.pdf is not None:
        return takedown
    try:
        pdf = render_pdf(takedown_html(takedown=takedown)).pdf
    except PdfRenderError as exc:
        raise JobFailure(f"The takedown could not be rendered: {exc}") from None
    with transaction.atomic():
        blob = blob_store_bytes(
            label=takedown.label, data=pdf, actor=actor, media_type="application/pdf"
        )
        takedown.pdf = blob
        takedown.rendered_at = timezone.now()
        takedown.save(update_fields=["pdf", "rendered_at"])
        ledger_append(
            label=takedown.label,
            actor=actor,
            action="takedown.rendered",
            subject=takedown,
            blob=blob,
        )
    return takedown


def _load(ctx: JobContext) -> Takedown:
    takedown: Takedown | None = (
        Takedown.objects.for_label(ctx.job.label)
        .select_related("label", "matter", "pdf")
        .filter(code=ctx.params["takedown"])
        .first()
    )
    if takedown is None:
        raise JobFailure("The takedown no longer exists.")
    return takedown


def takedown_render_run(*, ctx: JobContext) -> dict[str, Any]:
    takedown = takedown_render(takedown=_load(ctx), actor=ctx.job.created_by)
    return {
        "takedown": str(takedown.code),
        "pdf_sha256": takedown.pdf.sha256 if takedown.pdf else "",
    }


# --- approving ------------------------------------------------------------------------------


def takedown_approve(*, takedown: Takedown, actor: User, note: str = "") -> Takedown:
    """Counsel (or the owner) approves the rendered letter; the caller checks the role and
    two-factor authentication (views: ``Capability.PACKETS`` and ``@mfa_required_for``)."""
    with transaction.atomic():
        takedown = (
            Takedown.objects.for_label(takedown.label).select_for_update().get(pk=takedown.pk)
        )
        if S.APPROVED not in allowed_next(takedown):
            raise _refuse(takedown, S.APPROVED)
        if takedown.pdf is None:
            raise ValidationError(
                {"status": [_("The PDF is still being rendered; approve it once it is ready.")]},
                code="not_rendered",
            )
        previous = takedown.status
        takedown.status = S.APPROVED
        takedown.approved_by = actor
        takedown.approved_at = timezone.now()
        takedown.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        _event(takedown=takedown, status=S.APPROVED, previous=previous, actor=actor, note=note)
        ledger_append(
            label=takedown.label,
            actor=actor,
            action="takedown.approved",
            subject=takedown,
            blob=takedown.pdf,
            data={"pdf_sha256": takedown.pdf.sha256},
        )
    return takedown


# --- sending --------------------------------------------------------------------------------


def takedown_send_request(*, takedown: Takedown, actor: User | None) -> Job:
    if takedown.status != S.APPROVED:
        raise ValidationError(
            {"status": [_("Only an approved takedown can be sent; ask counsel to approve it.")]},
            code="not_approved",
        )
    if not takedown.recipient_email:
        raise ValidationError(
            {
                "recipient_email": [
                    _(
                        "The recipient has no e-mail address: send it through their portal "
                        "and record it as sent there."
                    )
                ]
            },
            code="no_email",
        )
    with transaction.atomic():
        takedown.job = job_create(
            label=takedown.label,
            kind=SEND_JOB,
            actor=actor,
            title=_("Send the takedown to %(recipient)s") % {"recipient": takedown.recipient_name},
            params={"takedown": str(takedown.code)},
        )
        takedown.save(update_fields=["job"])
    return takedown.job


def takedown_message(takedown: Takedown) -> EmailMessage:
    assert takedown.pdf is not None
    label = takedown.label
    sender = label.legal_name or label.name
    with blob_open(takedown.pdf) as handle:
        pdf = handle.read()
    route = TakedownRoute(takedown.route)
    body = "\n\n".join(
        [
            f"To {takedown.recipient_name},",
            f"please find attached a notice from {sender} ({route.label}) concerning "
            f"{len(takedown.facts.get('infringing_urls', []))} URL(s) on your service.",
            f"Reference: {takedown.code}",
            f"{takedown.signatory}\n{sender}",
        ]
    )
    message = EmailMessage(
        subject=f"{route.label}: {sender}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[takedown.recipient_email],
        reply_to=[label.contact_email] if label.contact_email else None,
        headers={"X-Optout-Takedown": str(takedown.code)},
    )
    message.attach(f"takedown-{takedown.code}.pdf", pdf, "application/pdf")
    return message


def takedown_send(*, takedown: Takedown, actor: User | None) -> Takedown:
    """E-mail the approved PDF to the recipient and keep the message as evidence."""
    if takedown.status != S.APPROVED:
        if takedown.status == S.DRAFTED:
            raise JobFailure("The takedown is not approved; it was not sent.")
        return takedown  # sent already: the recipient gets one letter
    if not takedown.recipient_email or takedown.pdf is None:
        raise JobFailure("The takedown has no recipient e-mail address or no PDF.")
    message = takedown_message(takedown)
    raw = message.message().as_bytes()
    try:
        get_connection(fail_silently=False).send_messages([message])
    except OSError as exc:
        Takedown.objects.for_label(takedown.label).filter(pk=takedown.pk).update(
            send_error=str(exc)[:1000]
        )
        raise JobFailure(f"The mail server did not take the takedown: {exc}") from None
    with transaction.atomic():
        item = evidence_item_from_bytes(
            label=takedown.label,
            actor=actor,
            data=raw,
            filename=f"takedown-{takedown.code}.eml",
            kind="correspondence",
            title=_("Takedown sent to %(recipient)s") % {"recipient": takedown.recipient_name},
            document_date=timezone.localdate(),
            source=_("Sent by e-mail"),
        )
        # A member may have withdrawn the takedown while the mail server took the letter:
        # it was sent all the same, and the withdrawal that followed stands.
        current = Takedown.objects.for_label(takedown.label).select_for_update().get(pk=takedown.pk)
        takedown.status = S.SENT if current.status == S.APPROVED else current.status
        takedown.sent_message = item.blob
        takedown.sent_at = timezone.now()
        takedown.sent_via = "email"
        takedown.send_error = ""
        takedown.save(update_fields=["sent_message", "status", "sent_at", "sent_via", "send_error"])
        _event(
            takedown=takedown,
            status=S.SENT,
            previous=S.APPROVED,
            actor=actor,
            item=item,
            document_name=f"takedown-{takedown.code}.eml",
            note=_("Sent by e-mail to %(to)s") % {"to": takedown.recipient_email},
        )
        ledger_append(
            label=takedown.label,
            actor=actor,
            action="takedown.sent",
            subject=takedown,
            blob=item.blob,
            data={"to": [takedown.recipient_email], "via": "email"},
        )
        _into_matter(takedown=takedown, item=item, actor=actor)
    return takedown


def takedown_send_run(*, ctx: JobContext) -> dict[str, Any]:
    takedown = takedown_send(takedown=_load(ctx), actor=ctx.job.created_by)
    return {"takedown": str(takedown.code), "status": takedown.status}


# --- lifecycle ------------------------------------------------------------------------------


def _document(
    *, takedown: Takedown, actor: User | None, upload: HashedUploadedFile, step: str, on: date
) -> EvidenceItem:
    kind = "correspondence" if step in (S.SENT, S.WITHDRAWN) else "takedown_response"
    return evidence_item_create(
        label=takedown.label,
        actor=actor,
        upload=upload,
        kind=kind,
        title=f"{S(step).label}: {takedown.recipient_name}"[:300],
        document_date=on,
        source=_("Takedown correspondence"),
    )


def takedown_event_record(
    *,
    takedown: Takedown,
    status: str,
    actor: User,
    note: str = "",
    happened_on: date | None = None,
    upload: HashedUploadedFile | None = None,
) -> TakedownEvent:
    """Record a step of the lifecycle (acknowledged, removed, counter-notice…) with its
    date and the letter that came with it; a step the state does not allow is refused."""
    if status not in S.values:
        raise ValidationError({"status": [_("Choose one of the steps.")]}, code="invalid")
    if status in (S.APPROVED, S.SENT, S.DRAFTED):
        raise ValidationError(
            {"status": [_("Approve and send have their own actions.")]}, code="invalid"
        )
    on = happened_on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"happened_on": [_("The date cannot be in the future.")]})
    with transaction.atomic():
        takedown = (
            Takedown.objects.for_label(takedown.label).select_for_update().get(pk=takedown.pk)
        )
        if status not in allowed_next(takedown):
            raise _refuse(takedown, status)
        item = (
            _document(takedown=takedown, actor=actor, upload=upload, step=status, on=on)
            if upload is not None
            else None
        )
        previous = takedown.status
        takedown.status = status
        takedown.save(update_fields=["status", "updated_at"])
        event = _event(
            takedown=takedown,
            status=status,
            previous=previous,
            actor=actor,
            happened_on=on,
            note=note.strip(),
            item=item,
            document_name=upload.name or "" if upload is not None else "",
        )
        ledger_append(
            label=takedown.label,
            actor=actor,
            action=f"takedown.{status}",
            subject=takedown,
            blob=item.blob if item is not None else None,
            data={"previous_status": previous, "on": on.isoformat(), "event": str(event.code)},
        )
        if item is not None:
            _into_matter(takedown=takedown, item=item, actor=actor)
    return event


def takedown_mark_sent(
    *,
    takedown: Takedown,
    actor: User,
    upload: HashedUploadedFile,
    note: str = "",
    happened_on: date | None = None,
) -> TakedownEvent:
    """The approved letter was filed through the recipient's own portal; the confirmation
    (a screenshot, the portal's receipt) is the proof it was sent."""
    on = happened_on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"happened_on": [_("The date cannot be in the future.")]})
    with transaction.atomic():
        takedown = (
            Takedown.objects.for_label(takedown.label).select_for_update().get(pk=takedown.pk)
        )
        if takedown.status != S.APPROVED:
            raise ValidationError(
                {
                    "status": [
                        _("Only an approved takedown can be sent; ask counsel to approve it.")
                    ]
                },
                code="not_approved",
            )
        item = _document(takedown=takedown, actor=actor, upload=upload, step=S.SENT, on=on)
        takedown.status = S.SENT
        takedown.sent_at = timezone.now()
        takedown.sent_via = "portal"
        takedown.save(update_fields=["status", "sent_at", "sent_via", "updated_at"])
        event = _event(
            takedown=takedown,
            status=S.SENT,
            previous=S.APPROVED,
            actor=actor,
            happened_on=on,
            note=note.strip() or _("Sent through the recipient's portal"),
            item=item,
            document_name=upload.name or "",
        )
        ledger_append(
            label=takedown.label,
            actor=actor,
            action="takedown.sent",
            subject=takedown,
            blob=item.blob,
            data={"via": "portal", "portal": takedown.recipient_url, "on": on.isoformat()},
        )
        _into_matter(takedown=takedown, item=item, actor=actor)
    return event


# --- Lumen ----------------------------------------------------------------------------------


def takedown_lumen(*, takedown: Takedown) -> dict[str, Any]:
    """The takedown in the Lumen database's notice format (lumendatabase.org, "Create
    notice"), for a label that publishes its notices. Personal data of the signatory stays
    out: Lumen publishes what it is given."""
    facts = takedown.facts
    sender = facts.get("sender", {})
    label: Label = takedown.label
    jurisdictions = {
        TakedownRoute.DMCA: "US",
        TakedownRoute.DSA: "EU",
    }.get(TakedownRoute(takedown.route), takedown.recipient_country or "")
    works = [
        {
            "description": f"{r['title']} — {r['artist']}"
            + (f" (ISRC {r['isrc']})" if r["isrc"] else ""),
            "kind": "music",
            "copyrighted_urls_attributes": [],
            "infringing_urls_attributes": [{"url": u} for u in facts.get("infringing_urls", [])],
        }
        for r in facts.get("recordings", [])
    ] or [
        {
            "description": facts.get("matter", {}).get("title", ""),
            "kind": "music",
            "copyrighted_urls_attributes": [],
            "infringing_urls_attributes": [{"url": u} for u in facts.get("infringing_urls", [])],
        }
    ]
    if label.terms_url:
        for work in works:
            work["copyrighted_urls_attributes"] = [{"url": label.terms_url}]
    entity = {
        "name": sender.get("name", ""),
        "kind": "organization",
        "email": sender.get("email", ""),
        "address_line_1": sender.get("address", "").splitlines()[0]
        if sender.get("address")
        else "",
        "country_code": "",
    }
    return {
        "notice": {
            "title": f"{TakedownRoute(takedown.route).label} notice to {takedown.recipient_name}",
            "type": "DMCA" if takedown.route == TakedownRoute.DMCA else "Other",
            "subject": facts.get("matter", {}).get("title", ""),
            "body": takedown.explanation,
            "date_sent": takedown.sent_at.date().isoformat() if takedown.sent_at else None,
            "jurisdiction_list": jurisdictions,
            "language": "en",
            "works_attributes": works,
            "entity_notice_roles_attributes": [
                {"name": "sender", "entity_attributes": entity},
                {"name": "principal", "entity_attributes": dict(entity)},
                {
                    "name": "recipient",
                    "entity_attributes": {
                        "name": takedown.recipient_name,
                        "kind": "organization",
                        "email": takedown.recipient_email,
                        "country_code": takedown.recipient_country,
                    },
                },
            ],
        }
    }
