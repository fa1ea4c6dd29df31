"""API views of the core app: the user, labels, members, invitations, jobs, ledger."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from optout.api.pagination import CursorPagination
from optout.api.responses import accepted
from optout.api.serializers import (
    InvitationSerializer,
    JobSerializer,
    LabelSerializer,
    LedgerEntrySerializer,
    MembershipSerializer,
    UserSerializer,
)
from optout.api.views_base import LabelDetailView, LabelListView, LabelScopedMixin
from optout.models import Invitation, Job, Label, LedgerEntry, Membership
from optout.roles import Capability
from optout.selectors import (
    label_invitation,
    label_members,
    label_membership,
    label_pending_invitations,
    memberships_for_user,
)
from optout.services.jobs import job_create
from optout.services.labels import (
    invitation_create,
    invitation_revoke,
    label_update,
    membership_change_role,
    membership_remove,
)
from optout.tenancy import signed_in_user


class SeqCursorPagination(CursorPagination):
    ordering = "-seq"


class MeView(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(signed_in_user(request)).data)


class LabelListApi(generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = LabelSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Label.objects.none()
        self._roles = {
            m.label_id: m.role
            for m in memberships_for_user(user=self.request.user)  # type: ignore[arg-type]
        }
        return Label.objects.filter(pk__in=self._roles).prefetch_related("domains")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "roles": getattr(self, "_roles", {})}


class LabelApi(LabelScopedMixin, generics.RetrieveUpdateAPIView):  # type: ignore[type-arg]
    serializer_class = LabelSerializer
    write_capability = Capability.MANAGE_MEMBERS
    mfa_methods = frozenset({"PATCH"})
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> Label:
        return self.access.label

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if hasattr(self, "access"):
            context["roles"] = {self.access.label.pk: self.access.membership.role}
        return context

    def perform_update(self, serializer: serializers.BaseSerializer[Label]) -> None:
        serializer.instance = label_update(
            label=self.access.label, actor=self.access.user, **serializer.validated_data
        )


class MemberListApi(LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = MembershipSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return label_members(label=self.access.label)


class MemberApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = MembershipSerializer
    write_capability = Capability.MANAGE_MEMBERS
    mfa_methods = frozenset({"PATCH", "DELETE"})

    def _member(self) -> Membership:
        from django.http import Http404

        member = label_membership(label=self.access.label, code=self.kwargs["id"])
        if member is None:
            raise Http404
        return member

    def get(self, request: Request, slug: str, id: str) -> Response:
        return Response(self.get_serializer(self._member()).data)

    def patch(self, request: Request, slug: str, id: str) -> Response:
        member = self._member()
        serializer = self.get_serializer(member, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "role" in serializer.validated_data:
            member = membership_change_role(
                membership=member, role=serializer.validated_data["role"], actor=self.access.user
            )
        return Response(self.get_serializer(member).data)

    def delete(self, request: Request, slug: str, id: str) -> Response:
        membership_remove(membership=self._member(), actor=self.access.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationListApi(LabelScopedMixin, generics.ListCreateAPIView):  # type: ignore[type-arg]
    serializer_class = InvitationSerializer
    read_capability = Capability.MANAGE_MEMBERS
    write_capability = Capability.MANAGE_MEMBERS
    mfa_methods = frozenset({"POST"})
    pagination_class = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return label_pending_invitations(label=self.access.label)

    def perform_create(self, serializer: serializers.BaseSerializer[Invitation]) -> None:
        invitation, _token = invitation_create(
            label=self.access.label,
            email=serializer.validated_data["email"],
            role=serializer.validated_data["role"],
            actor=self.access.user,
        )
        serializer.instance = invitation


class InvitationApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = InvitationSerializer
    read_capability = Capability.MANAGE_MEMBERS
    write_capability = Capability.MANAGE_MEMBERS
    mfa_methods = frozenset({"DELETE"})

    def _invitation(self) -> Invitation:
        from django.http import Http404

        invitation = label_invitation(label=self.access.label, code=self.kwargs["id"])
        if invitation is None:
            raise Http404
        return invitation

    def get(self, request: Request, slug: str, id: str) -> Response:
        return Response(self.get_serializer(self._invitation()).data)

    def delete(self, request: Request, slug: str, id: str) -> Response:
        invitation_revoke(invitation=self._invitation(), actor=self.access.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JobListApi(LabelListView):
    model = Job
    serializer_class = JobSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("created_by")


class JobApi(LabelDetailView):
    model = Job
    lookup_url_kwarg = "id"
    serializer_class = JobSerializer


class LedgerListApi(LabelListView):
    model = LedgerEntry
    serializer_class = LedgerEntrySerializer

    pagination_class = SeqCursorPagination


class LedgerVerifyApi(LabelScopedMixin, APIView):
    """Start a verification of the label's ledger (chain and file hashes) as a job."""

    write_capability = Capability.VIEW

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request: Request, slug: str) -> Response:
        with transaction.atomic():
            job = job_create(
                label=self.access.label,
                kind="ledger.verify",
                actor=self.access.user,
                title=gettext_noop("Verify the custody ledger"),
            )
        # The verification has no object of its own: its job carries the outcome.
        location = reverse("api:job", kwargs={"slug": slug, "id": job.code})
        return accepted(JobSerializer(job).data, request=request, location=location)
