"""API views of the territory map and the territory checklist."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from optout.api.views_base import LabelScopedMixin
from optout.policy.models import SignalKind, Territory
from optout.policy.services.territories import (
    TerritoryEntry,
    territory_checklist,
    territory_map,
    territory_note,
    territory_note_reset,
    territory_note_save,
    territory_region,
)
from optout.roles import Capability


def entry_data(entry: TerritoryEntry) -> dict[str, Any]:
    data = asdict(entry)
    for group in ("required", "recommended"):
        data[f"{group}_signals"] = [{**s, "name": str(s["name"])} for s in data.pop(group)]
    data["reviewed_on"] = entry.reviewed_on.isoformat()
    return data


class SignalStatusSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=SignalKind.choices)
    name = serializers.CharField()
    met = serializers.BooleanField(allow_null=True)
    detail = serializers.CharField()


class TerritoryEntrySerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField()
    countries = serializers.ListField(child=serializers.CharField())
    reading = serializers.CharField()
    legal_hook = serializers.CharField()
    required_signals = SignalStatusSerializer(many=True)
    recommended_signals = SignalStatusSerializer(many=True)
    disclosure = serializers.CharField()
    notice_route = serializers.CharField()
    checklist = serializers.ListField(child=serializers.CharField())
    customised = serializers.BooleanField()
    reviewed_on = serializers.DateField()
    sources = serializers.CharField()


class TerritoryChecklistSerializer(serializers.Serializer[Any]):
    entries = TerritoryEntrySerializer(many=True)
    unmapped = serializers.ListField(child=serializers.CharField())


class TerritoryInputSerializer(serializers.Serializer[Any]):
    reading = serializers.CharField()
    legal_hook = serializers.CharField()
    required_signals = serializers.ListField(
        child=serializers.ChoiceField(choices=SignalKind.choices)
    )
    recommended_signals = serializers.ListField(
        child=serializers.ChoiceField(choices=SignalKind.choices)
    )
    disclosure = serializers.CharField(allow_blank=True)
    notice_route = serializers.CharField(allow_blank=True)
    checklist = serializers.ListField(child=serializers.CharField(), max_length=50)


class TerritoryListApi(LabelScopedMixin, APIView):
    """Every region of the map as this label sees it."""

    @extend_schema(responses=TerritoryEntrySerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        return Response([entry_data(e) for e in territory_map(label=self.access.label)])


class TerritoryApi(LabelScopedMixin, APIView):
    """One region; PUT saves the label's own copy, DELETE goes back to the shared text."""

    write_capability = Capability.RIGHTS

    def _region(self, key: str) -> Territory:
        region = territory_region(key=key)
        if region is None:
            raise Http404
        return region

    def _entry(self, key: str) -> dict[str, Any]:
        return next(entry_data(e) for e in territory_map(label=self.access.label) if e.key == key)

    @extend_schema(responses=TerritoryEntrySerializer)
    def get(self, request: Request, slug: str, key: str) -> Response:
        self._region(key)
        return Response(self._entry(key))

    @extend_schema(request=TerritoryInputSerializer, responses=TerritoryEntrySerializer)
    def put(self, request: Request, slug: str, key: str) -> Response:
        region = self._region(key)
        incoming = TerritoryInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        territory_note_save(
            label=self.access.label,
            region=region,
            actor=self.access.user,
            values=incoming.validated_data,
        )
        return Response(self._entry(key))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, key: str) -> Response:
        note = territory_note(label=self.access.label, region=self._region(key))
        if note is None:
            raise Http404
        territory_note_reset(note=note, actor=self.access.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TerritoryChecklistApi(LabelScopedMixin, APIView):
    """The regions a set of territories touches and what each asks for."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "territories",
                OpenApiTypes.STR,
                required=True,
                description="Comma-separated ISO 3166-1 codes or Worldwide.",
            ),
            OpenApiParameter(
                "excluded",
                OpenApiTypes.STR,
                description="Comma-separated ISO 3166-1 codes to leave out.",
            ),
        ],
        responses=TerritoryChecklistSerializer,
    )
    def get(self, request: Request, slug: str) -> Response:
        def codes(name: str) -> list[str]:
            return [c.strip() for c in request.query_params.get(name, "").split(",") if c.strip()]

        result = territory_checklist(
            label=self.access.label, territories=codes("territories"), excluded=codes("excluded")
        )
        return Response(
            {"entries": [entry_data(e) for e in result.entries], "unmapped": list(result.unmapped)}
        )
