"""Capture API: list and request captures, detail, re-capture, schedule, files, evidence item.

A URL the safe fetcher refuses answers 400 with the fetcher's reason as the error code::

    {"error": {"code": "host_not_allowed", "message": "…", "fields": {"url": ["…"]}}}

and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from evidence.api.serializers import EvidenceItemSerializer
from evidence.models import Capture, CapturePurpose, EvidenceKind
from evidence.models.captures import MAX_INTERVAL_HOURS
from evidence.selectors import capture_schedule_for, label_capture_schedules
from evidence.services.capture_evidence import capture_to_evidence_item, timestamp_facts
from evidence.services.captures import (
    CaptureFiles,
    CaptureRefused,
    capture_recapture,
    capture_request,
    capture_schedule_set,
    output_filenames,
)
from optout.api.errors import error_body
from optout.api.parsers import JSONParser
from optout.api.responses import accepted
from optout.api.serializers import JobSerializer
from optout.api.views_base import LabelScopedMixin
from optout.roles import Capability
from optout.services.blobs import blob_download_response

OUTPUTS = ("warc", "screenshot", "pdf", "provenance", "bundle")


class CaptureSerializer(serializers.ModelSerializer[Capture]):
    id = serializers.UUIDField(source="code", read_only=True)
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True, default=None)
    previous = serializers.UUIDField(source="previous.code", read_only=True, default=None)
    job = JobSerializer(read_only=True)
    error = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    timestamp = serializers.SerializerMethodField()
    recapture_every_hours = serializers.SerializerMethodField()

    class Meta:
        model = Capture
        fields = (
            "id",
            "url",
            "purpose",
            "note",
            "status",
            "trigger",
            "requested_by",
            "created_at",
            "captured_at",
            "final_url",
            "http_status",
            "peer_ip",
            "page_title",
            "rendered",
            "render_note",
            "changed",
            "lines_added",
            "lines_removed",
            "previous",
            "error",
            "files",
            "timestamp",
            "recapture_every_hours",
            "job",
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_error(self, capture: Capture) -> dict[str, str] | None:
        if capture.status != Capture.Status.FAILED:
            return None
        return {"code": capture.error_code, "message": capture.error}

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_files(self, capture: Capture) -> dict[str, Any]:
        names = output_filenames(url=capture.url, moment=capture.captured_at or capture.created_at)
        return {
            name: {
                "filename": names[name],
                "sha256": blob.sha256,
                "size": blob.size,
                "media_type": blob.media_type,
                "download": reverse(
                    "api:evidence:capture-file",
                    kwargs={"slug": capture.label.slug, "capture_id": capture.code, "output": name},
                ),
            }
            for name, blob in CaptureFiles.of(capture).stored()
        }

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_timestamp(self, capture: Capture) -> dict[str, Any]:
        return timestamp_facts(capture)

    @extend_schema_field(OpenApiTypes.INT)
    def get_recapture_every_hours(self, capture: Capture) -> int | None:
        intervals: dict[str, int] | None = self.context.get("intervals")
        if intervals is not None:
            return intervals.get(capture.url)
        schedule = capture_schedule_for(capture=capture)
        return schedule.interval_hours if schedule else None


@extend_schema_field(OpenApiTypes.URI)
class RawUrlField(serializers.Field):  # type: ignore[type-arg]
    """The URL exactly as sent: length, whitespace and NUL are the safe fetcher's to judge,
    so that a refusal names its own reason (``invalid_url``, ``scheme_not_allowed``...)."""

    default_error_messages = {"invalid": gettext_lazy("Enter the web address as text.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return data

    def to_representation(self, value: Any) -> str:
        return str(value)


class CaptureCreateSerializer(serializers.Serializer[Any]):
    url = RawUrlField()
    purpose = serializers.ChoiceField(choices=CapturePurpose.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    recapture_every_hours = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_INTERVAL_HOURS, default=None
    )


class ScheduleSerializer(serializers.Serializer[Any]):
    recapture_every_hours = serializers.IntegerField(
        allow_null=True, min_value=1, max_value=MAX_INTERVAL_HOURS
    )


class CaptureEvidenceSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices, default=EvidenceKind.OTHER)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")


def _refused(exc: CaptureRefused) -> Response:
    body = error_body(exc.reason, exc.message_text, {"url": [exc.message_text]})
    if exc.detail:
        body["error"]["reason"] = exc.detail
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _accepted(request: Request, capture: Capture) -> Response:
    capture = (
        Capture.objects.for_label(capture.label).select_related("job", "label").get(pk=capture.pk)
    )
    # The capture's detail follows its job until the archive, screenshot and PDF are stored.
    location = reverse(
        "api:evidence:capture-detail", kwargs={"slug": capture.label.slug, "id": capture.code}
    )
    return accepted(CaptureSerializer(capture).data, request=request, location=location)


class _CaptureMixin(LabelScopedMixin):
    model = Capture
    lookup_url_kwarg: str | None = "id"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Capture.objects.unscoped().none()
        return Capture.objects.for_label(self.access.label).select_related(
            "job", "job__created_by", "requested_by", "previous", "label", "warc", "screenshot",
            "pdf", "provenance", "bundle", "timestamp",
        )  # fmt: skip


class CaptureListApi(_CaptureMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The label's captures, newest first; POST captures a URL (a job: 202 Accepted)."""

    serializer_class = CaptureSerializer
    write_capability = Capability.RIGHTS
    parser_classes = [JSONParser, FormParser]

    def get_queryset(self) -> Any:
        captures = super().get_queryset()
        url = self.request.query_params.get("url")
        return captures.filter(url=url) if url else captures

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and hasattr(self, "access"):
            # One query for the whole page instead of one per capture.
            context["intervals"] = dict(
                label_capture_schedules(label=self.access.label).values_list(
                    "url", "interval_hours"
                )
            )
        return context

    @extend_schema(request=CaptureCreateSerializer, responses={202: CaptureSerializer})
    def post(self, request: Request, slug: str) -> Response:
        given = CaptureCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            with transaction.atomic():
                capture = capture_request(
                    label=self.access.label,
                    actor=self.access.user,
                    url=data["url"],
                    purpose=data["purpose"],
                    note=data["note"],
                    recapture_every_hours=data["recapture_every_hours"],
                )
        except CaptureRefused as exc:
            return _refused(exc)
        return _accepted(request, capture)


