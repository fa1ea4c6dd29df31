"""Forms of the catalog pages.

Every choice of another record is looked up in the form's label: parties and partners
through label-scoped querysets (by code), works, recordings and releases (too many for
a list) by their identifier or code in a text box. Identifiers are validated and
normalised by ``catalog.identifiers``, the same functions the API and the import use.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog import identifiers
from catalog.entities import ENTITIES, Entity, label_rows, no_rows
from catalog.models import (
    Consent,
    Contract,
    ContributionRecord,
    MarketNote,
    Partner,
    PartnerContact,
    Party,
    PartyRole,
    Recording,
    RecordingPerformer,
    Release,
    ReleaseTrack,
    ToolTerms,
    Work,
    WorkWriter,
)
from catalog.selectors.lookups import record_by_reference
from optout.lookups import LookupInput, LookupTextarea
from optout.models import Label

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class IdentifierField(forms.CharField):
    """A text box whose value is checked and normalised by an identifier function."""

    def __init__(self, *, normalizer: Callable[[str], str], **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.normalizer = normalizer

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        return self.normalizer(text) if text else ""


class TerritoriesField(forms.CharField):
    widget = forms.TextInput(attrs={"placeholder": "Worldwide / SE, NO, DK"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 3000)
        kwargs.setdefault(
            "help_text", _("ISO 3166-1 codes separated by commas (SE, NO, GB…) or “Worldwide”.")
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value)
        return identifiers.normalize_territories(text)


class DurationField(forms.CharField):
    """``m:ss`` (or ``h:mm:ss``, or plain seconds) → milliseconds."""

    _PATTERN = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)$")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("Minutes and seconds, e.g. 3:45"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            seconds = round(value / 1000)
            return f"{seconds // 60}:{seconds % 60:02d}"
        return value

    def clean(self, value: Any) -> int | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        match = self._PATTERN.match(text)
        if not match:
            raise ValidationError(_("Write the duration as minutes:seconds, e.g. 3:45."))
        first, second, rest = match.groups()
        hours, minutes = (int(first), int(second)) if second is not None else (0, int(first or 0))
        seconds = float(rest)
        if (first is not None and seconds >= 60) or (second is not None and minutes >= 60):
            raise ValidationError(_("Seconds and minutes go up to 59."))
        total = round(((hours * 60 + minutes) * 60 + seconds) * 1000)
        if total <= 0 or total > 24 * 3600 * 1000:
            raise ValidationError(_("A duration is between one second and 24 hours."))
        return total


def _lookup(entity: Entity, label: Label, text: str) -> Any:
    return record_by_reference(entity=entity, label=label, text=text)


class RefField(forms.CharField):
    """A record of a big table (work, recording, release) named by identifier or code."""

    def __init__(self, *, entity_key: str, **kwargs: Any) -> None:
        self.entity = ENTITIES[entity_key]
        self.label_obj: Label | None = None
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 100)
        # Suggests records as the user types; without JavaScript a plain text field.
        kwargs.setdefault("widget", self.lookup_widget(self.entity.plural))
        super().__init__(**kwargs)

    @staticmethod
    def lookup_widget(kind: str) -> forms.Widget:
        return LookupInput(kind)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, models.Model):
            key = self.entity.natural_key[0] if self.entity.natural_key else None
            if key is None and self.entity.key in {"partner", "party"}:
                key = "name"  # found again by its exact name
            return (getattr(value, key) if key else "") or str(value.code)  # type: ignore[attr-defined]
        return value

    def resolve(self, text: str) -> Any:
        assert self.label_obj is not None
        try:
            found = _lookup(self.entity, self.label_obj, text)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        if found is None:
            raise ValidationError(
                _("No %(kind)s of this label matches “%(value)s”.")
                % {"kind": str(self.entity.title).lower(), "value": text}
            )
        return found

    def clean(self, value: Any) -> Any:
        text = (super().clean(value) or "").strip()
        return self.resolve(text) if text else None


class RefsField(RefField):
    """Several records, separated by commas or new lines."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20000)
        super().__init__(**kwargs)

    @staticmethod
    def lookup_widget(kind: str) -> forms.Widget:
        return LookupTextarea(kind)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(super(RefsField, self).prepare_value(v)) for v in value)
        return value

    def clean(self, value: Any) -> list[Any]:
        text = forms.CharField.clean(self, value) or ""
        found: list[Any] = []
        errors: list[str] = []
        for part in re.split(r"[,;\n]+", text):
            part = part.strip()
            if not part:
                continue
            try:
                obj = self.resolve(part)
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            if obj not in found:
                found.append(obj)
        if errors:
            raise ValidationError(errors)
        return found


