"""Partner notices: create, render to PDF and send by e-mail."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from anymail.exceptions import AnymailError  # type: ignore[import-untyped]
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import Partner, Recording, Release
from evidence.services.items import evidence_item_from_bytes
from notices.models import PartnerNotice
from notices.services.overdue import overdue_alert_resolve
from notices.services.questionnaire import questionnaire_for_label, questionnaire_localized
from notices.wording import BY_CODE, REVIEWED, wording
from optout.jobs import JobContext, JobFailure
from optout.lib.pdf import PdfRenderError
from optout.lib.pdf_server import render_pdf_warm
from optout.models import Job, Label, User
from optout.policy.models import TermsChannel
from optout.policy.services.policy import policy_current
from optout.policy.services.terms import terms_generate, terms_latest
from optout.policy.terms_locale import TermsLanguage
from optout.services.blobs import blob_open, blob_store_bytes
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

RENDER_JOB = "notices.render"
SEND_JOB = "notices.send"
# Approved terms are looked for in this order; the partner-contract clause fits best.
TERMS_CHANNELS = (TermsChannel.DISTRIBUTOR, TermsChannel.WEBSITE)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def response_url(token: str) -> str:
    return f"{settings.OPTOUT_BASE_URL}/n/{token}/"


def is_draft_translation(language: str) -> bool:
    return language not in REVIEWED


# --- what a notice covers ------------------------------------------------------------------


def notice_releases(notice: PartnerNotice) -> QuerySet[Release]:
    label = notice.label
    if notice.scope == PartnerNotice.Scope.CATALOG:
        return Release.objects.for_label(label).filter(partners=notice.partner).order_by("title")
    if notice.scope == PartnerNotice.Scope.RELEASES:
        return notice.releases.order_by("title")
    return Release.objects.for_label(label).none()


def notice_recordings(notice: PartnerNotice) -> QuerySet[Recording]:
    label = notice.label
    if notice.scope == PartnerNotice.Scope.RECORDINGS:
        return notice.recordings.order_by("title", "isrc")
    releases = notice_releases(notice)
    return (
        Recording.objects.for_label(label)
        .filter(release_tracks__release__in=releases)
        .distinct()
        .order_by("title", "isrc")
    )


def _covered(notice: PartnerNotice) -> dict[str, list[dict[str, str]]]:
    return {
        "releases": [
            {"upc": r.upc_display, "title": r.title, "artist": r.display_artist}
            for r in notice_releases(notice)
        ],
        "recordings": [
            {"isrc": r.isrc, "title": r.title, "artist": r.display_artist}
            for r in notice_recordings(notice)
        ],
    }


# --- the reservation statement ------------------------------------------------------------


def _reservation(*, label: Label, language: str) -> tuple[int, str, str]:
    """(policy version number, statement, where it came from) for a notice in ``language``."""
    policy = policy_current(label=label)
    if policy is None:
        raise ValidationError(
            _("Approve a reservation policy before sending notices: the notice quotes it.")
        )
    terms_language = language if language in TermsLanguage.values else "en"
    for channel in TERMS_CHANNELS:
        text = terms_latest(label=label, channel=channel, language=terms_language)
        if text is not None:
            source = f"terms:{channel}:{terms_language}:{text.number}"
            return policy.number or 0, text.body.strip(), source
    body = terms_generate(
        label=label, channel=TermsChannel.DISTRIBUTOR, language=terms_language, version=policy
    )
    return policy.number or 0, body.strip(), f"policy:{policy.number}:{terms_language}"


# --- creating -------------------------------------------------------------------------------


def notice_create(
    *,
    label: Label,
    partner: Partner,
    scope: str,
    releases: list[Release] | None = None,
    recordings: list[Recording] | None = None,
    language: str,
    deadline: date | None = None,
    actor: User | None,
    render: bool = True,
) -> PartnerNotice:
    """A draft notice with its wording frozen, and the job that renders its PDF
    (``render=False``: the caller renders it, as the bulk job does, one at a time)."""
    errors: dict[str, list[str]] = {}
    if partner.label_id != label.pk:
        errors["partner"] = [_("Choose one of this label's partners.")]
    if scope not in PartnerNotice.Scope.values:
        errors["scope"] = [_("Choose what the notice covers.")]
    if language not in BY_CODE:
        errors["language"] = [_("Choose one of the offered languages.")]
    if deadline is not None and deadline <= timezone.localdate():
        errors["deadline"] = [_("The deadline must be in the future.")]
    chosen_releases = list(releases or [])
    chosen_recordings = list(recordings or [])
    if any(r.label_id != label.pk for r in [*chosen_releases, *chosen_recordings]):
        errors["scope"] = [_("Choose this label's releases and recordings.")]
    if scope == PartnerNotice.Scope.RELEASES and not chosen_releases:
        errors["releases"] = [_("Choose at least one release.")]
    if scope == PartnerNotice.Scope.RECORDINGS and not chosen_recordings:
        errors["recordings"] = [_("Choose at least one recording.")]
    if errors:
        raise ValidationError(errors)
    policy_number, statement, source = _reservation(label=label, language=language)
    with transaction.atomic():
        notice = PartnerNotice(
            label=label,
            partner=partner,
            scope=scope,
            language=language,
            created_by=actor,
            policy_version_number=policy_number,
            terms_text=statement,
            terms_source=source,
            questionnaire=questionnaire_for_label(label=label),
        )
        if deadline is not None:
            notice.deadline = deadline
        notice.save()
        if scope == PartnerNotice.Scope.RELEASES:
            notice.releases.set(chosen_releases)
        if scope == PartnerNotice.Scope.RECORDINGS:
            notice.recordings.set(chosen_recordings)
        notice.covered = _covered(notice)
        if not notice.covered["recordings"] and not notice.covered["releases"]:
            raise ValidationError(
                {"scope": [_("The partner carries nothing of this label's catalog yet.")]}
            )
        notice.save(update_fields=["covered"])
        ledger_append(
            label=label,
            actor=actor,
            action="notice.create",
            subject=notice,
            data={"partner": str(partner.code), "scope": scope, "language": language},
        )
        if render:
            notice.job = notice_render_request(notice=notice, actor=actor)
            notice.save(update_fields=["job"])
    return notice


def notice_render_request(*, notice: PartnerNotice, actor: User | None) -> Job:
    return job_create(
        label=notice.label,
        kind=RENDER_JOB,
        actor=actor,
        title=gettext_noop("Render the notice to %(partner)s"),
        title_args={"partner": notice.partner.name},
        params={"notice": str(notice.code)},
    )


def notice_send_request(*, notice: PartnerNotice, actor: User | None) -> Job:
    if notice.status != PartnerNotice.Status.DRAFT:
        raise ValidationError(_("This notice has already been sent."))
    with transaction.atomic():
        notice.job = job_create(
            label=notice.label,
            kind=SEND_JOB,
            actor=actor,
            title=gettext_noop("Send the notice to %(partner)s"),
            title_args={"partner": notice.partner.name},
            params={"notice": str(notice.code)},
        )
        notice.save(update_fields=["job"])
    return notice.job


# --- rendering ------------------------------------------------------------------------------


def notice_html(*, notice: PartnerNotice, token: str) -> str:
    lang = BY_CODE[notice.language]
    words = wording(notice.language)
    label = notice.label
    return render_to_string(
        "notices/pdf/notice.html",
        {
            "notice": notice,
            "lang": lang,
            "w": words,
            "label_name": label.legal_name or label.name,
            "intro": words["intro"].format(label=label.legal_name or label.name),
            "deadline": words["deadline"].partition("{date}"),
            "deadline_date": notice.deadline.isoformat(),
            "terms_language": notice.terms_source.split(":")[2] if notice.terms_source else "en",
            "questions": questionnaire_localized(notice.questionnaire, language=notice.language),
            "response_url": response_url(token),
            "today": timezone.localdate().isoformat(),
        },
    )


def _load(ctx: JobContext) -> PartnerNotice:
    notice: PartnerNotice | None = (
        PartnerNotice.objects.for_label(ctx.job.label)
        .select_related("label", "partner", "pdf")
        .filter(code=ctx.params["notice"])
        .first()
    )
    if notice is None:
        raise JobFailure("The notice no longer exists.")
    return notice


def notice_render(*, notice: PartnerNotice, actor: User | None) -> PartnerNotice:
    """Render the PDF with a fresh response token; only the token's hash is kept."""
    if notice.status != PartnerNotice.Status.DRAFT:
        return notice  # a sent letter is never re-rendered: its link must keep working
    token = secrets.token_urlsafe(32)
    try:
        # Warm: a bulk job renders hundreds; each would otherwise pay WeasyPrint's start-up.
        pdf = render_pdf_warm(notice_html(notice=notice, token=token)).pdf
    except PdfRenderError as exc:
        raise JobFailure(f"The notice could not be rendered: {exc}") from None
    with transaction.atomic():
        blob = blob_store_bytes(
            label=notice.label, data=pdf, actor=actor, media_type="application/pdf"
        )
        notice.pdf = blob
        notice.token_sha256 = token_digest(token)
        notice.rendered_at = timezone.now()
        notice.save(update_fields=["pdf", "token_sha256", "rendered_at"])
        ledger_append(
            label=notice.label, actor=actor, action="notice.render", subject=notice, blob=blob
        )
    return notice


