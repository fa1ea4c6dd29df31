from __future__ import annotations

from typing import Any

from rest_framework import serializers

from notices.models import PartnerNotice
from notices.wording import LANGUAGE_CHOICES
from optout.api.serializers import JobSerializer


class NoticeSerializer(serializers.ModelSerializer[PartnerNotice]):
    id = serializers.UUIDField(source="code", read_only=True)
    partner = serializers.UUIDField(source="partner.code", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    job = JobSerializer(read_only=True)
    covered = serializers.JSONField(read_only=True)
    answers = serializers.JSONField(read_only=True)
    pdf_sha256 = serializers.CharField(source="pdf.sha256", read_only=True, default=None)

    class Meta:
        model = PartnerNotice
        fields = (
            "id",
            "partner",
            "partner_name",
            "scope",
            "language",
            "deadline",
            "status",
            "covered",
            "policy_version_number",
            "terms_text",
            "answers",
            "answer_source",
            "pdf_sha256",
            "job",
            "created_at",
            "rendered_at",
            "sent_at",
            "delivered_at",
            "bounced_at",
            "complained_at",
            "delivery_note",
            "answered_at",
            "overdue_at",
            "closed_at",
        )
        read_only_fields = fields


class NoticeCreateSerializer(serializers.Serializer[dict[str, Any]]):
    partner = serializers.UUIDField(help_text="The partner's ID.")
    scope = serializers.ChoiceField(choices=PartnerNotice.Scope.choices)
    releases = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        help_text="Release IDs or UPCs (scope `releases`).",
    )
    recordings = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        help_text="Recording IDs or ISRCs (scope `recordings`).",
    )
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        help_text="Default: the language of the partner's first territory, else English.",
    )
    deadline = serializers.DateField(required=False, help_text="Default: 30 days from today.")
