"""One recording's protection checklist over the API, computed now from the data."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Recording
from optout.api.views_base import LabelScopedMixin
from optout.services.coverage import recording_checklist


class ChecklistItemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    title = serializers.CharField()
    weight = serializers.IntegerField()
    passed = serializers.BooleanField()
    date = serializers.CharField(allow_null=True, help_text="ISO 8601 date or date-time.")
    detail = serializers.CharField()
    fix_url = serializers.CharField()


class RecordingCoverageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    isrc = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField(help_text="Weighted share of checks passed, 0-100.")
    checks = ChecklistItemSerializer(many=True)


class RecordingCoverageApi(LabelScopedMixin, APIView):
    """The checklist of one recording: every applicable check, its state, date and fix."""

    model = Recording

    @extend_schema(responses=RecordingCoverageSerializer)
    def get(self, request: Request, slug: str, id: Any) -> Response:
        recording: Recording = self.get_object()
        checklist = recording_checklist(label=self.access.label, recording_id=recording.pk)
        data = {
            "id": recording.code,
            "isrc": recording.isrc,
            "title": recording.title,
            "score": checklist.score,
            "checks": [
                {**item.__dict__, "date": item.date.isoformat() if item.date else None}
                for item in checklist.items
            ],
        }
        return Response(RecordingCoverageSerializer(data).data)