def _scoped_choice(model: type[models.Model], **kwargs: Any) -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(queryset=no_rows(model), to_field_name="code", **kwargs)


def _scoped_multiple(model: type[models.Model], **kwargs: Any) -> Any:
    return forms.ModelMultipleChoiceField(queryset=no_rows(model), to_field_name="code", **kwargs)


class LabelForm(forms.ModelForm):  # type: ignore[type-arg]
    """A form bound to one label: every record it offers or accepts is of that label."""

    upload_field: str | None = None

    def __init__(self, *args: Any, label: Label, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        if instance is not None:
            # The form writes cleaned values onto its instance; the service compares the
            # stored record with them, so the form works on a copy.
            kwargs["instance"] = copy.copy(instance)
        super().__init__(*args, **kwargs)
        self.label = label
        for name, field in self.fields.items():
            if isinstance(field, RefField):
                field.label_obj = label
            elif isinstance(field, forms.ModelChoiceField):
                assert field.queryset is not None
                model = field.queryset.model
                field.queryset = label_rows(model, label).order_by(*model._meta.ordering)
            if instance is not None and not self.is_bound:
                value = getattr(instance, name, None)
                if isinstance(field, forms.ModelMultipleChoiceField | RefsField):
                    self.initial[name] = list(value.all()) if value is not None else []
                elif isinstance(field, forms.ModelChoiceField | RefField):
                    self.initial[name] = value

    def validate_unique(self) -> None:
        # Uniqueness is per label, which the form does not hold: the services check it
        # (and name the field), the database's partial unique indexes back them.
        return

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != self.upload_field}

    def upload(self) -> Any:
        return self.cleaned_data.get(self.upload_field) if self.upload_field else None


def _file_field(label: Any) -> forms.FileField:
    return forms.FileField(label=label, required=False)


