"""API views of the signal audits."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from optout.api.responses import accepted
from optout.api.views_base import LabelDetailView, LabelListView
from optout.models import LabelDomain
from optout.policy.models import SignalAudit, SignalAuditFile
from optout.policy.services.audits import audit_request
from optout.policy.views.audits import gap_rows
from optout.roles import Capability


class GapSerializer(serializers.Serializer[Any]):
    severity = serializers.ChoiceField(choices=["high", "medium", "low"])
    file = serializers.CharField()
    text = serializers.CharField()


class AuditFileSerializer(serializers.ModelSerializer[SignalAuditFile]):
    id = serializers.UUIDField(source="code", read_only=True)
    sha256 = serializers.CharField(source="blob.sha256", default=None, read_only=True)

    class Meta:
        model = SignalAuditFile
        fields = ("id", "kind", "url", "status", "error", "sha256")
        read_only_fields = fields


class AuditSerializer(serializers.ModelSerializer[SignalAudit]):
    id = serializers.UUIDField(source="code", read_only=True)
    job = serializers.UUIDField(source="job.code", read_only=True)
    policy_version = serializers.UUIDField(
        source="policy_version.code", default=None, read_only=True
    )
    policy_version_number = serializers.IntegerField(
        source="policy_version.number", default=None, read_only=True
    )
    gaps = serializers.SerializerMethodField()
    files = AuditFileSerializer(many=True, read_only=True)

    class Meta:
        model = SignalAudit
        fields = (
            "id",
            "domain",
            "status",
            "job",
            "policy_version",
            "policy_version_number",
            "origin",
            "summary",
            "gaps",
            "error",
            "created_at",
            "finished_at",
            "files",
        )
        read_only_fields = fields

    @extend_schema_field(GapSerializer(many=True))
    def get_gaps(self, audit: SignalAudit) -> list[dict[str, Any]]:
        return gap_rows(audit)


class AuditInputSerializer(serializers.Serializer[Any]):
    domain = serializers.CharField(
        required=False, help_text="One of the label's domains; all of them when left out."
    )


class AuditListApi(LabelListView):
    """Audits, newest first; POST starts an audit of every domain (or of one)."""

    model = SignalAudit
    serializer_class = AuditSerializer
    write_capability = Capability.RIGHTS

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("job", "policy_version")
            .prefetch_related("files__blob")
        )

    @extend_schema(request=AuditInputSerializer, responses={202: AuditSerializer(many=True)})
    def post(self, request: Request, slug: str) -> Response:
        incoming = AuditInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        domain = None
        name = incoming.validated_data.get("domain")
        if name:
            domain = LabelDomain.objects.filter(label=self.access.label, domain=name).first()
            if domain is None:
                raise serializers.ValidationError(
                    {"domain": [_("This is not one of the label's domains.")]}
                )
        audits = audit_request(label=self.access.label, actor=self.access.user, domain=domain)
        if not audits:
            raise serializers.ValidationError(
                {"domain": [_("The label has no web domains yet: add them in Settings.")]}
            )
        # One audit per domain, so no single object to name: the list (newest first) shows
        # each of them with its status.
        location = reverse("api:policy:audits", kwargs={"slug": slug})
        return accepted(AuditSerializer(audits, many=True).data, request=request, location=location)


class AuditApi(LabelDetailView):
    model = SignalAudit
    lookup_url_kwarg = "id"
    serializer_class = AuditSerializer
