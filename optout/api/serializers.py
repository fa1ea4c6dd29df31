from __future__ import annotations

from typing import Any

from rest_framework import serializers

from optout.models import Invitation, Job, Label, LedgerEntry, Membership, User
from optout.models.labels import LABEL_PROFILE_FIELDS
from optout.roles import Role


class UserSerializer(serializers.ModelSerializer[User]):
    id = serializers.UUIDField(source="code", read_only=True)

    class Meta:
        model = User
        fields = ("id", "email", "name")
        read_only_fields = fields


class LabelSerializer(serializers.ModelSerializer[Label]):
    id = serializers.UUIDField(source="code", read_only=True)
    domains = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()

    class Meta:
        model = Label
        fields = (
            "id",
            "slug",
            *LABEL_PROFILE_FIELDS,
            "domains",
            "role",
        )
        read_only_fields = ("id", "slug", "domains", "role")

    def get_domains(self, label: Label) -> list[str]:
        return [d.domain for d in label.domains.all()]

    def get_role(self, label: Label) -> str | None:
        roles: dict[int, str] = self.context.get("roles", {})
        return roles.get(label.pk)


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    user = UserSerializer(read_only=True)
    id = serializers.UUIDField(source="user.code", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ("id", "user", "role", "created_at")
        read_only_fields = ("id", "user", "created_at")


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    id = serializers.UUIDField(source="code", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True)

    class Meta:
        model = Invitation
        fields = ("id", "email", "role", "status", "invited_by", "created_at", "expires_at")
        read_only_fields = ("id", "status", "invited_by", "created_at", "expires_at")


class JobSerializer(serializers.ModelSerializer[Job]):
    id = serializers.UUIDField(source="code", read_only=True)
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)

    class Meta:
        model = Job
        fields = (
            "id",
            "kind",
            "title",
            "status",
            "progress",
            "step",
            "attempts",
            "max_attempts",
            "error",
            "result",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "updated_at",
        )
        read_only_fields = fields


class LedgerEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    id = serializers.UUIDField(source="code", read_only=True)
    actor = serializers.CharField(source="actor_email", read_only=True)
    object = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = (
            "id",
            "seq",
            "recorded_at",
            "actor",
            "action",
            "object",
            "sha256",
            "data",
            "prev_hash",
            "entry_hash",
        )
        read_only_fields = fields

    def get_object(self, entry: LedgerEntry) -> dict[str, Any]:
        return {"type": entry.object_type, "id": entry.object_code, "repr": entry.object_repr}
