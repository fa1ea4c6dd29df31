"""The partner's answer through the response link, and replies recorded by the label."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from catalog.models import PartnerRiskFlag
from catalog.services.partner_risks import partner_risk_raise
from evidence.services.items import evidence_item_create, evidence_item_from_bytes
from notices.models import PartnerNotice
from notices.services.notices import notice_close, token_digest
from notices.services.overdue import overdue_alert_resolve
from notices.services.questionnaire import questionnaire_localized
from optout.lib.canonical import utc_iso
from optout.models import User
from optout.services.ledger import ledger_append
from optout.uploads import HashedUploadedFile

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
# A link works from the moment the letter went out until the notice is closed.
ANSWERABLE = (
    PartnerNotice.Status.SENT,
    PartnerNotice.Status.DELIVERED,
    PartnerNotice.Status.BOUNCED,
    PartnerNotice.Status.COMPLAINED,
    PartnerNotice.Status.OVERDUE,
)
READABLE = (*ANSWERABLE, PartnerNotice.Status.ANSWERED)
MAX_EXPLANATION = 5000
# How a reply recorded by the label arrived (the answer's ``answer_source``).
REPLY_CHANNELS = {"post": _lazy("Received by post"), "email": _lazy("Received by e-mail")}


def notice_for_token(token: str) -> PartnerNotice | None:
    """The notice behind a response link, if the link is live; None for anything else."""
    if not _TOKEN_SHAPE.match(token):
        return None
    notice: PartnerNotice | None = (
        PartnerNotice.objects.unscoped()
        .select_related("label", "partner")
        .filter(token_sha256=token_digest(token), status__in=READABLE, label__is_active=True)
        .first()
    )
    return notice


def answers_clean(
    *, questionnaire: list[dict[str, Any]], values: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Answers keyed by question, checked against the questionnaire the notice carries."""
    answers: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for question in questionnaire:
        key = question["key"]
        given = values.get(key) or {}
        explanation = str(given.get("explanation", "")).replace("\x00", "").strip()
        if len(explanation) > MAX_EXPLANATION:
            errors[key] = [_("Keep the explanation under 5,000 characters.")]
            continue
        if question["kind"] == "yes_no":
            answer = given.get("answer")
            if answer not in ("yes", "no"):
                errors[key] = [_("Answer yes or no.")]
                continue
            answers[key] = {"answer": answer, "explanation": explanation}
        else:
            chosen = given.get("answer") or []
            allowed = set(question.get("choices", []))
            if not isinstance(chosen, list) or not set(chosen) <= allowed:
                errors[key] = [_("Choose from the listed options.")]
                continue
            answers[key] = {"answer": sorted(chosen), "explanation": explanation}
    if errors:
        raise ValidationError(errors)
    return answers


def risky_answers(notice: PartnerNotice) -> list[str]:
    """The questions (in English, as asked) whose "yes" admits training, sublicensing or
    dataset deals."""
    questions = questionnaire_localized(notice.questionnaire, language="en")
    return [
        str(q["text"])
        for q in questions
        if q.get("risk") and (notice.answers.get(q["key"]) or {}).get("answer") == "yes"
    ]


def answers_raise_risk(notice: PartnerNotice) -> bool:
    """Whether the answer admits training, sublicensing or dataset deals."""
    return bool(risky_answers(notice))


