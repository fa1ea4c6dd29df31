"""The questionnaire settings page: counsel or the owner edits the label's questions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from notices.forms import QuestionFormSet
from notices.services.questionnaire import (
    DEFAULT_QUESTIONS,
    questionnaire_for_label,
    questionnaire_localized,
    questionnaire_reset,
    questionnaire_update,
)
from optout.roles import Capability
from optout.tenancy import LabelAccess, label_view

# Counsel and the owner hold this capability: the questions are legal wording.
EDIT = Capability.PACKETS


def _initial(access: LabelAccess) -> list[dict[str, Any]]:
    questions = questionnaire_for_label(label=access.label)
    return [
        {"key": q["key"], "text": q.get("text", ""), "order": n, "risk": bool(q.get("risk"))}
        for n, q in enumerate(questions, start=1)
    ]


def _rows(formset: Any) -> list[dict[str, Any]]:
    """The submitted rows in the order asked for; removed rows left out."""
    rows = []
    for position, form in enumerate(formset.forms, start=1):
        data = form.cleaned_data
        if not data or data.get("remove"):
            continue
        rows.append({**data, "order": data.get("order") or 1000 + position})
    return sorted(rows, key=lambda r: r["order"])


def _context(access: LabelAccess, formset: Any) -> dict[str, Any]:
    english = {
        q["key"]: q["text"]
        for q in questionnaire_localized([dict(q) for q in DEFAULT_QUESTIONS], language="en")
    }
    for form in formset.forms:
        key = form["key"].value() or ""
        form.question_key = key
        form.default_text = english.get(key, "")
    return {"formset": formset, "can_edit": access.can(EDIT)}


@label_view(write=EDIT)
def questionnaire(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    if request.method != "POST":
        formset = QuestionFormSet(initial=_initial(access), prefix="q")
        return render(request, "notices/questionnaire.html", _context(access, formset))
    access.require(EDIT)
    if request.POST.get("reset"):
        questionnaire_reset(label=access.label, actor=access.user)
        messages.success(request, _("The four default questions are back."))
        return redirect("notices:questionnaire", slug=access.label.slug)
    # No initial here: a row left as it was must still count (Django skips "unchanged" rows).
    formset = QuestionFormSet(request.POST, prefix="q")
    if formset.is_valid():
        try:
            questionnaire_update(label=access.label, actor=access.user, questions=_rows(formset))
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)  # type: ignore[attr-defined]
        else:
            messages.success(request, _("Questions saved. Notices created from now on ask them."))
            return redirect("notices:questionnaire", slug=access.label.slug)
    return render(request, "notices/questionnaire.html", _context(access, formset), status=400)
