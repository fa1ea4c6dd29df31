"""All alerts of a label under /api/v1/labels/<slug>/alerts/ (every kind), resolvable, and
the requesting member's e-mail choice per kind under ``alert-preferences/``.

``evidence-alerts/`` (older, same rows) keeps working.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from evidence.api.serializers import AlertSerializer
from evidence.models import Alert, AlertDelivery
from evidence.selectors import label_alerts
from evidence.services.alert_preferences import alert_deliveries, alert_preferences_set
from evidence.services.alerts import alert_resolve
from optout.api.views_base import LabelScopedMixin
from optout.roles import Capability


class LabelAlertListApi(LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Alerts of every kind, newest first; ``?kind=`` and ``?open=true`` filter."""

    model = Alert
    serializer_class = AlertSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=Alert.Kind.values),
            OpenApiParameter("open", bool),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.unscoped().none()
        alerts = label_alerts(label=self.access.label)
        kind = self.request.query_params.get("kind")
        if kind:
            if kind not in Alert.Kind.values:
                raise exceptions.ValidationError(
                    {"kind": [f"Use one of: {', '.join(Alert.Kind.values)}."]}
                )
            alerts = alerts.filter(kind=kind)
        if self.request.query_params.get("open") in {"1", "true"}:
            alerts = alerts.filter(resolved_at__isnull=True)
        return alerts


class LabelAlertApi(LabelScopedMixin, APIView):
    model = Alert

    @extend_schema(responses=AlertSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(AlertSerializer(self.get_object()).data)


class LabelAlertResolveApi(LabelScopedMixin, APIView):
    """Mark an alert as dealt with (a ledger entry); resolving twice changes nothing."""

    model = Alert
    write_capability = Capability.RIGHTS

    @extend_schema(request=None, responses=AlertSerializer)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        alert = alert_resolve(alert=self.get_object(), actor=self.access.user)
        return Response(AlertSerializer(alert).data)


class AlertPreferencesSerializer(serializers.Serializer[Any]):
    deliveries = serializers.DictField(
        child=serializers.ChoiceField(choices=AlertDelivery.choices),
        help_text="Alert kind → immediately, daily or never.",
    )


class AlertPreferencesApi(LabelScopedMixin, APIView):
    """How the requesting member hears of each kind of alert (any member sets their own)."""

    write_capability = Capability.VIEW

    def _answer(self) -> Response:
        deliveries = alert_deliveries(
            label=self.access.label, user=self.access.user, role=self.access.role
        )
        return Response({"deliveries": deliveries})

    @extend_schema(responses=AlertPreferencesSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._answer()

    @extend_schema(request=AlertPreferencesSerializer, responses=AlertPreferencesSerializer)
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = AlertPreferencesSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        chosen = incoming.validated_data["deliveries"]
        unknown = sorted(set(chosen) - set(Alert.Kind.values))
        if unknown:
            raise exceptions.ValidationError(
                {"deliveries": [f"Unknown alert kinds: {', '.join(unknown)}."]}
            )
        alert_preferences_set(label=self.access.label, user=self.access.user, deliveries=chosen)
        return self._answer()
