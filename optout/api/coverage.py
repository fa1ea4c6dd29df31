"""The protection-coverage summary over the API (``docs/coverage.md``).

Reads the stored summary only; it never scans the catalog.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from optout.api.parsers import JSONParser
from optout.api.views_base import LabelScopedMixin
from optout.models.coverage import DEFAULT_FRESHNESS_DAYS
from optout.roles import Capability
from optout.selectors import CoverageOverview, coverage_overview, first_week_path
from optout.services.coverage import (
    MAX_FRESHNESS_DAYS,
    coverage_freshness_set,
    coverage_refresh_request,
)


class CoverageCheckSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    title = serializers.CharField()
    weight = serializers.IntegerField()
    passed = serializers.IntegerField()
    applicable = serializers.IntegerField()
    failing = serializers.IntegerField()
    fix_url = serializers.CharField()


class CoverageFlagSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)
    fix_url = serializers.CharField()


class NextStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField(help_text="The check this step fixes.")
    text = serializers.CharField()
    count = serializers.IntegerField(help_text="Recordings it would protect.")
    url = serializers.CharField()


class PathStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    title = serializers.CharField()
    done = serializers.BooleanField()
    url = serializers.CharField()


class TerritorySerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    name = serializers.CharField()
    recordings = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)


class ReleaseScoreSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.CharField(source="code")
    title = serializers.CharField()
    tracks = serializers.IntegerField()
    score = serializers.FloatField()


class ReleasesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    count = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    lowest = ReleaseScoreSerializer(many=True)


class CoverageSettingsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    freshness_days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_FRESHNESS_DAYS,
        help_text="How recent a capture of the label's terms must be to count.",
    )


class CoverageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    freshness_days = serializers.IntegerField()
    computed_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField(help_text="A change is waiting to be counted.")
    score = serializers.FloatField(allow_null=True, help_text="Catalog score, 0-100.")
    recordings = serializers.IntegerField()
    fully_covered = serializers.IntegerField()
    checks = CoverageCheckSerializer(many=True)
    flags = CoverageFlagSerializer(many=True)
    next_steps = NextStepSerializer(many=True)
    first_week = PathStepSerializer(many=True)
    territories = TerritorySerializer(many=True)
    releases = ReleasesSerializer()


def coverage_payload(overview: CoverageOverview, path: list[Any]) -> dict[str, Any]:
    state = overview.state
    return {
        "freshness_days": state.freshness_days if state else DEFAULT_FRESHNESS_DAYS,
        "computed_at": state.computed_at if state else None,
        "stale": overview.stale,
        "score": overview.score,
        "recordings": overview.recordings,
        "fully_covered": overview.fully_covered,
        "checks": [{**c.__dict__, "failing": c.failing} for c in overview.checks],
        "flags": [f.__dict__ for f in overview.flags],
        "next_steps": [s.__dict__ for s in overview.next_steps],
        "first_week": [s.__dict__ for s in path],
        "territories": overview.territories,
        "releases": {
            "count": overview.releases.get("count", 0),
            "score": overview.releases.get("score"),
            "lowest": overview.releases.get("lowest", []),
        },
    }


class CoverageApi(LabelScopedMixin, APIView):
    """The catalog's protection coverage: score, every check's counts, the risk flags with
    their counts, the next steps and the first-week path. PATCH sets the freshness window
    of captured terms (rights) and queues a refresh."""

    write_capability = Capability.RIGHTS
    parser_classes = [JSONParser]

    @extend_schema(responses=CoverageSerializer)
    def get(self, request: Request, slug: str) -> Response:
        label = self.access.label
        data = coverage_payload(coverage_overview(label=label), first_week_path(label=label))
        return Response(CoverageSerializer(data).data)

    @extend_schema(request=CoverageSettingsSerializer, responses=CoverageSerializer)
    def patch(self, request: Request, slug: str) -> Response:
        given = CoverageSettingsSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        label = self.access.label
        coverage_freshness_set(
            label=label, actor=self.access.user, days=given.validated_data["freshness_days"]
        )
        coverage_refresh_request(label=label, actor=self.access.user)
        data = coverage_payload(coverage_overview(label=label), first_week_path(label=label))
        return Response(CoverageSerializer(data).data)
