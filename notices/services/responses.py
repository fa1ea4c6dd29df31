"""The partner's answer through the response link, and replies recorded by the label."""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.services.items import evidence_item_from_bytes
from notices.models import PartnerNotice
from notices.services.notices import token_digest
from optout.lib.canonical import utc_iso
from optout.models import User
from optout.services.ledger import ledger_append

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
# A link works from the moment the letter went out until the notice is closed.
ANSWERABLE = (
    PartnerNotice.Status.SENT,
    PartnerNotice.Status.DELIVERED,
    PartnerNotice.Status.BOUNCED,
    PartnerNotice.Status.OVERDUE,
)
READABLE = (*ANSWERABLE, PartnerNotice.Status.ANSWERED)
MAX_EXPLANATION = 5000


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


def answers_raise_risk(notice: PartnerNotice) -> bool:
    """Whether the answer admits training, sublicensing or dataset deals."""
    risky = {q["key"] for q in notice.questionnaire if q.get("risk")}
    return any(
        key in risky and value.get("answer") == "yes" for key, value in notice.answers.items()
    )


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
    )
    notice.answers = answers
    notice.answered_at = now
    notice.answer_source = source
    notice.status = PartnerNotice.Status.ANSWERED
    notice.save(update_fields=["answers", "answered_at", "answer_source", "status"])
    ledger_append(
        label=notice.label,
        actor=actor,
        action="notice.answer",
        subject=notice,
        blob=item.blob,
        data={"source": source, "raises_risk": answers_raise_risk(notice)},
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
