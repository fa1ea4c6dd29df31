"""API of masters: upload (multipart), list, detail, download, rights-tagged copy.

``POST /api/v1/labels/<slug>/masters/`` takes ``file`` and ``recording`` (the recording's
ID, or its ISRC) as multipart form data; the file is hashed while it arrives and the answer
(201) is the master with its processing job. ``GET .../masters/<id>/tagged/`` answers the
rights-tagged copy for the current metadata when it is ready, else 202 with its job.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.audio import RightsMetadataError
from catalog.audio.messages import render as render_note
from catalog.models import Master, MasterTaggedCopy, Recording
from catalog.models.masters import problem_message
from catalog.selectors.masters import (
    label_masters,
    master_problems,
    master_tagged_copy_for,
    recording_by_reference,
)
from catalog.services.masters import (
    MasterStateError,
    MasterUploadError,
    master_recheck,
    master_upload_for_reference,
)
from catalog.services.tagging import (
    TaggingError,
    metadata_key,
    rights_metadata_for,
    tagged_copy_request,
    tagged_filename,
)
from optout.api.responses import accepted
from optout.api.serializers import JobSerializer
from optout.api.views_base import HashedUploadsMixin, LabelScopedMixin
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.tenancy import get_owned_or_404


class Conflict(exceptions.APIException):
    """The object is not in a state that allows this (the code says which)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _notes(items: Any) -> list[dict[str, Any]]:
    notes = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("code"):
            raw = item.get("params")
            params = {str(k): v for k, v in (raw if isinstance(raw, dict) else {}).items()
                      if isinstance(v, str | int)}  # fmt: skip
            code = str(item["code"])
            notes.append({"code": code, "params": params, "message": render_note(code, params)})
    return notes


def _problem(problem: Any) -> dict[str, str] | None:
    if not isinstance(problem, dict) or not problem.get("code"):
        return None
    return {"code": str(problem["code"]), "message": problem_message(problem)}


class RecordingRefSerializer(serializers.ModelSerializer[Recording]):
    id = serializers.UUIDField(source="code", read_only=True)

    class Meta:
        model = Recording
        fields = ("id", "isrc", "title", "version", "display_artist")
        read_only_fields = fields


class MasterSerializer(serializers.ModelSerializer[Master]):
    id = serializers.UUIDField(source="code", read_only=True)
    recording = RecordingRefSerializer(read_only=True)
    problem = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    media_type = serializers.CharField(source="blob.media_type", read_only=True)
    tags = serializers.SerializerMethodField()
    common_tags = serializers.SerializerMethodField()
    tag_systems = serializers.SerializerMethodField()
    bext = serializers.SerializerMethodField()
    ixml = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    uploaded_by = serializers.EmailField(source="uploaded_by.email", read_only=True, default=None)
    uploaded_at = serializers.DateTimeField(source="created_at", read_only=True)
    job = JobSerializer(read_only=True)

    class Meta:
        model = Master
        fields = (
            "id",
            "recording",
            "version",
            "is_current",
            "status",
            "problem",
            "problems",
            "original_name",
            "size",
            "media_type",
            "received_sha256",
            "verified_sha256",
            "verified_at",
            "payload_sha256",
            "format",
            "codec",
            "sample_rate",
            "channels",
            "bit_depth",
            "duration_ms",
            "bitrate",
            "tags",
            "common_tags",
            "tag_systems",
            "bext",
            "ixml",
            "notes",
            "uploaded_by",
            "uploaded_at",
            "processed_at",
            "job",
        )
        read_only_fields = fields

    def _info(self, master: Master, key: str) -> Any:
        return master.info.get(key) if isinstance(master.info, dict) else None

    def get_problem(self, master: Master) -> dict[str, str] | None:
        return _problem(master.problem)

    def get_problems(self, master: Master) -> list[dict[str, Any]]:
        """What stands in the way of using a ready master as it is: ``isrc_mismatch`` (the
        file's embedded ISRC is not its recording's; making a tagged copy then needs
        ``confirm_isrc_overwrite``) and ``truncated_untaggable`` (no tagged copy can be
        made). Each has ``code``, ``params`` and ``message``."""
        return master_problems(master=master)

    def get_tags(self, master: Master) -> dict[str, list[str]]:
        """Tags found in the uploaded file, by their raw ids (``TSRC``, ``ISRC``, ``cprt``…)."""
        return master.tags

    def get_common_tags(self, master: Master) -> dict[str, list[str]]:
        """The same tags under common names (isrc, title, artist, copyright…)."""
        value = self._info(master, "common")
        return dict(value) if isinstance(value, dict) else {}

    def get_tag_systems(self, master: Master) -> list[str]:
        value = self._info(master, "tag_systems")
        return list(value) if isinstance(value, list) else []

    def get_bext(self, master: Master) -> dict[str, Any] | None:
        value = self._info(master, "bext")
        return dict(value) if isinstance(value, dict) else None

    def get_ixml(self, master: Master) -> dict[str, Any] | None:
        value = self._info(master, "ixml")
        return dict(value) if isinstance(value, dict) else None

    def get_notes(self, master: Master) -> list[dict[str, Any]]:
        return _notes(self._info(master, "notes"))


