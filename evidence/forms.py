from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.models import EvidenceKind, MatterStatus
from evidence.selectors import matter_owner_candidates
from evidence.territories import territory_choices
from optout.lookups import LookupInput
from optout.models import Label


def _choices(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


_LINKS_HELP = _("ISRCs (or ISWCs for works), one per line or separated by commas.")


class _LinksMixin(forms.Form):
    recordings = forms.CharField(
        label=_("Recordings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "SE-ABC-26-00001"}),
        help_text=_LINKS_HELP,
    )
    works = forms.CharField(
        label=_("Works"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "T-034.524.680-1"}),
        help_text=_LINKS_HELP,
    )


class EvidenceItemForm(_LinksMixin):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to use the file name."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    document_date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date the document itself carries."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("Who or where it came from, e.g. “e-mail from the distributor”."),
    )
    source_url = forms.URLField(
        label=_("Source URL"), max_length=2000, required=False, assume_scheme="https"
    )
    field_order = ["file", "kind", "title", "document_date", "source", "source_url"]


class EvidenceUploadForm(EvidenceItemForm):
    file = forms.FileField(label=_("File"))


class MatterForm(_LinksMixin):
    title = forms.CharField(label=_("Title"), max_length=300)
    status = forms.ChoiceField(label=_("Status"), choices=MatterStatus.choices)
    owner = forms.ChoiceField(
        label=_("Owner"),
        required=False,
        help_text=_(
            "The member who runs this matter: an owner or a rights member of the label (the "
            "roles that can add its notes and items)."
        ),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_platform = forms.CharField(label=_("Platform"), max_length=200, required=False)
    target_company = forms.CharField(label=_("Company"), max_length=300, required=False)
    target_url = forms.URLField(
        label=_("Target URL"), max_length=2000, required=False, assume_scheme="https"
    )
    territory = forms.ChoiceField(label=_("Territory"), required=False)
    field_order = [
        "title",
        "status",
        "owner",
        "summary",
        "target_platform",
        "target_company",
        "target_url",
        "territory",
    ]

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "owner").choices = [("", "—"), *members]
        _choices(self, "territory").choices = territory_choices()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class HoldForm(ReasonForm):
    hold = forms.BooleanField(required=False, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AddItemForm(forms.Form):
    """Add an evidence item from a list, or any kind of object by its id."""

    item = forms.ChoiceField(label=_("Evidence item"), required=False)
    source = forms.ChoiceField(label=_("Or another kind"), required=False)
    code = forms.CharField(
        label=_("Its id"),
        max_length=64,
        required=False,
        # Suggests the chosen kind's objects by title, file name or URL as the user types.
        widget=LookupInput("matter-items", within_field="source"),
        help_text=_("Type part of its title, file name or URL, or paste its id."),
    )

    def __init__(
        self,
        *args: Any,
        items: list[tuple[str, str]],
        sources: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "item").choices = [("", "—"), *items]
        _choices(self, "source").choices = [("", "—"), *sources]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("item"):
            data["request"] = {"evidence": data["item"]}
        elif data.get("source") and data.get("code"):
            data["request"] = {data["source"]: data["code"].strip()}
        else:
            raise forms.ValidationError(_("Choose an evidence item, or a kind and an id."))
        return data


class AddToMatterForm(forms.Form):
    matter = forms.ChoiceField(label=_("Matter"))

    def __init__(self, *args: Any, matters: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "matter").choices = matters


class EvidenceSettingsForm(forms.Form):
    tsa_url = forms.URLField(
        label=_("Timestamp authority URL"),
        max_length=2000,
        required=False,
        assume_scheme="https",
        help_text=_("An RFC 3161 timestamp authority. Leave empty to turn timestamps off."),
    )
    tsa_certificates = forms.CharField(
        label=_("Trusted TSA certificates (PEM)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "The authority's root certificate, and any intermediate ones. Timestamps are "
            "verified against these before they count."
        ),
    )


def member_choices(label: Label) -> list[tuple[str, str]]:
    """The members a matter's owner may be chosen from: those whose role can work on it
    (a counsel or viewer owner could not add the notes and items the matter needs)."""
    return [
        (str(u.code), f"{u.name} ({u.email})" if u.name else u.email)
        for u in matter_owner_candidates(label=label)
    ]
