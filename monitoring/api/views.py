"""Monitoring API under /api/v1/labels/<slug>/: suspects (upload, list, detail, escalate to
a matter) and the fingerprint index's status.

``POST .../suspects/`` takes ``file`` as multipart form data, or JSON ``{"url": ...}`` (a
direct audio link or a page with an ``<audio>``/``og:audio``, fetched by the job through
the safe fetcher), and answers 202 with the suspect and its check job;
``GET .../suspects/<id>/`` answers 202 while the check runs and 200 with the matches and
the soundalike leads once it is done (or failed, with the reason).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.models import Suspect, SuspectLead, SuspectMatch
from monitoring.selectors import MAX_FAILURES_SHOWN, index_status, label_suspects
from monitoring.services.suspects import (
    SuspectError,
    suspect_escalate,
    suspect_submit,
    suspect_submit_url,
)
from optout.api.parsers import JSONParser
from optout.api.responses import accepted
from optout.api.serializers import JobSerializer
from optout.api.views_base import HashedUploadsMixin, LabelScopedMixin
from optout.roles import Capability
from optout.tenancy import get_owned_or_404


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class SuspectMatchSerializer(serializers.ModelSerializer[SuspectMatch]):
    recording = serializers.UUIDField(source="recording.code", read_only=True)
    recording_title = serializers.CharField(source="recording.title", read_only=True)
    master = serializers.UUIDField(source="master.code", read_only=True)
    master_version = serializers.IntegerField(source="master.version", read_only=True)
    speed = serializers.FloatField(
        source="rate", read_only=True, help_text="The suspect's speed against the master."
    )

    class Meta:
        model = SuspectMatch
        fields = (
            "recording",
            "recording_title",
            "isrc",
            "master",
            "master_version",
            "score",
            "ber",
            "votes",
            "suspect_offset",
            "master_offset",
            "length",
            "speed",
        )
        read_only_fields = fields


class SuspectLeadSerializer(serializers.ModelSerializer[SuspectLead]):
    """A soundalike lead: melody and harmony alike, for a person to listen to. Not a match:
    it may be a cover, a re-generation of the melody, or a coincidence."""

    recording = serializers.UUIDField(source="recording.code", read_only=True)
    recording_title = serializers.CharField(source="recording.title", read_only=True)
    isrc = serializers.CharField(source="recording.isrc", read_only=True)
    master = serializers.UUIDField(source="master.code", read_only=True)

    class Meta:
        model = SuspectLead
        fields = (
            "rank",
            "recording",
            "recording_title",
            "isrc",
            "master",
            "score",
            "transpose",
            "tempo",
            "suspect_offset",
            "master_offset",
            "length",
        )
        read_only_fields = fields


class SuspectSerializer(serializers.ModelSerializer[Suspect]):
    id = serializers.UUIDField(source="code", read_only=True)
    sha256 = serializers.CharField(source="blob.sha256", read_only=True, default=None)
    size = serializers.IntegerField(source="blob.size", read_only=True, default=None)
    media_type = serializers.CharField(source="blob.media_type", read_only=True, default=None)
    capture = serializers.UUIDField(source="capture.code", read_only=True, default=None)
    matter = serializers.UUIDField(source="matter.code", read_only=True, default=None)
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)
    matches = SuspectMatchSerializer(many=True, read_only=True)
    leads = SuspectLeadSerializer(
        many=True,
        read_only=True,
        help_text="Soundalike leads for human review (chroma likeness), never matches.",
    )
    job = JobSerializer(read_only=True)

    class Meta:
        model = Suspect
        fields = (
            "id",
            "original_name",
            "url",
            "audio_url",
            "capture",
            "status",
            "problem",
            "sha256",
            "size",
            "media_type",
            "duration_ms",
            "references",
            "matches",
            "leads",
            "matter",
            "created_by",
            "created_at",
            "checked_at",
            "job",
        )
        read_only_fields = fields


class SuspectUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="An audio file in any format FFmpeg reads.")


class SuspectUrlSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(
        max_length=2048,
        help_text="A direct audio link, or a page whose <audio> or og:audio points at one.",
    )


def _checking(request: Request, suspect: Suspect, *, slug: str) -> Response:
    """202 with the suspect; its detail answers 202 until the check is done."""
    location = reverse("api:monitoring:suspect", kwargs={"slug": slug, "id": suspect.code})
    return accepted(SuspectSerializer(suspect).data, request=request, location=location)


class SuspectListApi(HashedUploadsMixin, LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Suspects of the label, newest first; POST submits one (multipart ``file``, or JSON
    ``{"url": ...}``)."""

    model = Suspect
    serializer_class = SuspectSerializer
    write_capability = Capability.RIGHTS
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Suspect.objects.unscoped().none()
        return label_suspects(label=self.access.label)

    @extend_schema(
        request={
            "multipart/form-data": SuspectUploadSerializer,
            "application/json": SuspectUrlSerializer,
        },
        responses={
            202: SuspectSerializer,
            400: OpenApiResponse(description="Invalid upload"),
            413: OpenApiResponse(description="Larger than the upload limit"),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if (request.content_type or "").startswith("application/json"):
            return self._post_url(request)
        upload, _fields = self.hashed_upload(request, SuspectUploadSerializer)
        try:
            suspect = suspect_submit(
                label=self.access.label,
                path=Path(upload.temporary_file_path()),
                sha256=upload.digest.sha256,
                size=upload.digest.size,
                original_name=upload.name or "",
                actor=self.access.user,
            )
        except SuspectError as error:
            raise exceptions.ValidationError({"file": [error.message]}) from None
        return _checking(request, suspect, slug=self.access.label.slug)

    def _post_url(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"url": [_("Send an object with a url.")]})
        incoming = SuspectUrlSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            suspect = suspect_submit_url(
                label=self.access.label, url=incoming.validated_data["url"], actor=self.access.user
            )
        except SuspectError as error:
            raise exceptions.ValidationError({"url": [error.message]}, code=error.code) from None
        return _checking(request, suspect, slug=self.access.label.slug)


class _SuspectMixin(LabelScopedMixin):
    def suspect(self) -> Suspect:
        found: Suspect = get_owned_or_404(
            label_suspects(label=self.access.label), access=self.access, code=self.kwargs["id"]
        )
        return found


class SuspectApi(_SuspectMixin, APIView):
    @extend_schema(
        responses={
            200: SuspectSerializer,
            202: OpenApiResponse(SuspectSerializer, description="Still being checked."),
        }
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        suspect = self.suspect()
        if suspect.status == Suspect.Status.PENDING:
            return _checking(request, suspect, slug=self.access.label.slug)
        return Response(SuspectSerializer(suspect).data)


class SuspectMatterApi(_SuspectMixin, APIView):
    """Escalate: open a matter holding the suspect file, the matched recordings and their
    current masters (201 with the suspect, whose ``matter`` names it)."""

    write_capability = Capability.RIGHTS

    @extend_schema(
        request=None,
        responses={201: SuspectSerializer, 409: OpenApiResponse(description="Not escalatable")},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        suspect = self.suspect()
        try:
            suspect_escalate(suspect=suspect, actor=self.access.user)
        except SuspectError as error:
            raise Conflict(error.message, code=error.code) from None
        return Response(SuspectSerializer(self.suspect()).data, status=status.HTTP_201_CREATED)


class FingerprintFailureSerializer(serializers.Serializer[Any]):
    master = serializers.UUIDField()
    recording = serializers.UUIDField()
    title = serializers.CharField(help_text="The recording's title.")
    isrc = serializers.CharField()
    version = serializers.IntegerField(help_text="The master's version.")
    file = serializers.CharField(help_text="The master's original file name.")
    reason = serializers.CharField(help_text="Why its audio could not be fingerprinted.")


class IndexStatusSerializer(serializers.Serializer[Any]):
    masters_ready = serializers.IntegerField()
    fingerprinted = serializers.IntegerField()
    pending = serializers.IntegerField()
    failed = serializers.IntegerField()
    failures = FingerprintFailureSerializer(
        many=True,
        help_text=f"The failed masters, newest first (at most {MAX_FAILURES_SHOWN}; "
        "`failed` counts them all).",
    )
    missing = serializers.IntegerField(help_text="Ready masters never queued for fingerprinting.")
    indexed_recordings = serializers.IntegerField()
    version = serializers.IntegerField(
        help_text="The index version in the database; workers reload when theirs is older."
    )


class FingerprintStatusApi(LabelScopedMixin, APIView):
    """How many of the label's ready masters are fingerprinted, waiting, failed, missing."""

    @extend_schema(responses={200: IndexStatusSerializer})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(index_status(label=self.access.label).as_dict())