class MasterTaggedCopySerializer(serializers.ModelSerializer[MasterTaggedCopy]):
    id = serializers.UUIDField(source="code", read_only=True)
    master = serializers.UUIDField(source="master.code", read_only=True)
    problem = serializers.SerializerMethodField()
    sha256 = serializers.CharField(source="blob.sha256", read_only=True, default=None)
    size = serializers.IntegerField(source="blob.size", read_only=True, default=None)
    media_type = serializers.CharField(source="blob.media_type", read_only=True, default=None)
    written = serializers.SerializerMethodField()
    not_written = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)
    job = JobSerializer(read_only=True)

    class Meta:
        model = MasterTaggedCopy
        fields = (
            "id",
            "master",
            "status",
            "problem",
            "metadata",
            "sha256",
            "size",
            "media_type",
            "written",
            "not_written",
            "notes",
            "created_by",
            "created_at",
            "finished_at",
            "job",
        )
        read_only_fields = fields

    def get_problem(self, copy: MasterTaggedCopy) -> dict[str, str] | None:
        return _problem(copy.problem)

    def get_written(self, copy: MasterTaggedCopy) -> list[dict[str, str]]:
        """Each field and the tag it went into."""
        return [{"field": str(w.get("field")), "place": str(w.get("place"))} for w in copy.written]

    def get_not_written(self, copy: MasterTaggedCopy) -> list[dict[str, Any]]:
        """Fields a place could not hold, and why."""
        return [
            {
                "field": str(item.get("field")),
                "place": str(item.get("place")),
                "message": problem_message(item),
            }
            for item in copy.not_written
        ]

    def get_notes(self, copy: MasterTaggedCopy) -> list[dict[str, Any]]:
        return _notes(copy.result.get("notes") if isinstance(copy.result, dict) else None)


class MasterFileUploadSerializer(serializers.Serializer[Any]):
    recording = serializers.CharField(
        max_length=64, help_text="The recording's ID (or its ISRC), in the same label."
    )
    file = serializers.FileField(
        help_text=(
            "WAV (also BWF and RF64), AIFF, FLAC, MP3, Ogg Vorbis, Opus or M4A; the format is "
            "read from the bytes."
        )
    )


class MasterListApi(HashedUploadsMixin, LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Masters of the label, newest first; POST uploads one (multipart)."""

    model = Master
    serializer_class = MasterSerializer
    write_capability = Capability.CATALOG
    parser_classes = [MultiPartParser, FormParser]
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Master.objects.unscoped().none()
        params = self.request.query_params
        state = params.get("status") or None
        if state is not None and state not in Master.Status.values:
            raise exceptions.ValidationError(
                {
                    "status": [
                        _("Use one of: %(values)s.") % {"values": ", ".join(Master.Status.values)}
                    ]
                }
            )
        masters = label_masters(label=self.access.label, status=state)
        reference = params.get("recording")
        if reference:
            recording = recording_by_reference(label=self.access.label, reference=reference)
            masters = masters.filter(recording=recording) if recording else masters.none()
        if params.get("current") in ("true", "1"):
            masters = masters.filter(is_current=True)
        return masters

    @extend_schema(
        parameters=[
            OpenApiParameter("recording", str, description="A recording's ID or ISRC."),
            OpenApiParameter("status", str, enum=Master.Status.values),
            OpenApiParameter("current", bool, description="Only current masters."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": MasterFileUploadSerializer},
        responses={
            201: MasterSerializer,
            400: OpenApiResponse(description="Invalid upload"),
            413: OpenApiResponse(description="Larger than the upload limit"),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload, fields = self.hashed_upload(request, MasterFileUploadSerializer)
        try:
            master = master_upload_for_reference(
                label=self.access.label,
                reference=fields["recording"],
                path=Path(upload.temporary_file_path()),
                sha256=upload.digest.sha256,
                size=upload.digest.size,
                original_name=upload.name or "",
                actor=self.access.user,
            )
        except MasterUploadError as error:
            raise exceptions.ValidationError({error.field: [error.message]}) from None
        return Response(MasterSerializer(master).data, status=status.HTTP_201_CREATED)


class MasterApi(LabelScopedMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    model = Master
    serializer_class = MasterSerializer
    lookup_url_kwarg = "id"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Master.objects.unscoped().none()
        return label_masters(label=self.access.label)


class _MasterMixin(LabelScopedMixin):
    def master(self) -> Master:
        found: Master = get_owned_or_404(
            label_masters(label=self.access.label), access=self.access, code=self.kwargs["id"]
        )
        return found


class MasterDownloadApi(_MasterMixin, APIView):
    """The original file as uploaded (ledger-logged)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        master = self.master()
        return blob_download_response(
            blob=master.blob, filename=master.original_name, actor=self.access.user, subject=master
        )


class MasterCheckApi(_MasterMixin, APIView):
    """Check a flagged master again, or one whose check stopped: a new job re-hashes the
    stored file and reads it (202 with the master and its job)."""

    write_capability = Capability.CATALOG

    @extend_schema(
        request=None,
        responses={202: MasterSerializer, 409: OpenApiResponse(description="Not checkable")},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            master = master_recheck(master=self.master(), actor=self.access.user)
        except MasterStateError as error:
            raise Conflict(error.message, code=error.code) from None
        # The master's detail shows the check's job and, once done, what it found.
        location = reverse(
            "api:catalog:master", kwargs={"slug": self.access.label.slug, "id": master.code}
        )
        return accepted(MasterSerializer(master).data, request=request, location=location)


class TaggedCopyRequestSerializer(serializers.Serializer[Any]):
    confirm_isrc_overwrite = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Make the copy even though the file carries another ISRC than its recording "
            "(the master's problem ``isrc_mismatch``): the copy carries the recording's ISRC. "
            "Without it such a request answers 409 ``isrc_mismatch``."
        ),
    )


