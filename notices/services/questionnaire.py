"""The questionnaire a label asks its partners, kept as data on the label's settings row."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from notices.models import NoticeSettings
from notices.wording import SIGNAL_CHOICES, signal_name, wording
from optout.models import Label, User
from optout.services.ledger import ledger_append

MAX_QUESTION = 500

# ``kind``: ``yes_no`` (answer yes or no) or ``multi`` (any of ``choices``). Each question
# also takes a free-text explanation. ``risk``: a "yes" raises the partner's risk flag.
DEFAULT_QUESTIONS: tuple[dict[str, Any], ...] = (
    {"key": "ai_training", "kind": "yes_no", "risk": True, "text": ""},
    {"key": "sublicensing", "kind": "yes_no", "risk": True, "text": ""},
    {"key": "datasets", "kind": "yes_no", "risk": True, "text": ""},
    {"key": "signals", "kind": "multi", "choices": list(SIGNAL_CHOICES), "risk": False, "text": ""},
)


def questionnaire_for_label(*, label: Label) -> list[dict[str, Any]]:
    """The label's questions (the four defaults until the label has changed them)."""
    row = NoticeSettings.objects.for_label(label).first()
    if row is None or not row.questionnaire:
        return [dict(q) for q in DEFAULT_QUESTIONS]
    return [dict(q) for q in row.questionnaire]


def questionnaire_localized(
    questions: list[dict[str, Any]], *, language: str
) -> list[dict[str, Any]]:
    """Each question with its text in ``language`` (a label's own text stays as written)."""
    words = wording(language)
    out = []
    for question in questions:
        text = question.get("text") or words.get(f"q_{question['key']}", question["key"])
        choices = [
            {"key": key, "name": signal_name(key, language)} for key in question.get("choices", [])
        ]
        out.append({**question, "text": text, "choices": choices})
    return out


def answer_rows(
    *, questionnaire: list[dict[str, Any]], answers: dict[str, Any], language: str
) -> list[dict[str, str]]:
    """Each question with the answer given, in ``language``, for pages."""
    words = wording(language)
    rows = []
    for question in questionnaire_localized(questionnaire, language=language):
        given = answers.get(question["key"]) or {}
        answer = given.get("answer")
        if question["kind"] == "yes_no":
            shown = words.get(str(answer), "")
        else:
            names = {c["key"]: c["name"] for c in question["choices"]}
            shown = ", ".join(names.get(k, k) for k in answer or []) or words["none"]
        rows.append(
            {"text": question["text"], "answer": shown, "explanation": given.get("explanation", "")}
        )
    return rows


def questionnaire_update(
    *, label: Label, actor: User, questions: list[dict[str, Any]]
) -> NoticeSettings:
    """Replace the label's questions (in the order given).

    Each question: ``key`` (empty for a new one), ``text`` (empty keeps the translated
    default wording of a seed question), ``risk``. Notices already created keep the
    questions they were created with: only new notices ask the new ones.
    """
    defaults = {q["key"]: q for q in DEFAULT_QUESTIONS}
    current = {q["key"]: q for q in questionnaire_for_label(label=label)}
    cleaned: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for position, given in enumerate(questions, start=1):
        key = str(given.get("key") or "").strip()
        text = " ".join(str(given.get("text") or "").replace("\x00", "").split())
        if len(text) > MAX_QUESTION:
            errors.append(_("Question %(n)s: keep it under 500 characters.") % {"n": position})
            continue
        if not key:
            if not text:
                continue  # the empty row of the form
            key = f"q_{secrets.token_hex(4)}"
            base: dict[str, Any] = {"key": key, "kind": "yes_no"}
        elif key in current or key in defaults:
            base = dict(current.get(key) or defaults[key])
        else:
            errors.append(_("Question %(n)s is not one of this label's.") % {"n": position})
            continue
        if key in seen:
            continue
        if not text and key not in defaults:
            errors.append(_("Question %(n)s needs its wording (or remove it).") % {"n": position})
            continue
        seen.add(key)
        cleaned.append({**base, "text": text, "risk": bool(given.get("risk"))})
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError(_("Keep at least one question: a notice asks something."))
    with transaction.atomic():
        row: NoticeSettings
        row, _created = NoticeSettings.objects.for_label(label).get_or_create(label=label)
        row.questionnaire = cleaned
        row.save(update_fields=["questionnaire", "updated_at"])
        ledger_append(
            label=label,
            actor=actor,
            action="notices.questionnaire_update",
            subject=row,
            data={"questions": cleaned},
        )
    return row


def questionnaire_reset(*, label: Label, actor: User) -> NoticeSettings:
    """Back to the seed's four questions in their translated wording."""
    with transaction.atomic():
        row: NoticeSettings
        row, _created = NoticeSettings.objects.for_label(label).get_or_create(label=label)
        row.questionnaire = []
        row.save(update_fields=["questionnaire", "updated_at"])
        ledger_append(
            label=label,
            actor=actor,
            action="notices.questionnaire_reset",
            subject=row,
            data={"questions": [dict(q) for q in DEFAULT_QUESTIONS]},
        )
    return row