class PartyForm(LabelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=PartyRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ipi = IdentifierField(
        label=_("IPI name number"), normalizer=identifiers.normalize_ipi, help_text="00014107338"
    )
    isni = IdentifierField(
        label=_("ISNI"), normalizer=identifiers.normalize_isni, help_text="0000 0001 2281 955X"
    )

    class Meta:
        model = Party
        fields = ("name", "kind", "roles", "ipi", "isni", "email", "notes")
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class WorkForm(LabelForm):
    iswc = IdentifierField(
        label=_("ISWC"), normalizer=identifiers.normalize_iswc, help_text="T-034.524.680-1"
    )

    class Meta:
        model = Work
        fields = ("title", "iswc", "notes")
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class RecordingForm(LabelForm):
    isrc = IdentifierField(
        label=_("ISRC"), normalizer=identifiers.normalize_isrc, help_text="SE-ABC-26-00001"
    )
    duration_ms = DurationField(label=_("Duration"))
    work = RefField(
        entity_key="work", label=_("Work"), help_text=_("The work's ISWC (or its code).")
    )

    class Meta:
        model = Recording
        fields = (
            "isrc",
            "title",
            "version",
            "display_artist",
            "duration_ms",
            "work",
            "p_line",
            "ai_vocals",
            "ai_instrumentation",
            "ai_composition",
            "ai_post_production",
            "ai_lyrics",
            "notes",
        )
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ReleaseForm(LabelForm):
    upc = IdentifierField(
        label=_("UPC/EAN"), normalizer=identifiers.normalize_gtin13, help_text="036000291452"
    )
    territories = TerritoriesField(label=_("Territories"))
    excluded_territories = TerritoriesField(
        label=_("Excluded territories"),
        help_text=_("Only with “Worldwide”: worldwide except these."),
    )

    class Meta:
        model = Release
        fields = (
            "upc",
            "title",
            "release_type",
            "release_date",
            "display_artist",
            "catalog_number",
            "p_line",
            "c_line",
            "territories",
            "excluded_territories",
            "notes",
        )
        widgets = {"release_date": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            identifiers.validate_exclusions(
                data.get("territories") or [], data.get("excluded_territories") or []
            )
        except ValidationError as exc:
            self.add_error("excluded_territories", exc)
        return data


class PartnerForm(LabelForm):
    website = forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", max_length=500
    )
    territories = TerritoriesField(label=_("Territories"))
    releases = RefsField(
        entity_key="release",
        label=_("Releases carried"),
        help_text=_("UPC/EAN codes, separated by commas or new lines."),
    )

    class Meta:
        model = Partner
        fields = ("name", "kind", "website", "territories", "releases", "notes")
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ContractForm(LabelForm):
    upload_field = "document_upload"
    partner = RefField(
        entity_key="partner", label=_("Partner"), max_length=300, help_text=_("Its exact name")
    )
    parties = _scoped_multiple(Party, label=_("Parties"), required=False)
    works = RefsField(entity_key="work", label=_("Works covered"), help_text=_("ISWCs"))
    recordings = RefsField(
        entity_key="recording", label=_("Recordings covered"), help_text=_("ISRCs")
    )
    releases = RefsField(entity_key="release", label=_("Releases covered"), help_text=_("UPCs"))
    territories = TerritoriesField(label=_("Territories"))
    document_upload = _file_field(_("Signed document"))

    class Meta:
        model = Contract
        fields = (
            "title",
            "kind",
            "partner",
            "parties",
            "works",
            "recordings",
            "releases",
            "territories",
            "signed_on",
            "starts_on",
            "ends_on",
            "ai_training",
            "ai_voice",
            "ai_sublicensing",
            "clause_notes",
            "notes",
        )
        widgets = {
            "signed_on": DATE_WIDGET,
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "clause_notes": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The contract cannot end before it starts."))
        return data


class ConsentForm(LabelForm):
    upload_field = "document_upload"
    party = _scoped_choice(Party, label=_("Given by"), required=False)
    recordings = RefsField(entity_key="recording", label=_("Recordings"), help_text=_("ISRCs"))
    document_upload = _file_field(_("Document"))

    class Meta:
        model = Consent
        fields = (
            "kind",
            "title",
            "party",
            "recordings",
            "granted_on",
            "expires_on",
            "scope",
            "notes",
        )
        widgets = {
            "granted_on": DATE_WIDGET,
            "expires_on": DATE_WIDGET,
            "scope": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class ContributionForm(LabelForm):
    upload_field = "file_upload"
    recording = RefField(
        entity_key="recording", label=_("Recording"), required=True, help_text=_("ISRC")
    )
    contributor = _scoped_choice(Party, label=_("Made by"), required=False)
    file_upload = _file_field(_("File"))

    class Meta:
        model = ContributionRecord
        fields = ("recording", "kind", "title", "contributor", "made_on", "description")
        widgets = {"made_on": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 3})}


class ToolTermsForm(LabelForm):
    upload_field = "document_upload"
    recordings = RefsField(entity_key="recording", label=_("Recordings"), help_text=_("ISRCs"))
    terms_url = forms.URLField(
        label=_("Terms URL"), required=False, assume_scheme="https", max_length=1000
    )
    document_upload = _file_field(_("Copy of the terms"))

    class Meta:
        model = ToolTerms
        fields = (
            "tool",
            "plan",
            "version",
            "terms_url",
            "terms_date",
            "exported_on",
            "recordings",
            "notes",
        )
        widgets = {
            "terms_date": DATE_WIDGET,
            "exported_on": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class MarketNoteForm(LabelForm):
    upload_field = "file_upload"
    recording = RefField(
        entity_key="recording", label=_("Recording"), required=True, help_text=_("ISRC")
    )
    territories = TerritoriesField(label=_("Territories targeted"))
    file_upload = _file_field(_("Screenshot or file"))

    class Meta:
        model = MarketNote
        fields = (
            "recording",
            "platform",
            "territories",
            "uploaded_on",
            "ai_metadata_fields",
            "platform_declaration",
            "notes",
        )
        widgets = {
            "uploaded_on": DATE_WIDGET,
            "ai_metadata_fields": forms.Textarea(attrs={"rows": 3}),
            "platform_declaration": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


FORMS: dict[str, type[LabelForm]] = {
    "party": PartyForm,
    "work": WorkForm,
    "recording": RecordingForm,
    "release": ReleaseForm,
    "partner": PartnerForm,
    "contract": ContractForm,
    "consent": ConsentForm,
    "contribution": ContributionForm,
    "toolterm": ToolTermsForm,
    "marketnote": MarketNoteForm,
}


# --- child rows ----------------------------------------------------------------------------


class WriterForm(LabelForm):
    party = _scoped_choice(Party, label=_("Writer"))

    class Meta:
        model = WorkWriter
        fields = ("party", "role", "share")


class PerformerForm(LabelForm):
    party = _scoped_choice(Party, label=_("Performer"))

    class Meta:
        model = RecordingPerformer
        fields = ("party", "role", "instrument")


class TrackForm(LabelForm):
    recording = RefField(
        entity_key="recording", label=_("Recording"), required=True, help_text=_("ISRC")
    )

    class Meta:
        model = ReleaseTrack
        fields = ("recording", "disc_number", "track_number")


class ContactForm(LabelForm):
    class Meta:
        model = PartnerContact
        fields = ("name", "email", "phone", "role")


CHILD_FORMS: dict[str, type[LabelForm]] = {
    "writers": WriterForm,
    "performers": PerformerForm,
    "tracks": TrackForm,
    "contacts": ContactForm,
}


# --- import and settings -------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A CSV export (any delimiter, UTF-8 or Latin-1) or a DDEX ERN 3.8/4.x XML file."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=(("auto", _("Detect")), ("csv", _("CSV")), ("ddex", _("DDEX ERN XML"))),
        initial="auto",
    )


class ColumnAliasesForm(forms.Form):
    """One line per import field: ``field: alias, alias``."""

    aliases = forms.CharField(
        label=_("Extra column names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
    )

    def clean_aliases(self) -> dict[str, list[str]]:
        from catalog.services.imports.columns import FIELDS

        parsed: dict[str, list[str]] = {}
        for number, line in enumerate(self.cleaned_data["aliases"].splitlines(), start=1):
            if not line.strip():
                continue
            field, sep, rest = line.partition(":")
            field = field.strip()
            if not sep or field not in FIELDS:
                raise ValidationError(
                    _("Line %(n)d: start with one of the import fields (%(fields)s) and a colon.")
                    % {"n": number, "fields": ", ".join(FIELDS)}
                )
            names = [a.strip() for a in rest.split(",") if a.strip()]
            parsed.setdefault(field, []).extend(names)
        return parsed


class ColumnMappingForm(forms.Form):
    """One choice per column of the file: the import field it holds, or none (ignored)."""

    def __init__(self, *args: Any, columns: Sequence[Any], **kwargs: Any) -> None:
        from catalog.services.imports.preview import FIELD_NAMES

        super().__init__(*args, **kwargs)
        choices = [("", _("Ignore this column")), *FIELD_NAMES.items()]
        self.columns = list(columns)
        for column in self.columns:
            self.fields[f"col_{column.index}"] = forms.ChoiceField(
                label=column.name or _("Column %(n)s") % {"n": column.index + 1},
                choices=choices,
                required=False,
                initial=column.field,
            )

    def choices(self) -> dict[int, str]:
        return {c.index: self.cleaned_data.get(f"col_{c.index}") or "" for c in self.columns}

    def rows(self) -> list[tuple[Any, Any]]:
        """(column, its bound field) for the template's table."""
        return [(c, self[f"col_{c.index}"]) for c in self.columns]
