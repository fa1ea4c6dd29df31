"""The questionnaire a label asks its partners, kept as data on the label's settings row."""

from __future__ import annotations

from typing import Any

from notices.models import NoticeSettings
from notices.wording import SIGNAL_CHOICES, signal_name, wording
from optout.models import Label

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
