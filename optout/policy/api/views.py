"""API views of the policy: versions, the draft and its approval."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from optout.api.views_base import LabelDetailView, LabelListView, LabelScopedMixin
from optout.policy.api.serializers import (
    ApproveInputSerializer,
    DraftInputSerializer,
    PolicyVersionDetailSerializer,
    PolicyVersionSerializer,
    SignalsSerializer,
)
from optout.policy.models import PolicyVersion
from optout.policy.services.policy import (
    policy_approve,
    policy_current,
    policy_draft,
    policy_draft_discard,
    policy_draft_save,
)
from optout.policy.services.signals import PUBLIC_FILES, signal_bundle, signal_findings
from optout.roles import Capability


class PolicyVersionListApi(LabelListView):
    """Approved versions, newest first."""

    model = PolicyVersion
    serializer_class = PolicyVersionSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .filter(status=PolicyVersion.Status.APPROVED)
            .select_related("approved_by", "based_on")
            .order_by("-number")
        )


class PolicyVersionApi(LabelDetailView):
    model = PolicyVersion
    lookup_url_kwarg = "id"
    serializer_class = PolicyVersionDetailSerializer


class PolicyCurrentApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The version in force today."""

    serializer_class = PolicyVersionDetailSerializer

    def get(self, request: Request, slug: str) -> Response:
        current = policy_current(label=self.access.label)
        if current is None:
            raise Http404
        return Response(self.get_serializer(current).data)


class PolicyDraftApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The label's draft: read it, create or change it (PUT and PATCH both merge the fields
    given into the draft), or discard it."""

    serializer_class = PolicyVersionDetailSerializer
    write_capability = Capability.RIGHTS

    def _draft(self) -> PolicyVersion:
        found = policy_draft(label=self.access.label)
        if found is None:
            raise Http404
        return found

    def get(self, request: Request, slug: str) -> Response:
        return Response(self.get_serializer(self._draft()).data)

    def _save(self, request: Request) -> Response:
        incoming = DraftInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        if "stances" in values:
            existing = policy_draft(label=self.access.label)
            base = dict(existing.stances) if existing else {}
            if not base:
                from optout.policy.services.policy import policy_draft_values

                base = dict(policy_draft_values(label=self.access.label)["stances"])
            values["stances"] = {**base, **values["stances"]}
        draft = policy_draft_save(label=self.access.label, actor=self.access.user, values=values)
        return Response(self.get_serializer(draft).data)

    @extend_schema(request=DraftInputSerializer)
    def put(self, request: Request, slug: str) -> Response:
        return self._save(request)

    @extend_schema(request=DraftInputSerializer)
    def patch(self, request: Request, slug: str) -> Response:
        return self._save(request)

    def delete(self, request: Request, slug: str) -> Response:
        policy_draft_discard(draft=self._draft(), actor=self.access.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PolicyApproveApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Approve the draft: it gets the next version number and can never change again."""

    serializer_class = PolicyVersionDetailSerializer
    write_capability = Capability.APPROVE_POLICY
    mfa_methods = frozenset({"POST"})

    @extend_schema(request=ApproveInputSerializer, responses={201: PolicyVersionDetailSerializer})
    def post(self, request: Request, slug: str) -> Response:
        incoming = ApproveInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        draft = policy_draft(label=self.access.label)
        if draft is None:
            raise Http404
        version = policy_approve(
            draft=draft,
            actor=self.access.user,
            effective_date=incoming.validated_data.get("effective_date"),
        )
        return Response(self.get_serializer(version).data, status=status.HTTP_201_CREATED)


class SignalsApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Every output compiled from the policy in force, and the consistency check."""

    serializer_class = SignalsSerializer

    def get(self, request: Request, slug: str) -> Response:
        version = policy_current(label=self.access.label)
        bundle = signal_bundle(label=self.access.label, version=version)
        if version is None or bundle is None:
            raise Http404
        return Response(
            {
                "policy_version": version.code,
                "policy_version_number": version.number,
                "effective_date": bundle.policy.effective_date,
                "files": dict(bundle.files),
                "headers": [{"name": n, "value": v} for n, v in bundle.headers],
                "serialisations": dict(bundle.versions),
                "withheld_from_robots": list(bundle.withheld_from_robots),
                "unnamed_in_robots": list(bundle.unnamed_in_robots),
                "robots_txt_only": list(bundle.robots_txt_only),
                "findings": [
                    {"file": f.file, "message": f.render(gettext)}
                    for f in signal_findings(bundle=bundle)
                ],
                "hosted": {
                    key: request.build_absolute_uri(
                        reverse(f"signals:{key}", args=[self.access.label.slug])
                    )
                    for key in (*PUBLIC_FILES, "terms", "bundle")
                },
            }
        )
