"""API views of the terms texts."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from optout.api.views_base import LabelDetailView, LabelListView, LabelScopedMixin
from optout.policy.api.serializers import (
    TermsDraftInputSerializer,
    TermsPublicationSerializer,
    TermsTextSerializer,
)
from optout.policy.models import TermsChannel, TermsText
from optout.policy.services.terms import (
    terms_approve,
    terms_draft,
    terms_draft_discard,
    terms_draft_save,
    terms_publication_add,
)
from optout.policy.terms_locale import TermsLanguage
from optout.roles import Capability
from optout.tenancy import get_owned_or_404


@extend_schema(
    parameters=[
        OpenApiParameter("channel", enum=TermsChannel.values),
        OpenApiParameter("language", enum=TermsLanguage.values),
        OpenApiParameter("status", enum=TermsText.Status.values),
    ]
)
class TermsListApi(LabelListView):
    """Every terms text of the label, drafts included; filter by channel, language, status."""

    model = TermsText
    serializer_class = TermsTextSerializer

    def get_queryset(self) -> Any:
        queryset = (
            super()
            .get_queryset()
            .select_related("policy_version", "approved_by")
            .prefetch_related("publications")
        )
        for name in ("channel", "language", "status"):
            value = self.request.query_params.get(name)
            if value:
                queryset = queryset.filter(**{name: value})
        return queryset


class TermsTextApi(LabelDetailView):
    model = TermsText
    lookup_url_kwarg = "id"
    serializer_class = TermsTextSerializer


class _ChannelLanguageMixin(LabelScopedMixin):
    def _channel_language(self) -> tuple[str, str]:
        channel, language = self.kwargs["channel"], self.kwargs["language"]
        if channel not in TermsChannel.values or language not in TermsLanguage.values:
            raise Http404
        return channel, language

    def _draft(self) -> TermsText:
        channel, language = self._channel_language()
        found = terms_draft(label=self.access.label, channel=channel, language=language)
        if found is None:
            raise Http404
        return found


class TermsDraftApi(_ChannelLanguageMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The draft of one channel in one language: PUT creates it from the policy in force,
    regenerates it or replaces its text; DELETE discards it."""

    serializer_class = TermsTextSerializer
    write_capability = Capability.RIGHTS

    def get(self, request: Request, slug: str, channel: str, language: str) -> Response:
        return Response(self.get_serializer(self._draft()).data)

    @extend_schema(request=TermsDraftInputSerializer)
    def put(self, request: Request, slug: str, channel: str, language: str) -> Response:
        channel, language = self._channel_language()
        incoming = TermsDraftInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        draft = terms_draft_save(
            label=self.access.label,
            channel=channel,
            language=language,
            actor=self.access.user,
            body=incoming.validated_data.get("body"),
            regenerate=incoming.validated_data["regenerate"],
        )
        return Response(self.get_serializer(draft).data)

    def delete(self, request: Request, slug: str, channel: str, language: str) -> Response:
        terms_draft_discard(draft=self._draft(), actor=self.access.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TermsApproveApi(_ChannelLanguageMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = TermsTextSerializer
    write_capability = Capability.APPROVE_POLICY
    mfa_methods = frozenset({"POST"})

    @extend_schema(request=None, responses={201: TermsTextSerializer})
    def post(self, request: Request, slug: str, channel: str, language: str) -> Response:
        text = terms_approve(draft=self._draft(), actor=self.access.user)
        return Response(self.get_serializer(text).data, status=status.HTTP_201_CREATED)


class TermsPublicationsApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Where an approved text was published; POST records one more place."""

    serializer_class = TermsPublicationSerializer
    write_capability = Capability.RIGHTS
    pagination_class = None

    def _text(self) -> TermsText:
        return get_owned_or_404(TermsText, access=self.access, code=self.kwargs["terms_text_id"])

    def get(self, request: Request, slug: str, terms_text_id: str) -> Response:
        return Response(self.get_serializer(self._text().publications.all(), many=True).data)

    def post(self, request: Request, slug: str, terms_text_id: str) -> Response:
        text = self._text()
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        publication = terms_publication_add(
            text=text,
            actor=self.access.user,
            url=incoming.validated_data["url"],
            published_on=incoming.validated_data.get("published_on"),
        )
        return Response(self.get_serializer(publication).data, status=status.HTTP_201_CREATED)
