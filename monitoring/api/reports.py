"""Fan reports API under /api/v1/labels/<slug>/: the triage queue and its actions.

``GET reports/`` lists the reported pages (one per normalised URL, ``?status=`` filters),
each with its count and reports; ``GET reports/<id>/`` is one page. Actions (rights):
``POST reports/<id>/dismiss/`` ``{"reason": "..."}``, ``POST reports/<id>/capture/``
(202 with the capture and its job), ``POST reports/<id>/matter/`` ``{"matter": "<id>"}``
to join a matter or ``{}`` to open one (201), and ``POST reports/<id>/suspect/`` where
fingerprint monitoring can check a URL.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from evidence.models import Matter
from evidence.selectors import label_matters
from monitoring.models import FanReport, FanReportGroup
from monitoring.selectors import group_reports, report_groups
from monitoring.services.reports import (
    ReportError,
    report_group_capture,
    report_group_check_as_suspect,
    report_group_dismiss,
    report_group_to_matter,
)
from optout.api.responses import accepted
from optout.api.serializers import JobSerializer
from optout.api.views_base import LabelScopedMixin
from optout.roles import Capability
from optout.tenancy import get_owned_or_404


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class FanReportSerializer(serializers.ModelSerializer[FanReport]):
    id = serializers.UUIDField(source="code", read_only=True)
    contact_email = serializers.SerializerMethodField(
        help_text="The reporter's address, only when they agreed to be contacted."
    )
    hears_outcome = serializers.SerializerMethodField(
        help_text="The reporter left an address and is told the outcome by e-mail."
    )

    class Meta:
        model = FanReport
        fields = (
            "id",
            "url",
            "kind",
            "subject",
            "contact_email",
            "hears_outcome",
            "status",
            "created_at",
        )
        read_only_fields = fields

    def get_contact_email(self, report: FanReport) -> str:
        return report.contact_email

    def get_hears_outcome(self, report: FanReport) -> bool:
        return bool(report.email)


class ReportGroupSerializer(serializers.ModelSerializer[FanReportGroup]):
    id = serializers.UUIDField(source="code", read_only=True)
    count = serializers.IntegerField(source="report_count", read_only=True)
    capture = serializers.UUIDField(source="capture.code", read_only=True, default=None)
    suspect = serializers.UUIDField(source="suspect.code", read_only=True, default=None)
    matter = serializers.UUIDField(source="matter.code", read_only=True, default=None)
    reports = serializers.SerializerMethodField()

    class Meta:
        model = FanReportGroup
        fields = (
            "id",
            "url",
            "host",
            "count",
            "status",
            "dismiss_reason",
            "capture",
            "suspect",
            "matter",
            "last_reported_at",
            "created_at",
            "reports",
        )
        read_only_fields = fields

    def get_reports(self, group: FanReportGroup) -> list[dict[str, Any]]:
        reports = group_reports(label=group.label, group=group)
        return FanReportSerializer(reports, many=True).data  # type: ignore[return-value]


class ReportListApi(LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The triage queue: reported pages, most recently reported first (``?status=new``)."""

    model = FanReportGroup
    serializer_class = ReportGroupSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return FanReportGroup.objects.unscoped().none()
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in FanReportGroup.Status.values:
            raise exceptions.ValidationError(
                {"status": [f"Use one of: {', '.join(FanReportGroup.Status.values)}."]}
            )
        return report_groups(label=self.access.label, status=wanted).select_related("label")


class _GroupMixin(LabelScopedMixin):
    def group(self) -> FanReportGroup:
        found: FanReportGroup = get_owned_or_404(
            report_groups(label=self.access.label).select_related("label"),
            access=self.access,
            code=self.kwargs["id"],
        )
        return found

    def answer(self, code: int = status.HTTP_200_OK) -> Response:
        return Response(ReportGroupSerializer(self.group()).data, status=code)


class ReportApi(_GroupMixin, APIView):
    @extend_schema(responses=ReportGroupSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.answer()


class DismissSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class ReportDismissApi(_GroupMixin, APIView):
    write_capability = Capability.RIGHTS

    @extend_schema(request=DismissSerializer, responses={200: ReportGroupSerializer, 409: None})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = DismissSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            report_group_dismiss(
                group=self.group(), actor=self.access.user, reason=incoming.validated_data["reason"]
            )
        except ReportError as error:
            raise Conflict(error.message, code=error.code) from None
        return self.answer()


class CaptureStartedSerializer(serializers.Serializer[Any]):
    capture = serializers.UUIDField()
    job = JobSerializer()


class ReportCaptureApi(_GroupMixin, APIView):
    """Capture the reported page (safe capture, in a job): 202 with the capture and job."""

    write_capability = Capability.RIGHTS

    @extend_schema(
        request=None,
        responses={202: CaptureStartedSerializer, 400: OpenApiResponse(description="Refused")},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            capture = report_group_capture(group=self.group(), actor=self.access.user)
        except ReportError as error:
            if error.code == "dismissed":
                raise Conflict(error.message, code=error.code) from None
            raise exceptions.ValidationError({"url": [error.message]}, code=error.code) from None
        # The capture's detail follows its job until the page is archived.
        location = reverse(
            "api:evidence:capture-detail",
            kwargs={"slug": self.access.label.slug, "id": capture.code},
        )
        return accepted(
            {"capture": str(capture.code), "job": JobSerializer(capture.job).data},
            request=request,
            location=location,
        )


class ReportSuspectApi(_GroupMixin, APIView):
    write_capability = Capability.RIGHTS

    @extend_schema(request=None, responses={202: ReportGroupSerializer, 409: None})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            suspect = report_group_check_as_suspect(group=self.group(), actor=self.access.user)
        except ReportError as error:
            raise Conflict(error.message, code=error.code) from None
        # The answer is the reported page (naming its suspect); what runs is the suspect's
        # check, and the suspect's detail answers 202 until it is done.
        location = reverse(
            "api:monitoring:suspect", kwargs={"slug": self.access.label.slug, "id": suspect.code}
        )
        return accepted(
            ReportGroupSerializer(self.group()).data, request=request, location=location
        )


class ToMatterSerializer(serializers.Serializer[Any]):
    matter = serializers.UUIDField(
        required=False, allow_null=True, help_text="An open matter to join; none opens one."
    )


class ReportMatterApi(_GroupMixin, APIView):
    write_capability = Capability.RIGHTS

    @extend_schema(request=ToMatterSerializer, responses={201: ReportGroupSerializer, 409: None})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ToMatterSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        group = self.group()
        matter: Matter | None = None
        code = incoming.validated_data.get("matter")
        if code is not None:
            matter = label_matters(label=self.access.label, status="open").filter(code=code).first()
            if matter is None:
                raise exceptions.ValidationError(
                    {"matter": ["No open matter with this id in this label."]}
                )
        try:
            report_group_to_matter(group=group, actor=self.access.user, matter=matter)
        except ReportError as error:
            raise Conflict(error.message, code=error.code) from None
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"matter": error.messages}) from None
        return self.answer(status.HTTP_201_CREATED)
