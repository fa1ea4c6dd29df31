from __future__ import annotations

from typing import Any

from rest_framework import serializers

from optout.policy.choices import PurposeChoice, StanceChoice, UseChoice
from optout.policy.models import PolicyVersion, TermsPublication, TermsText


class StancesSerializer(serializers.Serializer[dict[str, str]]):
    """One stance per use; on a draft update, uses not given keep their stance."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {
            value: serializers.ChoiceField(
                choices=StanceChoice.choices, required=False, help_text=str(name)
            )
            for value, name in UseChoice.choices
        }


class PolicyVersionSerializer(serializers.ModelSerializer[PolicyVersion]):
    id = serializers.UUIDField(source="code", read_only=True)
    stances = StancesSerializer(read_only=True)
    approved_by = serializers.EmailField(source="approved_by.email", read_only=True, default=None)
    based_on = serializers.UUIDField(source="based_on.code", read_only=True, default=None)
    based_on_number = serializers.IntegerField(
        source="based_on.number", read_only=True, default=None
    )

    class Meta:
        model = PolicyVersion
        fields: tuple[str, ...] = (
            "id",
            "status",
            "number",
            "effective_date",
            "stances",
            "blocked_purposes",
            "scope_paths",
            "scope_domains",
            "scope_catalog",
            "contact_email",
            "contact_url",
            "noarchive",
            "legacy_noai",
            "change_note",
            "based_on",
            "based_on_number",
            "created_at",
            "updated_at",
            "approved_at",
            "approved_by",
        )
        read_only_fields: tuple[str, ...] = fields


class PolicyVersionDetailSerializer(PolicyVersionSerializer):
    changes = serializers.SerializerMethodField()

    class Meta(PolicyVersionSerializer.Meta):
        fields = (*PolicyVersionSerializer.Meta.fields, "changes")
        read_only_fields = fields

    def get_changes(self, version: PolicyVersion) -> list[dict[str, str]]:
        from optout.policy.services.policy import policy_diff, policy_previous

        return [
            {"field": str(c.field), "before": c.before, "after": c.after}
            for c in policy_diff(before=policy_previous(version=version), after=version)
        ]


class DraftInputSerializer(serializers.Serializer[dict[str, Any]]):
    """The fields a draft update may set; all optional, merged into the draft."""

    stances = StancesSerializer(required=False)
    blocked_purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=PurposeChoice.choices), required=False
    )
    scope_paths = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=50
    )
    scope_domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False
    )
    scope_catalog = serializers.DictField(required=False)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    noarchive = serializers.BooleanField(required=False)
    legacy_noai = serializers.BooleanField(required=False)
    change_note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ApproveInputSerializer(serializers.Serializer[dict[str, Any]]):
    effective_date = serializers.DateField(
        required=False, help_text="Today or later; today when left out."
    )


class TermsPublicationSerializer(serializers.ModelSerializer[TermsPublication]):
    id = serializers.UUIDField(source="code", read_only=True)
    recorded_by = serializers.EmailField(source="recorded_by.email", read_only=True, default=None)

    class Meta:
        model = TermsPublication
        fields = ("id", "url", "published_on", "recorded_by", "created_at")
        read_only_fields = ("id", "recorded_by", "created_at")
        extra_kwargs = {"published_on": {"required": False}}


class TermsTextSerializer(serializers.ModelSerializer[TermsText]):
    id = serializers.UUIDField(source="code", read_only=True)
    policy_version = serializers.UUIDField(source="policy_version.code", read_only=True)
    policy_version_number = serializers.IntegerField(source="policy_version.number", read_only=True)
    approved_by = serializers.EmailField(source="approved_by.email", read_only=True, default=None)
    edited = serializers.BooleanField(read_only=True)
    publications = TermsPublicationSerializer(many=True, read_only=True)

    class Meta:
        model = TermsText
        fields = (
            "id",
            "channel",
            "language",
            "status",
            "number",
            "policy_version",
            "policy_version_number",
            "body",
            "edited",
            "created_at",
            "updated_at",
            "approved_at",
            "approved_by",
            "publications",
        )
        read_only_fields = fields


class TermsDraftInputSerializer(serializers.Serializer[dict[str, Any]]):
    body = serializers.CharField(
        required=False,
        max_length=50_000,
        trim_whitespace=False,
        help_text="The edited text; left out to keep the text.",
    )
    regenerate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Generate the text again from the policy in force.",
    )


class HeaderSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    value = serializers.CharField()


class FindingSerializer(serializers.Serializer[Any]):
    file = serializers.CharField()
    message = serializers.CharField()


class SignalsSerializer(serializers.Serializer[Any]):
    policy_version = serializers.UUIDField()
    policy_version_number = serializers.IntegerField()
    effective_date = serializers.DateField()
    files = serializers.DictField(child=serializers.CharField())
    headers = HeaderSerializer(many=True)
    serialisations = serializers.DictField(child=serializers.CharField())
    withheld_from_robots = serializers.ListField(child=serializers.CharField())
    unnamed_in_robots = serializers.ListField(child=serializers.CharField())
    robots_txt_only = serializers.ListField(child=serializers.CharField())
    findings = FindingSerializer(many=True)
    hosted = serializers.DictField(child=serializers.URLField())