def _record_answer(
    *, notice: PartnerNotice, answers: dict[str, Any], source: str, actor: User | None
) -> PartnerNotice:
    now = timezone.now()
    document = {
        "notice": str(notice.code),
        "partner": notice.partner.name,
        "answered_at": utc_iso(now),
        "source": source,
        "questions": notice.questionnaire,
        "answers": answers,
    }
    item = evidence_item_from_bytes(
        label=notice.label,
        actor=actor,
        data=json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8"),
        filename=f"notice-{notice.code}-answers.json",
        kind="distributor_statement",
        title=_("Answers of %(partner)s to the notice") % {"partner": notice.partner.name},
        document_date=timezone.localdate(),
        source=_("Response link") if source == "link" else _("Recorded by the label"),
        description=_("Entered by %(user)s from the reply received") % {"user": actor.email}
        if actor is not None
        else "",
    )
    notice.answers = answers
    notice.answered_at = now
    notice.answer_source = source
    notice.status = PartnerNotice.Status.ANSWERED
    notice.save(update_fields=["answers", "answered_at", "answer_source", "status"])
    notice.evidence_items.add(item)
    ledger_append(
        label=notice.label,
        actor=actor,
        action="notice.answer",
        subject=notice,
        blob=item.blob,
        data={"source": source, "raises_risk": answers_raise_risk(notice)},
    )
    # A late answer: the "has not answered" alert of an overdue notice is no longer true.
    overdue_alert_resolve(notice=notice, actor=actor)
    admitted = risky_answers(notice)
    if admitted:
        partner_risk_raise(
            partner=notice.partner,
            source=PartnerRiskFlag.Source.NOTICE_ANSWER,
            reason=_("Answered yes to a partner notice (%(date)s): %(questions)s")
            % {"date": now.date().isoformat(), "questions": " / ".join(admitted)},
            subject=notice,
            actor=actor,
        )
    return notice


def notice_answer(*, token: str, values: dict[str, Any]) -> PartnerNotice:
    """Store the partner's answers once; the link is read-only afterwards."""
    with transaction.atomic():
        found = notice_for_token(token)
        if found is None:
            raise PartnerNotice.DoesNotExist
        notice = (
            PartnerNotice.objects.unscoped()
            .select_for_update()
            .select_related("label", "partner")
            .get(pk=found.pk)
        )
        if notice.status not in ANSWERABLE or notice.answered_at is not None:
            raise ValidationError(_("This notice has been answered already."))
        answers = answers_clean(questionnaire=notice.questionnaire, values=values)
        return _record_answer(notice=notice, answers=answers, source="link", actor=None)


def notice_reply_record(
    *,
    notice: PartnerNotice,
    actor: User,
    letter: HashedUploadedFile,
    values: dict[str, Any],
    received_on: date,
    channel: str,
    close: bool = True,
) -> PartnerNotice:
    """A reply that came by post or e-mail: the letter becomes an evidence item, the
    answers are entered on the partner's behalf, and the notice is closed if asked."""
    if channel not in REPLY_CHANNELS:
        raise ValidationError({"channel": [_("Choose how the reply arrived.")]})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": [_("The reply cannot arrive in the future.")]})
    with transaction.atomic():
        notice = (
            PartnerNotice.objects.for_label(notice.label)
            .select_for_update(of=("self",))
            .select_related("label", "partner")
            .get(pk=notice.pk)
        )
        if notice.status == PartnerNotice.Status.DRAFT:
            raise ValidationError(_("Send the notice before recording a reply to it."))
        if notice.status == PartnerNotice.Status.CLOSED or notice.answered_at is not None:
            raise ValidationError(_("This notice has been answered or closed already."))
        answers = answers_clean(questionnaire=notice.questionnaire, values=values)
        letter_item = evidence_item_create(
            label=notice.label,
            actor=actor,
            upload=letter,
            kind="correspondence",
            title=_("Reply of %(partner)s to the notice") % {"partner": notice.partner.name},
            document_date=received_on,
            source=str(REPLY_CHANNELS[channel]),
        )
        notice.evidence_items.add(letter_item)
        ledger_append(
            label=notice.label,
            actor=actor,
            action="notice.reply_received",
            subject=notice,
            blob=letter_item.blob,
            data={"channel": channel, "received_on": received_on.isoformat()},
        )
        notice = _record_answer(notice=notice, answers=answers, source=channel, actor=actor)
        if close:
            notice = notice_close(notice=notice, actor=actor)
    return notice