def _metadata_invalid(error: RightsMetadataError) -> exceptions.ValidationError:
    return exceptions.ValidationError(error.errors)


_LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    description="Where to ask again: this URL, until it answers 200 with the file.",
    response=[202],
)


class MasterTaggedApi(_MasterMixin, APIView):
    """The master with the current rights metadata in its tags (a new file).

    GET: the download when it is ready; 202 with the copy and its job while it is being
    made (a member who may edit the catalog starts it by asking), with a ``Location`` header
    naming this URL to ask again until it answers 200; 409 when no copy exists and the
    member may not start one, or when the last attempt failed (``copy_failed``, with the
    reason). POST starts it, or a new attempt after a failure (or answers the existing
    copy), the same way; it takes ``confirm_isrc_overwrite`` when the file carries another
    ISRC than its recording (409 ``isrc_mismatch`` without it).
    """

    write_capability = Capability.CATALOG

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            202: OpenApiResponse(
                MasterTaggedCopySerializer,
                description="Being made: ask the URL in the Location header again.",
            ),
            409: OpenApiResponse(
                description="No copy yet, the master is not ready or cannot be tagged, or "
                "its embedded ISRC would be replaced without confirm_isrc_overwrite"
            ),
        },
        parameters=[
            _LOCATION,
            OpenApiParameter(
                "confirm_isrc_overwrite",
                bool,
                description="Start a copy even though it replaces the file's own ISRC.",
            ),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        master = self.master()
        try:
            metadata = rights_metadata_for(master=master)
        except RightsMetadataError as error:
            raise _metadata_invalid(error) from None
        copy = master_tagged_copy_for(master=master, metadata_sha256=metadata_key(metadata))
        if copy is not None and copy.status == MasterTaggedCopy.Status.READY and copy.blob:
            return blob_download_response(
                blob=copy.blob,
                filename=tagged_filename(master),
                actor=self.access.user,
                subject=copy,
            )
        if copy is not None and copy.has_failed:
            # Answered, not retried: a client polling this URL stops at the failure.
            raise Conflict(
                _("The last attempt to make this copy failed: %(reason)s POST to try again.")
                % {"reason": copy.failure_reason},
                code="copy_failed",
            )
        if copy is None:
            if not self.access.can(Capability.CATALOG):
                raise Conflict(
                    _(
                        "No copy with the current rights metadata has been made yet; a member "
                        "who may edit the catalog can start one."
                    ),
                    code="not_made",
                )
            copy = self._request_copy(master, request.query_params)
        assert copy is not None
        return self._answer(copy)

    @extend_schema(
        request=TaggedCopyRequestSerializer,
        responses={
            200: MasterTaggedCopySerializer,
            202: MasterTaggedCopySerializer,
            409: OpenApiResponse(
                description="The master is not ready or cannot be tagged, or its embedded "
                "ISRC would be replaced without confirm_isrc_overwrite"
            ),
        },
        parameters=[_LOCATION],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._answer(self._request_copy(self.master(), request.data))

    def _answer(self, copy: MasterTaggedCopy) -> Response:
        """The copy: 200 when it is ready, else 202 with where to ask again."""
        body = MasterTaggedCopySerializer(copy).data
        if copy.status == MasterTaggedCopy.Status.READY:
            return Response(body, status=status.HTTP_200_OK)
        # Asking this URL again answers the file once the job is done.
        return accepted(body, request=self.request, location=self.request.path)

    def _request_copy(self, master: Master, data: Any) -> MasterTaggedCopy:
        incoming = TaggedCopyRequestSerializer(data=data)
        incoming.is_valid(raise_exception=True)
        try:
            return tagged_copy_request(
                master=master,
                actor=self.access.user,
                confirm_isrc_overwrite=incoming.validated_data["confirm_isrc_overwrite"],
            )
        except TaggingError as error:
            raise Conflict(error.message, code=error.code) from None
        except RightsMetadataError as error:
            raise _metadata_invalid(error) from None
