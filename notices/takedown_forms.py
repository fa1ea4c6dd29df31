"""Forms of the takedown pages (the partner-notice forms are in ``notices.forms``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from notices.models.takedowns import RecipientKind, TakedownRoute
from notices.services.takedown_facts import SIGNAL_CHOICES
from notices.services.takedowns import EVENT_STEP_CHOICES, MAX_URLS


class TakedownForm(forms.Form):
    route = forms.ChoiceField(label=_("Route"), choices=TakedownRoute.choices)
    recipient_name = forms.CharField(label=_("Recipient"), max_length=300)
    recipient_kind = forms.ChoiceField(label=_("Kind of recipient"), choices=RecipientKind.choices)
    recipient_email = forms.EmailField(
        label=_("Recipient e-mail"),
        required=False,
        help_text=_("Where the notice is sent; leave empty when it is filed through a portal."),
    )
    recipient_url = forms.URLField(
        label=_("Recipient portal URL"), required=False, max_length=2000, assume_scheme="https"
    )
    recipient_address = forms.CharField(
        label=_("Recipient postal address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    recipient_country = forms.CharField(
        label=_("Recipient country"), required=False, max_length=2, help_text=_("e.g. US, SE")
    )
    infringing_urls = forms.CharField(
        label=_("Infringing URLs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line. The URLs of the matter's captures of infringing listings are added."
        ),
    )
    recordings = forms.MultipleChoiceField(
        label=_("Recordings"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every recording of the matter."),
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the material infringes or is illegal (required for a DSA notice)."),
    )
    signals = forms.MultipleChoiceField(
        label=_("Signals ignored"),
        required=False,
        choices=SIGNAL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("AI-training letters only. None chosen: every signal the label publishes."),
    )
    signatory = forms.CharField(
        label=_("Signed by"),
        max_length=200,
        help_text=_("The person authorised to act for the label, who signs the notice."),
    )

    def __init__(self, *args: Any, recordings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recordings"].choices = recordings  # type: ignore[attr-defined]

    def clean_infringing_urls(self) -> list[str]:
        lines = [u.strip() for u in self.cleaned_data["infringing_urls"].splitlines()]
        urls = [u for u in lines if u]
        if len(urls) > MAX_URLS:
            raise forms.ValidationError(_("At most %(n)d URLs per takedown.") % {"n": MAX_URLS})
        return urls


class TakedownEventForm(forms.Form):
    status = forms.ChoiceField(label=_("Step"), choices=EVENT_STEP_CHOICES)
    happened_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    file = forms.FileField(
        label=_("Document"), required=False, help_text=_("The letter or e-mail received.")
    )

    def __init__(self, *args: Any, allowed: frozenset[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                (value, name) for value, name in EVENT_STEP_CHOICES if value in allowed
            ]


class PortalSentForm(forms.Form):
    happened_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)
    file = forms.FileField(
        label=_("Portal confirmation"),
        help_text=_("A screenshot or the receipt the portal gave."),
    )
