"""Watched pages API under /api/v1/labels/<slug>/watches/.

``POST watches/`` ``{"url", "purpose", "interval_hours", "name"?, "language"?, "partner"?,
"reservation_text"?}`` watches a page and starts its first capture (201 with the watch and
that capture's job); ``GET watches/<id>/`` gives the watch and its recent checks (diff,
AI wording flags, new links); ``PATCH`` changes the interval, name, language or wording;
``DELETE`` stops watching (the captures stay); ``POST watches/<id>/capture/`` captures now.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Partner
from monitoring.api.reports import CaptureStartedSerializer
from monitoring.models import TermsLanguage, Watch, WatchCheck, WatchPurpose
from monitoring.selectors import label_watches, watch_checks
from monitoring.services.watches import (
    watch_capture_now,
    watch_create,
    watch_stop,
    watch_update,
)
from optout.api.responses import accepted
from optout.api.serializers import JobSerializer
from optout.api.views_base import LabelScopedMixin
from optout.roles import Capability
from optout.tenancy import get_owned_or_404


def _drf(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"non_field_errors": error.messages})


class WatchCheckSerializer(serializers.ModelSerializer[WatchCheck]):
    id = serializers.UUIDField(source="code", read_only=True)
    capture = serializers.UUIDField(source="capture.code", read_only=True)
    previous = serializers.UUIDField(source="previous.code", read_only=True, default=None)
    flagged = serializers.BooleanField(read_only=True)

    class Meta:
        model = WatchCheck
        fields = (
            "id",
            "capture",
            "previous",
            "outcome",
            "lines_added",
            "lines_removed",
            "diff",
            "diff_truncated",
            "flagged",
            "ai_wording",
            "reservation_missing",
            "new_links",
            "error",
            "created_at",
        )
        read_only_fields = fields


class WatchSerializer(serializers.ModelSerializer[Watch]):
    id = serializers.UUIDField(source="code", read_only=True)
    partner = serializers.UUIDField(source="partner.code", read_only=True, default=None)
    next_capture_at = serializers.DateTimeField(
        source="schedule.next_run_at", read_only=True, default=None
    )

    class Meta:
        model = Watch
        fields = (
            "id",
            "name",
            "url",
            "purpose",
            "language",
            "partner",
            "reservation_text",
            "interval_hours",
            "active",
            "next_capture_at",
            "created_at",
        )
        read_only_fields = fields


class WatchDetailSerializer(WatchSerializer):
    checks = serializers.SerializerMethodField()

    class Meta:
        model = Watch
        fields: tuple[str, ...] = (*WatchSerializer.Meta.fields, "checks")
        read_only_fields = fields

    def get_checks(self, watch: Watch) -> list[dict[str, Any]]:
        checks = watch_checks(label=watch.label, watch=watch)[:20]
        return WatchCheckSerializer(checks, many=True).data  # type: ignore[return-value]


class WatchCreateSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=2048)
    purpose = serializers.ChoiceField(choices=WatchPurpose.choices)
    interval_hours = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=TermsLanguage.choices, required=False)
    partner = serializers.UUIDField(required=False, allow_null=True)
    reservation_text = serializers.CharField(required=False, allow_blank=True)


class WatchUpdateSerializer(serializers.Serializer[Any]):
    interval_hours = serializers.IntegerField(min_value=1, required=False)
    name = serializers.CharField(max_length=200, required=False)
    language = serializers.ChoiceField(choices=TermsLanguage.choices, required=False)
    reservation_text = serializers.CharField(required=False, allow_blank=True)


class WatchListApi(LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The label's watched pages; POST watches one more."""

    model = Watch
    serializer_class = WatchSerializer
    write_capability = Capability.RIGHTS
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Watch.objects.unscoped().none()
        return label_watches(label=self.access.label)

    @extend_schema(request=WatchCreateSerializer, responses={201: WatchDetailSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = WatchCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        partner = None
        if values.get("partner"):
            partner = (
                Partner.objects.for_label(self.access.label).filter(code=values["partner"]).first()
            )
            if partner is None:
                raise exceptions.ValidationError({"partner": ["No such partner in this label."]})
        try:
            watch = watch_create(
                label=self.access.label,
                actor=self.access.user,
                url=values["url"],
                purpose=values["purpose"],
                interval_hours=values["interval_hours"],
                name=values.get("name", ""),
                language=values.get("language", TermsLanguage.EN),
                partner=partner,
                reservation_text=values.get("reservation_text", ""),
            )
        except DjangoValidationError as error:
            raise _drf(error) from None
        return Response(WatchDetailSerializer(watch).data, status=status.HTTP_201_CREATED)


class _WatchMixin(LabelScopedMixin):
    def watch(self) -> Watch:
        found: Watch = get_owned_or_404(
            label_watches(label=self.access.label), access=self.access, code=self.kwargs["id"]
        )
        return found


class WatchApi(_WatchMixin, APIView):
    write_capability = Capability.RIGHTS

    @extend_schema(responses=WatchDetailSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(WatchDetailSerializer(self.watch()).data)

    @extend_schema(request=WatchUpdateSerializer, responses=WatchDetailSerializer)
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = WatchUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            watch_update(watch=self.watch(), actor=self.access.user, **incoming.validated_data)
        except DjangoValidationError as error:
            raise _drf(error) from None
        return Response(WatchDetailSerializer(self.watch()).data)

    @extend_schema(request=None, responses=WatchDetailSerializer)
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        watch_stop(watch=self.watch(), actor=self.access.user)
        return Response(WatchDetailSerializer(self.watch()).data)


class WatchCaptureApi(_WatchMixin, APIView):
    write_capability = Capability.RIGHTS

    @extend_schema(request=None, responses={202: CaptureStartedSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            capture = watch_capture_now(watch=self.watch(), actor=self.access.user)
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"non_field_errors": error.messages}) from None
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
