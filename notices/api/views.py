"""API of partner notices: list, create, read, send, PDF."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import Partner, Recording, Release
from notices.api.serializers import NoticeCreateSerializer, NoticeSerializer
from notices.models import PartnerNotice
from notices.selectors import label_notices
from notices.services.notices import notice_create, notice_send_request
from notices.wording import language_for_territories
from optout.api.responses import accepted
from optout.api.serializers import JobSerializer
from optout.api.views_base import LabelScopedMixin
from optout.models import Label
from optout.roles import Capability
from optout.services.blobs import blob_download_response


def _identifier(ref: str) -> str:
    return re.sub(r"[\s-]", "", ref).upper()


def _resolve(model: type[Model], field: str, label: Label, refs: list[str]) -> list[Any]:
    """The label's objects with these ids or identifiers (ISRC for recordings, UPC for
    releases); an unknown one, or another label's, is named in the error."""
    found, missing = [], []
    manager: Any = model.objects  # type: ignore[attr-defined]
    for ref in refs:
        try:
            lookup: dict[str, object] = {"code": uuid.UUID(ref)}
        except ValueError:
            value = _identifier(ref)
            lookup = {"isrc": value} if model is Recording else {"upc": value.zfill(13)}
        obj = manager.for_label(label).filter(**lookup).first()
        if obj is None:
            missing.append(ref)
        else:
            found.append(obj)
    if missing:
        raise ValidationError(
            {field: [_("Not found in this label: %(refs)s.") % {"refs": ", ".join(missing)}]}
        )
    return found


class NoticeListApi(LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The label's partner notices; POST creates one (rights, owner) and renders its PDF."""

    serializer_class = NoticeSerializer
    write_capability = Capability.RIGHTS
    model = PartnerNotice

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return PartnerNotice.objects.unscoped().none()
        return label_notices(label=self.access.label).select_related("job", "pdf")

    @extend_schema(request=NoticeCreateSerializer, responses={201: NoticeSerializer})
    def post(self, request: Request, slug: str) -> Response:
        incoming = NoticeCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        label = self.access.label
        partner = Partner.objects.for_label(label).filter(code=data["partner"]).first()
        if partner is None:
            raise ValidationError({"partner": [_("No partner with this ID in this label.")]})
        notice = notice_create(
            label=label,
            partner=partner,
            scope=data["scope"],
            releases=_resolve(Release, "releases", label, data["releases"]),
            recordings=_resolve(Recording, "recordings", label, data["recordings"]),
            language=data.get("language") or language_for_territories(partner.territories),
            deadline=data.get("deadline"),
            actor=self.access.user,
        )
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class NoticeApi(LabelScopedMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """One notice with its status and the partner's answers."""

    serializer_class = NoticeSerializer
    model = PartnerNotice


class NoticeSendApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Send the notice by e-mail to the partner's contacts; answers 202 with the job."""

    serializer_class = JobSerializer
    write_capability = Capability.RIGHTS
    model = PartnerNotice

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request: Request, slug: str, id: str) -> Response:
        job = notice_send_request(notice=self.get_object(), actor=self.access.user)
        # The answer is the job, so the job is what to poll; the notice is "sent" once it ends.
        location = reverse("api:job", kwargs={"slug": slug, "id": job.code})
        return accepted(JobSerializer(job).data, request=request, location=location)


class NoticePdfApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The notice's PDF; 202 with the rendering job's Location while it is being rendered."""

    model = PartnerNotice

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: OpenApiResponse(JobSerializer, description="Still rendering."),
        }
    )
    def get(self, request: Request, slug: str, id: str) -> HttpResponseBase:
        notice: PartnerNotice = self.get_object()
        if notice.pdf is None:
            if notice.job is not None:
                location = reverse("api:job", kwargs={"slug": slug, "id": notice.job.code})
            else:
                # No job to follow (made with ``render=False`` and not rendered yet, or its
                # job was deleted): this URL itself answers the PDF once there is one.
                location = reverse("api:notices:notice-pdf", kwargs={"slug": slug, "id": id})
            return accepted(
                JobSerializer(notice.job).data if notice.job else {},
                request=request,
                location=location,
            )
        return blob_download_response(
            blob=notice.pdf,
            filename=f"notice-{notice.code}.pdf",
            actor=self.access.user,
            subject=notice,
        )
