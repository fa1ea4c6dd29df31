"""Platform opt-out controls under /api/v1/labels/<slug>/platform-controls/.

``GET`` lists the checklist (shipped controls and the label's own) with each control's
latest check per account, when it is due and whether it is overdue; ``PATCH`` sets the
re-check period. ``POST .../checks/`` records a check (multipart, with an optional
``screenshot`` file, or JSON with a ``capture`` id); ``POST .../additions/`` adds a control
of the label's own.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.models.controls import MAX_RECHECK_DAYS, ControlScope, ControlState
from monitoring.selectors import ChecklistRow, controls_checklist
from monitoring.services.controls import (
    control_add,
    control_check_record,
    control_settings_set,
    recheck_days,
    shipped_catalog,
)
from optout.api.parsers import JSONParser
from optout.api.views_base import HashedUploadsMixin, LabelScopedMixin, PayloadTooLarge
from optout.roles import Capability
from optout.uploads import HashedUploadedFile, size_limit_message, upload_error


def _invalid(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"detail": error.messages})


class CheckSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="code")
    state = serializers.CharField()
    checked_on = serializers.DateField()
    checked_by = serializers.EmailField(source="checked_by.email", default=None)
    note = serializers.CharField()
    evidence_item = serializers.UUIDField(source="evidence_item.code", default=None)
    capture = serializers.UUIDField(source="capture.code", default=None)
    checklist_version = serializers.CharField(source="catalog_version")


class ChecklistRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(source="control.key")
    platform = serializers.CharField(source="control.platform")
    name = serializers.CharField(source="control.name")
    url = serializers.CharField(source="control.url")
    on_means = serializers.CharField(source="control.on_means")
    scope = serializers.CharField(source="control.scope")
    origin = serializers.CharField(source="control.source", help_text="shipped or label")
    account = serializers.CharField()
    state = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    check = CheckSerializer(allow_null=True)


class ChecklistSerializer(serializers.Serializer[Any]):
    checklist_version = serializers.CharField()
    recheck_days = serializers.IntegerField()
    controls = ChecklistRowSerializer(many=True)


class SettingsSerializer(serializers.Serializer[Any]):
    recheck_days = serializers.IntegerField(min_value=1, max_value=MAX_RECHECK_DAYS)


class CheckInSerializer(serializers.Serializer[Any]):
    control = serializers.CharField(max_length=80)
    state = serializers.ChoiceField(choices=ControlState.values)
    account = serializers.CharField(max_length=200, required=False, allow_blank=True)
    checked_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    capture = serializers.UUIDField(required=False)
    screenshot = serializers.FileField(required=False)


class AdditionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(max_length=80)
    platform = serializers.CharField(max_length=120)
    name = serializers.CharField(max_length=200)
    url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    on_means = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    scope = serializers.ChoiceField(choices=ControlScope.values, default=ControlScope.LABEL)


def _checklist(label: Any) -> dict[str, Any]:
    rows: list[ChecklistRow] = controls_checklist(label=label)
    return dict(
        ChecklistSerializer(
            {
                "checklist_version": shipped_catalog().version,
                "recheck_days": recheck_days(label=label),
                "controls": rows,
            }
        ).data
    )


class PlatformControlsApi(LabelScopedMixin, APIView):
    write_capability = Capability.RIGHTS

    @extend_schema(responses={200: ChecklistSerializer})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(_checklist(self.access.label))

    @extend_schema(request=SettingsSerializer, responses={200: ChecklistSerializer})
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = SettingsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        control_settings_set(
            label=self.access.label, actor=self.access.user,
            days=incoming.validated_data["recheck_days"],
        )  # fmt: skip
        return Response(_checklist(self.access.label))


class PlatformControlCheckApi(HashedUploadsMixin, LabelScopedMixin, APIView):
    """Record a check: 201 with the checklist row it updated."""

    write_capability = Capability.RIGHTS
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": CheckInSerializer, "application/json": CheckInSerializer},
        responses={201: ChecklistRowSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data
        if upload_error(request._request):
            raise PayloadTooLarge(size_limit_message())
        incoming = CheckInSerializer(data=data)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        screenshot = values.get("screenshot")
        if screenshot is not None and not isinstance(screenshot, HashedUploadedFile):
            raise exceptions.ValidationError(
                {"screenshot": [_("Send the file as multipart form data.")]}
            )
        label = self.access.label
        try:
            check = control_check_record(
                label=label, actor=self.access.user, control_key=values["control"],
                state=values["state"], account=values.get("account", ""),
                checked_on=values.get("checked_on"), note=values.get("note", ""),
                screenshot=screenshot, capture_code=str(values.get("capture") or ""),
            )  # fmt: skip
        except DjangoValidationError as error:
            raise _invalid(error) from None
        row = next(
            r
            for r in controls_checklist(label=label)
            if r.control.key == check.control_key and r.account == check.account
        )
        return Response(ChecklistRowSerializer(row).data, status=status.HTTP_201_CREATED)


class LabelPlatformControlApi(LabelScopedMixin, APIView):
    """Add a control of the label's own: 201 with the checklist."""

    write_capability = Capability.RIGHTS

    @extend_schema(request=AdditionSerializer, responses={201: ChecklistSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = AdditionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            control_add(label=self.access.label, actor=self.access.user, **incoming.validated_data)
        except DjangoValidationError as error:
            raise _invalid(error) from None
        return Response(_checklist(self.access.label), status=status.HTTP_201_CREATED)
