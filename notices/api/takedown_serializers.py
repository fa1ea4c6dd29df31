from __future__ import annotations

from typing import Any

from rest_framework import serializers

from notices.models import Takedown, TakedownEvent, TakedownPacket
from notices.models.takedowns import RecipientKind, TakedownRoute
from notices.services.takedown_facts import SIGNAL_CHOICES
from notices.services.takedowns import EVENT_STEP_CHOICES, MAX_URLS, SEND_VIA_CHOICES
from optout.api.serializers import JobSerializer


class TakedownRecipientSerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=RecipientKind.choices)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    url = serializers.URLField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Portal URL."
    )
    country = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2, help_text="ISO 3166 code."
    )


class TakedownEventSerializer(serializers.ModelSerializer[TakedownEvent]):
    id = serializers.UUIDField(source="code", read_only=True)
    actor = serializers.EmailField(source="actor.email", read_only=True, default=None)
    document_sha256 = serializers.CharField(source="document.sha256", read_only=True, default=None)
    evidence_item = serializers.UUIDField(source="evidence_item.code", read_only=True, default=None)

    class Meta:
        model = TakedownEvent
        fields = (
            "id",
            "status",
            "previous_status",
            "actor",
            "happened_on",
            "note",
            "document_name",
            "document_sha256",
            "evidence_item",
            "created_at",
        )
        read_only_fields = fields


class TakedownSerializer(serializers.ModelSerializer[Takedown]):
    id = serializers.UUIDField(source="code", read_only=True)
    matter = serializers.UUIDField(source="matter.code", read_only=True)
    recipient = serializers.SerializerMethodField()
    job = JobSerializer(read_only=True)
    facts = serializers.JSONField(read_only=True)
    pdf_sha256 = serializers.CharField(source="pdf.sha256", read_only=True, default=None)
    approved_by = serializers.EmailField(source="approved_by.email", read_only=True, default=None)

    class Meta:
        model = Takedown
        fields = (
            "id",
            "matter",
            "route",
            "status",
            "recipient",
            "infringing_urls",
            "explanation",
            "signatory",
            "facts",
            "pdf_sha256",
            "job",
            "created_at",
            "rendered_at",
            "approved_by",
            "approved_at",
            "sent_at",
            "sent_via",
            "send_error",
        )
        read_only_fields = fields

    def get_recipient(self, obj: Takedown) -> dict[str, str]:
        return {
            "name": obj.recipient_name,
            "kind": obj.recipient_kind,
            "email": obj.recipient_email,
            "address": obj.recipient_address,
            "url": obj.recipient_url,
            "country": obj.recipient_country,
        }


class TakedownCreateSerializer(serializers.Serializer[dict[str, Any]]):
    route = serializers.ChoiceField(choices=TakedownRoute.choices)
    recipient = TakedownRecipientSerializer()
    infringing_urls = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        default=list,
        max_length=MAX_URLS,
        help_text="URLs of the material; the matter's captures of infringing listings are added.",
    )
    recordings = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        help_text="Recording IDs or ISRCs. Default: the matter's recordings.",
    )
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    signatory = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="Who signs for the label. Default: the name of the member drafting it.",
    )
    signals = serializers.ListField(
        child=serializers.ChoiceField(choices=SIGNAL_CHOICES),
        required=False,
        help_text="Signals the recipient ignored (route ai_reservation). Default: all published.",
    )


class TakedownEventCreateSerializer(serializers.Serializer[dict[str, Any]]):
    status = serializers.ChoiceField(choices=EVENT_STEP_CHOICES)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    happened_on = serializers.DateField(required=False, help_text="Default: today.")
    file = serializers.FileField(required=False, help_text="The letter or e-mail received.")


class TakedownSendSerializer(serializers.Serializer[dict[str, Any]]):
    via = serializers.ChoiceField(
        choices=SEND_VIA_CHOICES,
        default="email",
        help_text="`email`: a job e-mails the PDF to the recipient. `portal`: it was filed "
        "through the recipient's portal; `file` (multipart) is the confirmation.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    happened_on = serializers.DateField(required=False)
    file = serializers.FileField(required=False)


class TakedownPacketSerializer(serializers.ModelSerializer[TakedownPacket]):
    id = serializers.UUIDField(source="code", read_only=True)
    takedown = serializers.UUIDField(source="takedown.code", read_only=True)
    evidence_packet = serializers.UUIDField(source="packet.code", read_only=True, default=None)
    sha256 = serializers.CharField(source="blob.sha256", read_only=True, default=None)
    job = JobSerializer(read_only=True)

    class Meta:
        model = TakedownPacket
        fields = (
            "id",
            "takedown",
            "status",
            "evidence_packet",
            "sha256",
            "error",
            "job",
            "created_at",
            "built_at",
        )
        read_only_fields = fields