def notice_render_run(*, ctx: JobContext) -> dict[str, Any]:
    notice = notice_render(notice=_load(ctx), actor=ctx.job.created_by)
    return {"notice": str(notice.code), "pdf_sha256": notice.pdf.sha256 if notice.pdf else ""}


# --- sending --------------------------------------------------------------------------------


def notice_message(
    notice: PartnerNotice, recipients: list[str], *, reminder: bool = False
) -> EmailMessage:
    """The e-mail carrying the notice's PDF (the reminder repeats it, marked as such)."""
    assert notice.pdf is not None
    label = notice.label
    words = wording(notice.language)
    with blob_open(notice.pdf) as handle:
        pdf = handle.read()
    body = "\n\n".join(
        [
            words["intro"].format(label=label.legal_name or label.name),
            words["deadline"].format(date=notice.deadline.isoformat()),
            notice.terms_text,
        ]
    )
    message = EmailMessage(
        subject=(
            f"{words['deadline'].format(date=notice.deadline.isoformat())} {words['title']}"
            if reminder
            else f"{words['title']}: {label.legal_name or label.name}"
        ),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=[label.contact_email] if label.contact_email else None,
        # Set here, not by the backend, so the stored copy and the delivery reports carry it.
        headers={"X-Optout-Notice": str(notice.code), "Message-ID": make_msgid(domain=DNS_NAME)},
    )
    message.attach(f"notice-{notice.code}.pdf", pdf, "application/pdf")
    return message


