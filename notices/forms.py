from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Partner, Recording, Release
from notices.models import PartnerNotice
from notices.services.questionnaire import questionnaire_localized
from notices.services.responses import MAX_EXPLANATION, REPLY_CHANNELS
from notices.wording import LANGUAGE_CHOICES, wording
from optout.models import Label


class AnswerForm(forms.Form):
    """The questionnaire a notice carries, in the notice's language."""

    def __init__(
        self, *args: Any, notice: PartnerNotice, language: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        language = language or notice.language
        words = wording(language)
        self.questions = questionnaire_localized(notice.questionnaire, language=language)
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


class QuestionForm(forms.Form):
    """One row of the questionnaire settings page."""

    key = forms.CharField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=500,
    )
    order = forms.IntegerField(label=_("Position"), min_value=1, max_value=999, required=False)
    risk = forms.BooleanField(
        label=_("A “yes” flags the partner at risk"), required=False, initial=True
    )
    remove = forms.BooleanField(label=_("Remove"), required=False)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=1, max_num=50, absolute_max=60)


class ReplyForm(AnswerForm):
    """A reply that came by post or e-mail: the letter, how it came, and its answers."""

    def __init__(self, *args: Any, notice: PartnerNotice, language: str, **kwargs: Any) -> None:
        super().__init__(*args, notice=notice, language=language, **kwargs)
        extra: dict[str, forms.Field] = {
            "letter": forms.FileField(
                label=_("The letter or e-mail received"),
                help_text=_("A scan, PDF or saved e-mail (.eml); kept as evidence."),
            ),
            "channel": forms.ChoiceField(
                label=_("Received"), choices=list(REPLY_CHANNELS.items()), initial="post"
            ),
            "received_on": forms.DateField(
                label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
            ),
            "close": forms.BooleanField(label=_("Close the notice"), required=False, initial=True),
        }
        self.fields = {**extra, **self.fields}


class BulkForm(forms.Form):
    release = forms.ModelChoiceField(
        queryset=Release.objects.none(),
        required=False,
        label=_("Release"),
        to_field_name="code",
        empty_label=_("The whole catalog (every partner that carries a release)"),
    )
    language = forms.ChoiceField(
        choices=LANGUAGE_CHOICES,
        label=_("Language"),
        required=False,
        help_text=_("Empty: each partner's language, from its first territory, else English."),
    )
    deadline = forms.DateField(
        label=_("Answer by"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        help_text=_("Empty: 30 days from today."),
    )
    send = forms.BooleanField(
        label=_("Send each notice by e-mail at once"), required=False, initial=True
    )

    def __init__(self, *args: Any, label: Label, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["release"].queryset = Release.objects.for_label(label).order_by("title")
        fields["language"].choices = [("", _("From each partner's territory")), *LANGUAGE_CHOICES]
