from __future__ import annotations

from typing import Any

from django import forms

from notices.models import PartnerNotice
from notices.services.questionnaire import questionnaire_localized
from notices.services.responses import MAX_EXPLANATION
from notices.wording import wording


class AnswerForm(forms.Form):
    """The questionnaire a notice carries, in the notice's language."""

    def __init__(self, *args: Any, notice: PartnerNotice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        words = wording(notice.language)
        self.questions = questionnaire_localized(notice.questionnaire, language=notice.language)
        for q in self.questions:
            key = q["key"]
            if q["kind"] == "yes_no":
                self.fields[f"{key}__answer"] = forms.ChoiceField(
                    label=q["text"],
                    choices=[("yes", words["yes"]), ("no", words["no"])],
                    widget=forms.RadioSelect,
                )
            else:
                self.fields[f"{key}__answer"] = forms.MultipleChoiceField(
                    label=q["text"],
                    choices=[(c["key"], c["name"]) for c in q["choices"]],
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                )
            self.fields[f"{key}__explanation"] = forms.CharField(
                label=words["explanation"],
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=MAX_EXPLANATION,
                required=False,
            )

    def values(self) -> dict[str, Any]:
        return {
            q["key"]: {
                "answer": self.cleaned_data.get(f"{q['key']}__answer"),
                "explanation": self.cleaned_data.get(f"{q['key']}__explanation", ""),
            }
            for q in self.questions
        }
