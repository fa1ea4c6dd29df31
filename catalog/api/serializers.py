"""Serializers of the catalog API. Ids are the records' codes; links to other records
are ids of the same label (``LabelRefField``)."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import Field

from catalog import identifiers
from catalog.api.fields import (
    IdentifierSerializerField,
    LabelRefField,
    RolesField,
    TerritoriesSerializerField,
)
from catalog.entities import ENTITIES
from catalog.models import (
    CatalogImport,
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
from catalog.selectors import risks

COMMON = ("id", "created_at")


class CatalogSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="code", read_only=True)

    # ModelSerializer reads the model's metadata and builds every field again for each
    # serializer, a tenth of a list page's time; the fields depend on the class alone, so
    # they are built once per class and each serializer gets its own copy, as DRF does for
    # declared fields.
    _field_prototypes: ClassVar[dict[type[Any], dict[str, Field[Any, Any, Any, Any]]]] = {}

    def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
        prototypes = CatalogSerializer._field_prototypes
        fields = prototypes.get(type(self))
        if fields is None:
            fields = prototypes[type(self)] = super().get_fields()
        return copy.deepcopy(fields)

    @cached_property
    def _readable_fields(self) -> list[Field[Any, Any, Any, Any]]:
        # A list page serializes its rows with one child serializer: DRF would sift its
        # fields again for every row (a seventh of a page's serialization time).
        return [field for field in self.fields.values() if not field.write_only]


class FileMixin(serializers.Serializer):  # type: ignore[type-arg]
    """Describes the attached file; the upload itself arrives as multipart ``file``."""

    file = serializers.SerializerMethodField()
    entity_key = ""

    def get_file(self, obj: Any) -> dict[str, Any] | None:
        entity = ENTITIES[self.entity_key]
        assert entity.file_field and entity.file_name_field
        blob = getattr(obj, entity.file_field)
        if blob is None:
            return None
        return {
            "name": getattr(obj, entity.file_name_field),
            "sha256": blob.sha256,
            "size": blob.size,
            "media_type": blob.media_type,
            "download": reverse(
                f"api:catalog:{entity.key}-file",
                kwargs={"slug": obj.label.slug, "id": obj.code},
            ),
        }


# --- child rows ----------------------------------------------------------------------------


class WriterSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="code", read_only=True)
    party = LabelRefField(Party)

    class Meta:
        model = WorkWriter
        fields = ("id", "party", "role", "share")


class PerformerSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="code", read_only=True)
    party = LabelRefField(Party)

    class Meta:
        model = RecordingPerformer
        fields = ("id", "party", "role", "instrument")


class TrackSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="code", read_only=True)
    recording = LabelRefField(Recording)

    class Meta:
        model = ReleaseTrack
        fields = ("id", "recording", "disc_number", "track_number")


class ContactSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="code", read_only=True)

    class Meta:
        model = PartnerContact
        fields = ("id", "name", "email", "phone", "role")


# --- records -------------------------------------------------------------------------------


class PartySerializer(CatalogSerializer):
    roles = RolesField(choices=PartyRole.choices, required=False)
    ipi = IdentifierSerializerField(normalizer=identifiers.normalize_ipi)
    isni = IdentifierSerializerField(normalizer=identifiers.normalize_isni)

    class Meta:
        model = Party
        fields = (*COMMON, "name", "kind", "roles", "ipi", "isni", "email", "notes", "updated_at")
        read_only_fields = ("created_at", "updated_at")


class WorkSerializer(CatalogSerializer):
    iswc = IdentifierSerializerField(normalizer=identifiers.normalize_iswc)

    class Meta:
        model = Work
        fields: tuple[str, ...] = (*COMMON, "title", "iswc", "notes", "updated_at")
        read_only_fields = ("created_at", "updated_at")


class WorkDetailSerializer(WorkSerializer):
    writers = WriterSerializer(many=True, required=False)

    class Meta(WorkSerializer.Meta):
        fields = (*WorkSerializer.Meta.fields, "writers")


class RecordingSerializer(CatalogSerializer):
    isrc = IdentifierSerializerField(normalizer=identifiers.normalize_isrc)
    work = LabelRefField(Work, required=False, allow_null=True)
    duration_ms = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=24 * 3600 * 1000
    )

    class Meta:
        model = Recording
        fields: tuple[str, ...] = (
            *COMMON,
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
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")


class RecordingDetailSerializer(RecordingSerializer):
    performers = PerformerSerializer(many=True, required=False)
    flags = serializers.SerializerMethodField()

    class Meta(RecordingSerializer.Meta):
        fields = (*RecordingSerializer.Meta.fields, "performers", "flags")

    def get_flags(self, obj: Recording) -> list[dict[str, Any]]:
        uncovered = risks.recording_uncovered_vocalists(recording=obj)
        if not uncovered:
            return []
        return [
            {
                "key": risks.FLAG_VOICE_NOT_COVERED,
                "parties": [str(p.code) for p in uncovered],
            }
        ]


class ReleaseSerializer(CatalogSerializer):
    upc = IdentifierSerializerField(normalizer=identifiers.normalize_gtin13)
    territories = TerritoriesSerializerField()
    excluded_territories = TerritoriesSerializerField()

    class Meta:
        model = Release
        fields: tuple[str, ...] = (
            *COMMON,
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
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        territories = attrs.get("territories", instance.territories if instance else [])
        excluded = attrs.get(
            "excluded_territories", instance.excluded_territories if instance else []
        )
        try:
            identifiers.validate_exclusions(territories, excluded)
        except identifiers.IdentifierError as exc:
            raise serializers.ValidationError({"excluded_territories": exc.messages}) from None
        return attrs


class ReleaseDetailSerializer(ReleaseSerializer):
    tracks = TrackSerializer(many=True, required=False)

    class Meta(ReleaseSerializer.Meta):
        fields = (*ReleaseSerializer.Meta.fields, "tracks")


class PartnerSerializer(CatalogSerializer):
    territories = TerritoriesSerializerField()
    releases = LabelRefField(Release, many=True, required=False)

    class Meta:
        model = Partner
        fields: tuple[str, ...] = (
            *COMMON,
            "name",
            "kind",
            "website",
            "territories",
            "releases",
            "notes",
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")


class PartnerDetailSerializer(PartnerSerializer):
    contacts = ContactSerializer(many=True, required=False)

    class Meta(PartnerSerializer.Meta):
        fields = (*PartnerSerializer.Meta.fields, "contacts")


class ContractSerializer(FileMixin, CatalogSerializer):
    entity_key = "contract"
    partner = LabelRefField(Partner, required=False, allow_null=True)
    parties = LabelRefField(Party, many=True, required=False)
    works = LabelRefField(Work, many=True, required=False)
    recordings = LabelRefField(Recording, many=True, required=False)
    releases = LabelRefField(Release, many=True, required=False)
    territories = TerritoriesSerializerField()
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = (
            *COMMON,
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
            "file",
            "flags",
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")

    def get_flags(self, obj: Contract) -> list[str]:
        return [flag.key for flag in risks.contract_flags(contract=obj)]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        starts = attrs.get("starts_on", instance.starts_on if instance else None)
        ends = attrs.get("ends_on", instance.ends_on if instance else None)
        if starts and ends and ends < starts:
            raise serializers.ValidationError(
                {"ends_on": [str(_("The contract cannot end before it starts."))]}
            )
        return attrs


class ConsentSerializer(FileMixin, CatalogSerializer):
    entity_key = "consent"
    party = LabelRefField(Party, required=False, allow_null=True)
    recordings = LabelRefField(Recording, many=True, required=False)

    class Meta:
        model = Consent
        fields = (
            *COMMON,
            "kind",
            "title",
            "party",
            "recordings",
            "granted_on",
            "expires_on",
            "scope",
            "notes",
            "file",
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")


class ContributionSerializer(FileMixin, CatalogSerializer):
    entity_key = "contribution"
    recording = LabelRefField(Recording)
    contributor = LabelRefField(Party, required=False, allow_null=True)

    class Meta:
        model = ContributionRecord
        fields = (
            *COMMON,
            "recording",
            "kind",
            "title",
            "contributor",
            "made_on",
            "description",
            "file",
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")


class ToolTermsSerializer(FileMixin, CatalogSerializer):
    entity_key = "toolterm"
    recordings = LabelRefField(Recording, many=True, required=False)

    class Meta:
        model = ToolTerms
        fields = (
            *COMMON,
            "tool",
            "plan",
            "version",
            "terms_url",
            "terms_date",
            "exported_on",
            "recordings",
            "notes",
            "file",
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")


class MarketNoteSerializer(FileMixin, CatalogSerializer):
    entity_key = "marketnote"
    recording = LabelRefField(Recording)
    territories = TerritoriesSerializerField()

    class Meta:
        model = MarketNote
        fields = (
            *COMMON,
            "recording",
            "platform",
            "territories",
            "uploaded_on",
            "ai_metadata_fields",
            "platform_declaration",
            "notes",
            "file",
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")


class CatalogImportSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="code", read_only=True)
    job = serializers.SerializerMethodField()
    error_report = serializers.SerializerMethodField()

    class Meta:
        model = CatalogImport
        fields = (
            "id",
            "source_name",
            "format",
            "rows_total",
            "rows_rejected",
            "summary",
            "job",
            "error_report",
            "created_at",
        )
        read_only_fields = fields

    def get_job(self, obj: CatalogImport) -> dict[str, Any]:
        job = obj.job
        assert job is not None  # the API lists only imports that have started
        return {
            "id": str(job.code),
            "status": job.status,
            "progress": job.progress,
            "step": job.step,
            "error": job.error,
        }

    def get_error_report(self, obj: CatalogImport) -> str | None:
        if obj.error_report_id is None:
            return None
        return reverse("api:catalog:import-report", kwargs={"slug": obj.label.slug, "id": obj.code})


class ImportCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=("auto", "csv", "ddex"), default="auto")


# (list serializer, detail serializer) per kind
SERIALIZERS: dict[str, tuple[type[Any], type[Any]]] = {
    "party": (PartySerializer, PartySerializer),
    "work": (WorkSerializer, WorkDetailSerializer),
    "recording": (RecordingSerializer, RecordingDetailSerializer),
    "release": (ReleaseSerializer, ReleaseDetailSerializer),
    "partner": (PartnerSerializer, PartnerDetailSerializer),
    "contract": (ContractSerializer, ContractSerializer),
    "consent": (ConsentSerializer, ConsentSerializer),
    "contribution": (ContributionSerializer, ContributionSerializer),
    "toolterm": (ToolTermsSerializer, ToolTermsSerializer),
    "marketnote": (MarketNoteSerializer, MarketNoteSerializer),
}