def notice_send(*, notice: PartnerNotice, actor: User | None) -> PartnerNotice:
    """E-mail the rendered notice to every contact of the partner and keep what was sent."""
    if notice.status != PartnerNotice.Status.DRAFT:
        return notice
    recipients = sorted({c.email for c in notice.partner.contacts.all()})
    if not recipients:
        raise JobFailure(
            f"{notice.partner.name} has no contact with an e-mail address: add one to the "
            "partner, then send again."
        )
    if notice.pdf is None:
        notice = notice_render(notice=notice, actor=actor)
    message = notice_message(notice, recipients)
    raw = message.message().as_bytes()
    try:
        get_connection(fail_silently=False).send_messages([message])
    except (OSError, AnymailError) as exc:
        raise JobFailure(f"The mail server did not take the notice: {exc}") from None
    # A mail service (anymail) names the message by its own id in delivery reports.
    status = getattr(message, "anymail_status", None)
    esp_id = status.message_id if status is not None else None
    message_id = esp_id if isinstance(esp_id, str) else str(message.extra_headers["Message-ID"])
    with transaction.atomic():
        filename = f"notice-{notice.code}.eml"
        item = evidence_item_from_bytes(
            label=notice.label,
            actor=actor,
            data=raw,
            filename=filename,
            kind="correspondence",
            title=_("Notice sent to %(partner)s") % {"partner": notice.partner.name},
            document_date=timezone.localdate(),
            source=_("Sent by e-mail"),
        )
        notice.sent_message = item.blob
        notice.status = PartnerNotice.Status.SENT
        notice.sent_at = timezone.now()
        notice.message_id = message_id[:255]
        notice.save(update_fields=["sent_message", "status", "sent_at", "message_id"])
        notice.evidence_items.add(item)
        ledger_append(
            label=notice.label,
            actor=actor,
            action="notice.send",
            subject=notice,
            blob=item.blob,
            data={"to": recipients},
        )
    return notice


def notice_send_run(*, ctx: JobContext) -> dict[str, Any]:
    notice = notice_send(notice=_load(ctx), actor=ctx.job.created_by)
    return {"notice": str(notice.code), "status": notice.status}


def notice_close(*, notice: PartnerNotice, actor: User) -> PartnerNotice:
    if notice.status == PartnerNotice.Status.CLOSED:
        raise ValidationError(_("This notice is closed already."))
    with transaction.atomic():
        previous = notice.status
        notice.status = PartnerNotice.Status.CLOSED
        notice.closed_at = timezone.now()
        notice.save(update_fields=["status", "closed_at"])
        ledger_append(
            label=notice.label,
            actor=actor,
            action="notice.close",
            subject=notice,
            data={"previous_status": previous},
        )
        overdue_alert_resolve(notice=notice, actor=actor)
    return notice
