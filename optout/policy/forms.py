"""Forms of the policy app. They collect input; the services validate the policy itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from optout.lookups import LookupTextarea, lookup_reference
from optout.models import Label, LabelDomain
from optout.policy.choices import PurposeChoice, StanceChoice, UseChoice
from optout.policy.models import SignalKind

_CATALOG_KINDS = (
    ("releases", _("Releases")),
    ("recordings", _("Recordings")),
    ("works", _("Works")),
)


_CATALOG_HELP = {
    "releases": _("One per line: UPC/EAN, exact title or code."),
    "recordings": _("One per line: ISRC, exact title or code."),
    "works": _("One per line: ISWC, exact title or code."),
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class PolicyForm(forms.Form):
    """One field per use, then the crawler blocks, the scope and the contact."""

    blocked_purposes = forms.MultipleChoiceField(
        label=_("Refuse these crawlers"),
        choices=PurposeChoice.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Agents nobody has classified yet are always refused."),
    )
    scope_paths = forms.CharField(
        label=_("Paths in scope"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One path prefix per line; “/” is the whole site."),
    )
    scope_domains = forms.MultipleChoiceField(
        label=_("Sites in scope"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every site of the label."),
    )
    catalog_all = forms.BooleanField(label=_("Applies to the whole catalog"), required=False)
    contact_email = forms.EmailField(label=_("Licensing contact e-mail"), required=False)
    contact_url = forms.URLField(
        label=_("Licensing contact URL"), required=False, assume_scheme="https", max_length=500
    )
    noarchive = forms.BooleanField(
        label=_("Send noarchive (Bing's AI-training opt-out)"), required=False
    )
    legacy_noai = forms.BooleanField(
        label=_("Also send the legacy noai, noimageai directives"), required=False
    )
    change_note = forms.CharField(
        label=_("What changed and why"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, label: Label, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stance_fields: dict[str, forms.Field] = {
            f"use_{value}": forms.ChoiceField(
                label=name, choices=StanceChoice.choices, widget=forms.RadioSelect
            )
            for value, name in UseChoice.choices
        }
        catalog_fields: dict[str, forms.Field] = {
            f"catalog_{kind}": forms.CharField(
                label=name,
                required=False,
                widget=LookupTextarea(kind),
                help_text=_CATALOG_HELP[kind],
            )
            for kind, name in _CATALOG_KINDS
        }
        # Uses first, in the order of the vocabulary; the catalog codes after its checkbox.
        ordered: dict[str, forms.Field] = dict(stance_fields)
        for name, field in self.fields.items():
            ordered[name] = field
            if name == "catalog_all":
                ordered.update(catalog_fields)
        self.fields = ordered
        domains = LabelDomain.objects.filter(label=label).values_list("domain", flat=True)
        scope_domains = self.fields["scope_domains"]
        assert isinstance(scope_domains, forms.MultipleChoiceField)
        scope_domains.choices = [(d, d) for d in domains]

    @staticmethod
    def initial_from(values: dict[str, Any], *, label: Label | None = None) -> dict[str, Any]:
        catalog = values.get("scope_catalog") or {"all": True}
        initial = {
            "blocked_purposes": list(values.get("blocked_purposes", [])),
            "scope_paths": "\n".join(values.get("scope_paths", ["/"])),
            "scope_domains": list(values.get("scope_domains", [])),
            "catalog_all": bool(catalog.get("all")),
            "contact_email": values.get("contact_email", ""),
            "contact_url": values.get("contact_url", ""),
            "noarchive": values.get("noarchive", True),
            "legacy_noai": values.get("legacy_noai", False),
            "change_note": values.get("change_note", ""),
        }
        for value, _name in UseChoice.choices:
            initial[f"use_{value}"] = values.get("stances", {}).get(value)
        for kind, _name in _CATALOG_KINDS:
            # Stored as codes; shown as the identifiers people know (ISRC, UPC/EAN, ISWC).
            initial[f"catalog_{kind}"] = "\n".join(
                lookup_reference(label=label, kind=kind, code=str(code)) if label else str(code)
                for code in catalog.get(kind, [])
            )
        return initial

    def policy_values(self) -> dict[str, Any]:
        """The cleaned data in the shape ``policy_draft_save`` takes."""
        data = self.cleaned_data
        catalog: dict[str, Any] = {"all": data["catalog_all"]}
        for kind, _name in _CATALOG_KINDS:
            codes = _lines(data[f"catalog_{kind}"])
            if codes:
                catalog[kind] = codes
        return {
            "stances": {value: data[f"use_{value}"] for value, _name in UseChoice.choices},
            "blocked_purposes": sorted(data["blocked_purposes"]),
            "scope_paths": _lines(data["scope_paths"]),
            "scope_domains": sorted(data["scope_domains"]),
            "scope_catalog": catalog,
            "contact_email": data["contact_email"],
            "contact_url": data["contact_url"],
            "noarchive": data["noarchive"],
            "legacy_noai": data["legacy_noai"],
            "change_note": data["change_note"],
        }


class ApproveForm(forms.Form):
    effective_date = forms.DateField(
        label=_("Takes effect on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today or later: a reservation cannot reach back before its approval."),
    )


class TermsDraftForm(forms.Form):
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 18}), max_length=50_000
    )


class PublicationForm(forms.Form):
    url = forms.URLField(label=_("Published at (URL)"), assume_scheme="https", max_length=500)
    published_on = forms.DateField(
        label=_("Published on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class TerritoryForm(forms.Form):
    reading = forms.CharField(
        label=_("What it means for producers"), widget=forms.Textarea(attrs={"rows": 4})
    )
    legal_hook = forms.CharField(
        label=_("Legal hook of a reservation"), widget=forms.Textarea(attrs={"rows": 3})
    )
    required_signals = forms.MultipleChoiceField(
        label=_("Required signals"),
        choices=SignalKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recommended_signals = forms.MultipleChoiceField(
        label=_("Recommended signals"),
        choices=SignalKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    disclosure = forms.CharField(
        label=_("Disclosure and labelling duties"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notice_route = forms.CharField(
        label=_("Notice route"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    checklist = forms.CharField(
        label=_("Checklist"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item per line."),
    )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["checklist"] = _lines(data["checklist"])
        return data


class TerritoryQueryForm(forms.Form):
    territories = forms.CharField(
        label=_("Territories"),
        help_text=_("ISO codes separated by commas, or Worldwide."),
        widget=forms.TextInput(attrs={"placeholder": "SE, US, BR"}),
    )
    excluded = forms.CharField(
        label=_("Excluding"), required=False, widget=forms.TextInput(attrs={"placeholder": "RU"})
    )

    @staticmethod
    def codes(text: str) -> list[str]:
        return [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]


class SigningForm(forms.Form):
    certificate = forms.FileField(
        label=_("Certificate chain (PEM)"),
        help_text=_("The signing certificate first, then the CA certificates that issued it."),
    )
    private_key = forms.FileField(label=_("Private key (PEM, unencrypted)"))

    def pem(self, name: str) -> bytes:
        upload = self.cleaned_data[name]
        data: bytes = upload.read(64 * 1024 + 1)
        return data