class CaptureApi(_CaptureMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    serializer_class = CaptureSerializer


class CaptureRecaptureApi(_CaptureMixin, APIView):
    """Capture the same URL again now: a new capture (202) compared with this one's text."""

    write_capability = Capability.RIGHTS

    @extend_schema(request=None, responses={202: CaptureSerializer})
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        capture: Capture = self.get_object()
        try:
            with transaction.atomic():
                again = capture_recapture(capture=capture, actor=self.access.user)
        except CaptureRefused as exc:
            return _refused(exc)
        return _accepted(request, again)


class CaptureScheduleApi(_CaptureMixin, APIView):
    """Capture this URL again every ``recapture_every_hours`` (null stops it)."""

    write_capability = Capability.RIGHTS
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=ScheduleSerializer, responses=CaptureSerializer)
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        capture: Capture = self.get_object()
        given = ScheduleSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            capture_schedule_set(
                label=self.access.label,
                actor=self.access.user,
                url=capture.url,
                purpose=capture.purpose,
                interval_hours=given.validated_data["recapture_every_hours"],
            )
        except CaptureRefused as exc:
            return _refused(exc)
        return Response(CaptureSerializer(capture).data)


class CaptureEvidenceItemApi(_CaptureMixin, APIView):
    """Make a finished capture an evidence item (its file is the capture's bundle)."""

    write_capability = Capability.RIGHTS
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=CaptureEvidenceSerializer, responses={201: EvidenceItemSerializer})
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        capture: Capture = self.get_object()
        given = CaptureEvidenceSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        item = capture_to_evidence_item(
            capture=capture, actor=self.access.user, **given.validated_data
        )
        return Response(EvidenceItemSerializer(item).data, status=status.HTTP_201_CREATED)


class CaptureFileApi(_CaptureMixin, APIView):
    """One of the capture's files, always as an attachment; the download is a custody event."""

    lookup_url_kwarg = "capture_id"

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, slug: str, output: str, **kwargs: Any) -> HttpResponseBase:
        if output not in OUTPUTS:
            raise exceptions.NotFound()
        capture: Capture = self.get_object()
        blob = getattr(capture, output)
        if blob is None:
            raise exceptions.NotFound()
        filename = output_filenames(
            url=capture.url, moment=capture.captured_at or capture.created_at
        )[output]
        return blob_download_response(
            blob=blob,
            filename=filename,
            actor=self.access.user,
            subject=capture,
            extra={"output": output},
        )
