from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from evidence.models import (
    Alert,
    EvidenceItem,
    EvidenceKind,
    EvidenceSettings,
    Matter,
    MatterItem,
    MatterNote,
    MatterStatus,
    Packet,
)
from optout.api.serializers import JobSerializer
from optout.models import Label, Membership, User


class CodeListField(serializers.ListField):
    """Ids of linked objects: written as a list of UUIDs, read from a related manager."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.UUIDField(), max_length=500, **kwargs)

    def to_representation(self, data: Any) -> list[str]:
        objects = data.all() if hasattr(data, "all") else data
        return [str(obj.code) for obj in objects]


class _FileFacts(serializers.Serializer[Any]):
    """The stored file's digest, size and type, read from its blob."""

    sha256 = serializers.CharField(source="blob.sha256", read_only=True)
    size = serializers.IntegerField(source="blob.size", read_only=True)
    media_type = serializers.CharField(source="blob.media_type", read_only=True)


class EvidenceItemSerializer(_FileFacts, serializers.ModelSerializer[EvidenceItem]):
    id = serializers.UUIDField(source="code", read_only=True)
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)
    withdrawn_by = serializers.EmailField(source="withdrawn_by.email", read_only=True, default=None)
    recordings = CodeListField(read_only=True)
    works = CodeListField(read_only=True)

    class Meta:
        model = EvidenceItem
        fields = (
            "id",
            "kind",
            "title",
            "description",
            "document_date",
            "source",
            "source_url",
            "recordings",
            "works",
            "filename",
            "sha256",
            "size",
            "media_type",
            "status",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_reason",
            "created_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "filename",
            "status",
            "withdrawn_at",
            "withdrawal_reason",
            "created_at",
            "updated_at",
        )


class EvidenceItemCreateSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    document_date = serializers.DateField(required=False, allow_null=True, default=None)
    source = serializers.CharField(  # type: ignore[assignment]  # a field, not Field.source
        max_length=300, required=False, allow_blank=True, default=""
    )
    source_url = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")


class EvidenceItemUpdateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices, required=False)
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    document_date = serializers.DateField(required=False, allow_null=True)
    source = serializers.CharField(  # type: ignore[assignment]  # a field, not Field.source
        max_length=300, required=False, allow_blank=True
    )
    source_url = serializers.URLField(max_length=2000, required=False, allow_blank=True)
    recordings = CodeListField(required=False, help_text="Replaces the linked recordings.")
    works = CodeListField(required=False, help_text="Replaces the linked works.")


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class HoldSerializer(serializers.Serializer[Any]):
    hold = serializers.BooleanField(help_text="true puts the matter on legal hold, false lifts it.")
    reason = serializers.CharField(max_length=2000)


@extend_schema_field(OpenApiTypes.UUID)
class LabelMemberField(serializers.Field):  # type: ignore[type-arg]
    """A member of the request's label, given by the user's id."""

    default_error_messages = {
        "invalid": _("Give a user's id."),
        "not_member": _("No member of this label has this id."),
    }

    def to_internal_value(self, data: Any) -> User:
        try:
            code = uuid.UUID(str(data))
        except (TypeError, ValueError, AttributeError):
            self.fail("invalid")
        label: Label = self.context["label"]
        user = User.objects.filter(
            code=code, pk__in=Membership.objects.filter(label=label).values("user_id")
        ).first()
        if user is None:
            self.fail("not_member")
        return user

    def to_representation(self, value: Any) -> Any:
        return str(value.code) if value is not None else None


class MatterSerializer(serializers.ModelSerializer[Matter]):
    id = serializers.UUIDField(source="code", read_only=True)
    status = serializers.ChoiceField(choices=MatterStatus.choices, required=False)
    owner = LabelMemberField(required=False, allow_null=True)
    owner_email = serializers.EmailField(source="owner.email", read_only=True, default=None)
    item_count = serializers.SerializerMethodField()
    recordings = CodeListField(required=False, help_text="Ids of the label's recordings.")
    works = CodeListField(required=False, help_text="Ids of the label's works.")

    class Meta:
        model = Matter
        fields = (
            "id",
            "title",
            "status",
            "owner",
            "owner_email",
            "summary",
            "target_platform",
            "target_url",
            "target_company",
            "territory",
            "recordings",
            "works",
            "legal_hold",
            "legal_hold_reason",
            "legal_hold_since",
            "item_count",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "legal_hold",
            "legal_hold_reason",
            "legal_hold_since",
            "created_at",
            "updated_at",
        )

    def get_item_count(self, matter: Matter) -> int:
        count = getattr(matter, "item_count", None)
        if count is None:
            count = matter.items.filter(status=MatterItem.Status.ACTIVE).count()
        return int(count)


class MatterNoteSerializer(serializers.ModelSerializer[MatterNote]):
    id = serializers.UUIDField(source="code", read_only=True)
    author = serializers.EmailField(source="author.email", read_only=True, default=None)

    class Meta:
        model = MatterNote
        fields = ("id", "text", "author", "created_at")
        read_only_fields = ("author", "created_at")


class MatterItemSerializer(_FileFacts, serializers.ModelSerializer[MatterItem]):
    id = serializers.UUIDField(source="code", read_only=True)
    kind = serializers.CharField(source="source_key", read_only=True)
    source_id = serializers.UUIDField(source="source_code", read_only=True)
    added_by = serializers.EmailField(source="added_by.email", read_only=True, default=None)
    has_timestamp = serializers.SerializerMethodField()

    class Meta:
        model = MatterItem
        fields = (
            "id",
            "kind",
            "source_id",
            "title",
            "description",
            "filename",
            "sha256",
            "size",
            "media_type",
            "document_date",
            "recorded_at",
            "source_url",
            "provenance",
            "has_timestamp",
            "status",
            "withdrawn_at",
            "withdrawal_reason",
            "added_by",
            "created_at",
        )
        read_only_fields = fields

    def get_has_timestamp(self, item: MatterItem) -> bool:
        return item.timestamp_blob_id is not None


class PacketSerializer(serializers.ModelSerializer[Packet]):
    id = serializers.UUIDField(source="code", read_only=True)
    matter = serializers.UUIDField(source="matter.code", read_only=True)
    job = JobSerializer(read_only=True)
    sha256 = serializers.CharField(source="blob.sha256", read_only=True, default=None)
    size = serializers.IntegerField(source="blob.size", read_only=True, default=None)
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)

    class Meta:
        model = Packet
        fields = (
            "id",
            "matter",
            "status",
            "seal",
            "sha256",
            "size",
            "manifest_sha256",
            "item_count",
            "member_count",
            "error",
            "job",
            "created_by",
            "created_at",
            "built_at",
        )
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer[Alert]):
    id = serializers.UUIDField(source="code", read_only=True)
    sha256 = serializers.CharField(source="blob.sha256", read_only=True, default=None)
    resolved_by = serializers.EmailField(source="resolved_by.email", read_only=True, default=None)
    subject_id = serializers.CharField(source="subject_code", read_only=True)

    class Meta:
        model = Alert
        fields = (
            "id",
            "kind",
            "message",
            "sha256",
            "subject_type",
            "subject_id",
            "created_at",
            "resolved_at",
            "resolved_by",
        )
        read_only_fields = fields


class EvidenceSettingsSerializer(serializers.ModelSerializer[EvidenceSettings]):
    tsa_url = serializers.URLField(max_length=2000, required=False, allow_blank=True)

    class Meta:
        model = EvidenceSettings
        fields = ("tsa_url", "tsa_certificates", "updated_at")
        read_only_fields = ("updated_at",)
