"""API of resumable master uploads (catalog.services.resumable_uploads has the protocol).

* ``POST .../masters/uploads/`` ``{"recording", "filename", "size"}`` opens one (201).
* ``PUT .../masters/uploads/<id>/`` sends the next piece: raw bytes as the body,
  ``Upload-Offset`` (where the piece starts; must equal ``offset``), ``Content-Length``,
  optionally ``Upload-Checksum: sha256 <base64>``. 200 with the new ``offset``; the last
  piece answers 201 with the ``master`` and its processing job. A wrong offset is 409 with
  the offset to resume from.
* ``GET .../masters/uploads/<id>/`` tells the offset after a lost connection.
* ``DELETE .../masters/uploads/<id>/`` cancels and frees the disk.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api.masters import MasterSerializer
from catalog.models import ResumableUpload
from catalog.selectors.masters import recording_by_reference
from catalog.services.masters import MasterUploadError
from catalog.services.resumable_uploads import (
    UploadClosed,
    UploadOffsetMismatch,
    UploadRefused,
    resumable_upload_abort,
    resumable_upload_append,
    resumable_upload_start,
    upload_expires_at,
)
from optout.api.errors import error_body
from optout.api.parsers import JSONParser
from optout.api.views_base import LabelScopedMixin
from optout.roles import Capability


class ResumableUploadSerializer(serializers.ModelSerializer[ResumableUpload]):
    id = serializers.UUIDField(source="code", read_only=True)
    recording = serializers.UUIDField(source="recording.code", read_only=True)
    offset = serializers.IntegerField(source="received", read_only=True)
    chunk_bytes = serializers.SerializerMethodField()
    expires_at = serializers.SerializerMethodField()
    master = serializers.SerializerMethodField()

    class Meta:
        model = ResumableUpload
        fields = (
            "id",
            "recording",
            "filename",
            "size",
            "offset",
            "status",
            "error",
            "chunk_bytes",
            "created_at",
            "updated_at",
            "expires_at",
            "master",
        )
        read_only_fields = fields

    def get_chunk_bytes(self, upload: ResumableUpload) -> int:
        return int(settings.OPTOUT_UPLOAD_CHUNK_BYTES)

    def get_expires_at(self, upload: ResumableUpload) -> str | None:
        if upload.status != ResumableUpload.Status.OPEN:
            return None
        return upload_expires_at(upload).isoformat()

    def get_master(self, upload: ResumableUpload) -> dict[str, Any] | None:
        if upload.master is None:
            return None
        data: dict[str, Any] = dict(MasterSerializer(upload.master).data)
        data["page"] = reverse(
            "catalog:master", kwargs={"slug": upload.label.slug, "code": upload.master.code}
        )
        return data


class ResumableUploadStartSerializer(serializers.Serializer[Any]):
    recording = serializers.CharField(max_length=64, help_text="The recording's ID or ISRC.")
    filename = serializers.CharField(max_length=1000)
    size = serializers.IntegerField(min_value=1, help_text="The whole file's size in bytes.")


def _closed(upload: ResumableUpload) -> Response:
    messages = {
        ResumableUpload.Status.DONE: _("This upload is complete."),
        ResumableUpload.Status.FAILED: _("This upload was refused: %(error)s"),
        ResumableUpload.Status.ABORTED: _("This upload was cancelled; start a new one."),
        ResumableUpload.Status.EXPIRED: _("This upload expired; start a new one."),
    }
    message = messages.get(ResumableUpload.Status(upload.status), "")
    if "%(error)s" in message:
        message = message % {"error": upload.error}
    body = error_body(f"upload_{upload.status}", message)
    body["upload"] = ResumableUploadSerializer(upload).data
    return Response(body, status=status.HTTP_409_CONFLICT)


class ResumableUploadListApi(LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Resumable uploads of the label still open, newest first; POST opens one."""

    model = ResumableUpload
    serializer_class = ResumableUploadSerializer
    read_capability = Capability.CATALOG
    write_capability = Capability.CATALOG
    parser_classes = [JSONParser]
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ResumableUpload.objects.unscoped().none()
        return (
            ResumableUpload.objects.for_label(self.access.label)
            .filter(status=ResumableUpload.Status.OPEN)
            .select_related("recording", "master")
        )

    @extend_schema(
        request=ResumableUploadStartSerializer,
        responses={201: ResumableUploadSerializer, 400: OpenApiResponse(description="Refused")},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ResumableUploadStartSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        recording = recording_by_reference(label=self.access.label, reference=data["recording"])
        if recording is None:
            raise exceptions.ValidationError(
                {"recording": [_("No recording with this ID or ISRC in this label.")]}
            )
        try:
            upload = resumable_upload_start(
                label=self.access.label,
                recording=recording,
                filename=data["filename"],
                size=data["size"],
                actor=self.access.user,
            )
        except MasterUploadError as error:
            raise exceptions.ValidationError({error.field: [error.message]}) from None
        return Response(ResumableUploadSerializer(upload).data, status=status.HTTP_201_CREATED)


def _header_int(request: Request, name: str) -> int:
    raw = request.headers.get(name)
    try:
        value = int(raw or "")
    except ValueError:
        raise exceptions.ValidationError(
            {name: [_("Give %(name)s as a whole number of bytes.") % {"name": name}]}
        ) from None
    if value < 0:
        raise exceptions.ValidationError({name: [_("It cannot be negative.")]})
    return value


def _checksum(request: Request) -> bytes | None:
    raw = request.headers.get("Upload-Checksum")
    if not raw:
        return None
    algorithm, _sep, encoded = raw.strip().partition(" ")
    if algorithm.lower() != "sha256":
        raise exceptions.ValidationError({"Upload-Checksum": [_("Only sha256 is supported.")]})
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 32:
        raise exceptions.ValidationError(
            {"Upload-Checksum": [_("Give the piece's SHA-256 in base64.")]}
        )
    return digest


class ResumableUploadApi(LabelScopedMixin, generics.RetrieveDestroyAPIView):  # type: ignore[type-arg]
    """One resumable upload: its offset (GET), the next piece (PUT), cancel (DELETE)."""

    model = ResumableUpload
    serializer_class = ResumableUploadSerializer
    read_capability = Capability.CATALOG
    write_capability = Capability.CATALOG
    # The body is raw bytes, read by the view itself; nothing else may parse it.
    parser_classes: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ResumableUpload.objects.unscoped().none()
        return ResumableUpload.objects.for_label(self.access.label).select_related(
            "recording", "master", "label"
        )

    @extend_schema(
        request={"application/offset+octet-stream": OpenApiTypes.BINARY},
        parameters=[
            OpenApiParameter("Upload-Offset", int, OpenApiParameter.HEADER, required=True),
            OpenApiParameter(
                "Upload-Checksum",
                str,
                OpenApiParameter.HEADER,
                description="`sha256 <base64 digest of the piece>`",
            ),
        ],
        responses={
            200: ResumableUploadSerializer,
            201: ResumableUploadSerializer,
            400: OpenApiResponse(description="The piece or the file was refused"),
            409: OpenApiResponse(description="Wrong offset, or the upload is closed"),
        },
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload: ResumableUpload = self.get_object()
        offset = _header_int(request, "Upload-Offset")
        length = _header_int(request, "Content-Length")
        checksum = _checksum(request)
        try:
            upload = resumable_upload_append(
                upload=upload,
                offset=offset,
                length=length,
                stream=request._request,
                checksum=checksum,
            )
        except UploadOffsetMismatch as mismatch:
            body = error_body(
                "offset_mismatch",
                _("The upload holds %(offset)s bytes; send the piece that starts there.")
                % {"offset": mismatch.offset},
            )
            body["offset"] = mismatch.offset
            return Response(body, status=status.HTTP_409_CONFLICT)
        except UploadClosed as closed:
            return _closed(closed.upload)
        except MasterUploadError as error:
            body = error_body(error.code, error.message)
            # A refused file closed the upload; a refused piece left it as it was.
            current = error.upload if isinstance(error, UploadRefused) else upload
            body["upload"] = ResumableUploadSerializer(current).data
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        done = upload.status == ResumableUpload.Status.DONE
        if done and isinstance(request.successful_authenticator, SessionAuthentication):
            # The page's upload script opens the master's page next: the note shows there.
            messages.success(
                request._request, _("The master was received; it is being checked now.")
            )
        return Response(
            ResumableUploadSerializer(upload).data,
            status=status.HTTP_201_CREATED if done else status.HTTP_200_OK,
        )

    def perform_destroy(self, instance: ResumableUpload) -> None:
        resumable_upload_abort(upload=instance)
