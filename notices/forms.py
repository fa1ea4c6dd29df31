from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Partner, Recording, Release
from notices.models import PartnerNotice
from notices.services.questionnaire import questionnaire_localized
from notices.services.responses import MAX_EXPLANATION
from notices.wording import LANGUAGE_CHOICES, wording
from optout.models import Label


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


class NoticeForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(), label=_("Partner"), to_field_name="code"
    )
    scope = forms.ChoiceField(
        choices=PartnerNotice.Scope.choices, label=_("Covers"), widget=forms.RadioSelect
    )
    releases = forms.ModelMultipleChoiceField(
        queryset=Release.objects.none(), required=False, label=_("Releases"), to_field_name="code"
    )
    recordings = forms.ModelMultipleChoiceField(
        queryset=Recording.objects.none(),
        required=False,
        label=_("Recordings"),
        to_field_name="code",
    )
    language = forms.ChoiceField(
        choices=LANGUAGE_CHOICES,
        label=_("Language"),
        required=False,
        help_text=_("Empty: the language of the partner's first territory, else English."),
    )
    deadline = forms.DateField(
        label=_("Answer by"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def __init__(self, *args: Any, label: Label, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["partner"].queryset = Partner.objects.for_label(label).order_by("name")
        fields["releases"].queryset = Release.objects.for_label(label).order_by("title")
        fields["recordings"].queryset = Recording.objects.for_label(label).order_by("title")
        fields["language"].choices = [("", _("From the partner's territory")), *LANGUAGE_CHOICES]
