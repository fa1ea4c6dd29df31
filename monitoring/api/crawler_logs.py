"""Crawler logs under /api/v1/labels/<slug>/crawler-logs/.

``POST .../crawler-logs/`` takes the log as multipart ``file`` (plain or gzip; hashed and
stored while it arrives, never held in memory), or ``path`` naming a file in a server folder
the operator allowed, and answers 202 with the log, its analysis job and a ``Location`` to
poll. ``GET .../crawler-logs/<id>/`` answers 202 while the job runs, then 200 with the
report: per agent requests, violations, first and last seen. ``POST .../<id>/export/`` makes
the export an evidence item.
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

from monitoring.models import CrawlerLog, CrawlerLogAgent
from monitoring.selectors import crawler_agents_running, label_crawler_logs
from monitoring.services.crawler_logs import (
    CrawlerLogError,
    crawler_log_export,
    crawler_log_from_path,
    crawler_log_submit,
)
from optout.api.parsers import JSONParser
from optout.api.responses import accepted
from optout.api.serializers import JobSerializer
from optout.api.views_base import HashedUploadsMixin, LabelScopedMixin, PayloadTooLarge
from optout.roles import Capability
from optout.tenancy import get_owned_or_404
from optout.uploads import size_limit_message, upload_error


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class CrawlerLogAgentSerializer(serializers.ModelSerializer[CrawlerLogAgent]):
    class Meta:
        model = CrawlerLogAgent
        fields = (
            "token",
            "purpose",
            "requests",
            "allowed",
            "violations",
            "signal_fetches",
            "unjudged",
            "robots_fetches",
            "violations_after_robots",
            "control_reserved",
            "verified",
            "impostors",
            "unverifiable",
            "first_seen",
            "last_seen",
            "top_paths",
            "top_violating_paths",
        )
        read_only_fields = fields


class CrawlerLogSerializer(serializers.ModelSerializer[CrawlerLog]):
    id = serializers.UUIDField(source="code", read_only=True)
    evidence_item = serializers.UUIDField(source="evidence_item.code", read_only=True, default=None)
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)
    job = JobSerializer(read_only=True)

    class Meta:
        model = CrawlerLog
        fields: tuple[str, ...] = (
            "id",
            "original_name",
            "source",
            "server_path",
            "sha256",
            "size",
            "status",
            "problem",
            "created_by",
            "created_at",
            "analysed_at",
            "evidence_item",
            "job",
        )
        read_only_fields: tuple[str, ...] = fields


class CrawlerLogDetailSerializer(CrawlerLogSerializer):
    report = serializers.SerializerMethodField(
        help_text="Totals, malformed-line samples, policy versions used, verification rules."
    )
    agents = CrawlerLogAgentSerializer(many=True, read_only=True)

    class Meta(CrawlerLogSerializer.Meta):
        fields = (*CrawlerLogSerializer.Meta.fields, "report", "agents")
        read_only_fields = fields

    def get_report(self, log: CrawlerLog) -> dict[str, Any]:
        return dict(log.report)


class CrawlerLogUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        required=False, help_text="An access log (combined format), plain or gzip."
    )
    path = serializers.CharField(
        required=False,
        max_length=1000,
        help_text="Instead of a file: the absolute path of a log in a server folder the "
        "operator allowed (OPTOUT_CRAWLER_LOG_DIRS).",
    )


class CrawlerAgentSummarySerializer(serializers.Serializer[Any]):
    token = serializers.CharField()
    purpose = serializers.CharField()
    logs = serializers.IntegerField()
    requests = serializers.IntegerField()
    violations = serializers.IntegerField()
    signal_fetches = serializers.IntegerField()
    violations_after_robots = serializers.IntegerField()
    impostors = serializers.IntegerField()
    first_seen = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField(allow_null=True)


def _pending(request: Request, log: CrawlerLog) -> Response:
    """202 with the log; its detail answers 202 until the analysis job is done."""
    location = reverse(
        "api:monitoring:crawler-log", kwargs={"slug": log.label.slug, "id": log.code}
    )
    return accepted(CrawlerLogSerializer(log).data, request=request, location=location)


class CrawlerLogListApi(HashedUploadsMixin, LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The label's access logs, newest first; POST submits one (multipart ``file``, or
    ``path`` for a log on the server)."""

    model = CrawlerLog
    serializer_class = CrawlerLogSerializer
    write_capability = Capability.RIGHTS
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return CrawlerLog.objects.unscoped().none()
        return label_crawler_logs(label=self.access.label)

    @extend_schema(
        request={"multipart/form-data": CrawlerLogUploadSerializer},
        responses={
            202: CrawlerLogSerializer,
            400: OpenApiResponse(description="No file, an empty file or a refused path"),
            413: OpenApiResponse(description="Larger than the upload limit"),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        label, actor = self.access.label, self.access.user
        try:
            if "file" not in request.FILES and not request.data.get("path"):
                if upload_error(request._request):
                    raise PayloadTooLarge(size_limit_message())
                raise exceptions.ValidationError(
                    {"file": [_("Send the log as multipart form data in the field “file”, "
                                "or give a “path”.")]}
                )  # fmt: skip
            if "file" in request.FILES:
                upload, _fields = self.hashed_upload(request, CrawlerLogUploadSerializer)
                log = crawler_log_submit(
                    label=label, path=Path(upload.temporary_file_path()),
                    sha256=upload.digest.sha256, size=upload.digest.size,
                    original_name=upload.name or "", actor=actor,
                )  # fmt: skip
            else:
                incoming = CrawlerLogUploadSerializer(data=request.data)
                incoming.is_valid(raise_exception=True)
                log = crawler_log_from_path(
                    label=label, path=incoming.validated_data["path"], actor=actor
                )
        except CrawlerLogError as error:
            field = "path" if error.code in {"no_folders", "bad_path", "path_not_allowed",
                                             "no_file"} else "file"  # fmt: skip
            raise exceptions.ValidationError({field: [error.message]}) from None
        return _pending(request, log)


class _LogMixin(LabelScopedMixin):
    def log(self) -> CrawlerLog:
        found: CrawlerLog = get_owned_or_404(
            label_crawler_logs(label=self.access.label), access=self.access, code=self.kwargs["id"]
        )
        return found


class CrawlerLogApi(_LogMixin, APIView):
    @extend_schema(
        responses={
            200: CrawlerLogDetailSerializer,
            202: OpenApiResponse(CrawlerLogSerializer, description="Still being analysed."),
        }
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        log = self.log()
        if log.status == CrawlerLog.Status.PENDING:
            return _pending(request, log)
        return Response(CrawlerLogDetailSerializer(log).data)


class CrawlerLogExportApi(_LogMixin, APIView):
    """Make the export (violating lines, the robots.txt of each day, the policy versions and
    the captures that prove publication) an evidence item: 201 with the log."""

    write_capability = Capability.RIGHTS

    @extend_schema(
        request=None,
        responses={201: CrawlerLogSerializer, 409: OpenApiResponse(description="Not exportable")},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        log = self.log()
        try:
            crawler_log_export(log=log, actor=self.access.user)
        except CrawlerLogError as error:
            raise Conflict(error.message, code=error.code) from None
        return Response(CrawlerLogSerializer(self.log()).data, status=status.HTTP_201_CREATED)


class CrawlerAgentsApi(LabelScopedMixin, APIView):
    """The running view: per agent, over every analysed log of the label."""

    @extend_schema(responses={200: CrawlerAgentSummarySerializer(many=True)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = crawler_agents_running(label=self.access.label)
        return Response(CrawlerAgentSummarySerializer(rows, many=True).data)
