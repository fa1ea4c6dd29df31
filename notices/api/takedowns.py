"""API of takedowns, below a matter: list, draft, read, approve, send, lifecycle steps, PDF,
takedown packet and the Lumen export."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Recording
from evidence.api.views import Conflict, MatterScopedMixin
from notices.api.takedown_serializers import (
    TakedownCreateSerializer,
    TakedownEventCreateSerializer,
    TakedownEventSerializer,
    TakedownPacketSerializer,
    TakedownSendSerializer,
    TakedownSerializer,
)
from notices.models import Takedown, TakedownPacket
from notices.selectors import matter_takedowns, takedown_events, takedown_latest_packet
from notices.services.takedown_packets import (
    takedown_packet_download,
    takedown_packet_failed_cleanup,
    takedown_packet_request,
)
from notices.services.takedowns import (
    takedown_approve,
    takedown_create,
    takedown_event_record,
    takedown_lumen,
    takedown_mark_sent,
    takedown_send_request,
)
from optout.api.pagination import CursorPagination
from optout.api.parsers import JSONParser
from optout.api.responses import accepted
from optout.api.views_base import HashedUploadsMixin
from optout.models import Label
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.tenancy import get_owned_or_404
from optout.uploads import HashedUploadedFile, upload_error

_LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    description="Where to ask again: this URL, until it answers 200 with the file.",
    response=[202],
)


def recordings_resolve(*, label: Label, refs: list[str]) -> list[Recording]:
    """The label's recordings with these ids or ISRCs; unknown ones are named in the error."""
    found, missing = [], []
    for ref in refs:
        try:
            lookup: dict[str, object] = {"code": uuid.UUID(ref)}
        except ValueError:
            lookup = {"isrc": ref.replace("-", "").replace(" ", "").upper()}
        recording = Recording.objects.for_label(label).filter(**lookup).first()
        if recording is None:
            missing.append(ref)
        else:
            found.append(recording)
    if missing:
        raise ValidationError(
            {"recordings": [_("Not found in this label: %(refs)s.") % {"refs": ", ".join(missing)}]}
        )
    return found


class OldestFirst(CursorPagination):
    ordering = "created_at"


class TakedownScopedMixin(MatterScopedMixin):
    def takedown(self) -> Takedown:
        takedown: Takedown = get_owned_or_404(
            matter_takedowns(matter=self.matter()), access=self.access, code=self.kwargs["id"]
        )
        return takedown


def _again(request: Request, body: Any) -> Response:
    """202 with the object and its job; asking this URL again answers the file once ready."""
    return accepted(body, request=request, location=request.path)


class TakedownListApi(MatterScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The matter's takedowns; POST drafts one (rights, owner) and starts rendering its PDF."""

    serializer_class = TakedownSerializer
    write_capability = Capability.RIGHTS
    parser_classes = [JSONParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Takedown.objects.unscoped().none()
        return matter_takedowns(matter=self.matter())

    @extend_schema(request=TakedownCreateSerializer, responses={201: TakedownSerializer})
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        incoming = TakedownCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        label = self.access.label
        recipient = data["recipient"]
        user = self.access.user
        takedown = takedown_create(
            matter=self.matter(),
            route=data["route"],
            recipient_name=recipient["name"],
            recipient_kind=recipient["kind"],
            recipient_email=recipient["email"],
            recipient_address=recipient["address"],
            recipient_url=recipient["url"],
            recipient_country=recipient["country"],
            infringing_urls=data["infringing_urls"],
            recordings=recordings_resolve(label=label, refs=data["recordings"]),
            explanation=data["explanation"],
            signatory=data["signatory"] or user.get_full_name() or user.email,
            signals=data.get("signals"),
            actor=user,
        )
        return Response(TakedownSerializer(takedown).data, status=status.HTTP_201_CREATED)


class TakedownApi(TakedownScopedMixin, APIView):
    """One takedown with its status, facts and job."""

    @extend_schema(responses=TakedownSerializer)
    def get(self, request: Request, slug: str, **kwargs: Any) -> Response:
        return Response(TakedownSerializer(self.takedown()).data)


class TakedownApproveApi(TakedownScopedMixin, APIView):
    """Counsel or the owner approves the rendered letter (two-factor authentication where the
    label asks for it); only an approved takedown can be sent."""

    write_capability = Capability.PACKETS
    mfa_methods = frozenset({"POST"})
    parser_classes = [JSONParser]

    @extend_schema(request=None, responses={200: TakedownSerializer})
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        takedown = takedown_approve(takedown=self.takedown(), actor=self.access.user)
        return Response(TakedownSerializer(takedown).data)


class TakedownSendApi(HashedUploadsMixin, TakedownScopedMixin, APIView):
    """Send the approved takedown (counsel, owner): ``via=email`` answers 202 with the
    takedown and its sending job; ``via=portal`` (multipart, with the portal's confirmation as
    ``file``) records that it was filed through the recipient's portal."""

    write_capability = Capability.PACKETS
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "application/json": TakedownSendSerializer,
            "multipart/form-data": TakedownSendSerializer,
        },
        responses={200: TakedownSerializer, 202: TakedownSerializer},
    )
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        problem = upload_error(request._request)
        if problem:
            raise exceptions.ValidationError({"file": [problem]})
        incoming = TakedownSendSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        takedown = self.takedown()
        if data["via"] == "email":
            job = takedown_send_request(takedown=takedown, actor=self.access.user)
            takedown.refresh_from_db()
            # Poll the job; the takedown is "sent" once it is done.
            location = reverse("api:job", kwargs={"slug": slug, "id": job.code})
            return accepted(TakedownSerializer(takedown).data, request=request, location=location)
        upload = data.get("file")
        if not isinstance(upload, HashedUploadedFile):
            raise exceptions.ValidationError(
                {"file": [_("Attach the portal's confirmation (multipart form data).")]}
            )
        try:
            takedown_mark_sent(
                takedown=takedown,
                actor=self.access.user,
                upload=upload,
                note=data["note"],
                happened_on=data.get("happened_on"),
            )
        finally:
            upload.close()
        takedown.refresh_from_db()
        return Response(TakedownSerializer(takedown).data)


class TakedownEventListApi(HashedUploadsMixin, TakedownScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The takedown's lifecycle, oldest first; POST records a step (rights, owner), with the
    letter received as ``file`` when sent as multipart. A step the state does not allow is a
    400 naming the current state."""

    serializer_class = TakedownEventSerializer
    pagination_class = OldestFirst
    write_capability = Capability.RIGHTS
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Takedown.objects.unscoped().none()
        return takedown_events(takedown=self.takedown())

    @extend_schema(
        request={
            "application/json": TakedownEventCreateSerializer,
            "multipart/form-data": TakedownEventCreateSerializer,
        },
        responses={201: TakedownEventSerializer},
    )
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        problem = upload_error(request._request)
        if problem:
            raise exceptions.ValidationError({"file": [problem]})
        incoming = TakedownEventCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        upload = data.get("file")
        if upload is not None and not isinstance(upload, HashedUploadedFile):
            raise exceptions.ValidationError({"file": [_("Send the file as multipart form data.")]})
        try:
            event = takedown_event_record(
                takedown=self.takedown(),
                status=data["status"],
                actor=self.access.user,
                note=data["note"],
                happened_on=data.get("happened_on"),
                upload=upload,
            )
        finally:
            if upload is not None:
                upload.close()
        return Response(TakedownEventSerializer(event).data, status=status.HTTP_201_CREATED)


class TakedownPdfApi(TakedownScopedMixin, APIView):
    """The notice PDF; 202 with the takedown and its rendering job while it is rendered."""

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: OpenApiResponse(TakedownSerializer, description="Still rendering."),
        },
        parameters=[_LOCATION],
    )
    def get(self, request: Request, slug: str, **kwargs: Any) -> HttpResponseBase:
        takedown = self.takedown()
        if takedown.pdf is None:
            if takedown.job is not None and takedown.job.status == "failed":
                raise Conflict(
                    _("The PDF could not be rendered: %(reason)s") % {"reason": takedown.job.error},
                    code="render_failed",
                )
            return _again(request, TakedownSerializer(takedown).data)
        return blob_download_response(
            blob=takedown.pdf,
            filename=f"takedown-{takedown.code}.pdf",
            actor=self.access.user,
            subject=takedown,
        )


class TakedownPacketApi(TakedownScopedMixin, APIView):
    """The takedown packet (counsel, owner; two-factor where the label asks): one ZIP with the
    notice PDF and the matter's verifiable evidence packet.

    POST starts building one: 202 with it and its job, and a ``Location`` to ask again. GET
    answers the latest packet's ZIP once it is ready, 202 while it is being built, 409 when
    none was built or the last one failed.
    """

    read_capability = Capability.PACKETS
    write_capability = Capability.PACKETS
    mfa_methods = frozenset({"GET", "HEAD"})
    parser_classes = [JSONParser]

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            202: OpenApiResponse(TakedownPacketSerializer, description="Still building."),
            409: OpenApiResponse(description="No packet yet, or the last one failed."),
        },
        parameters=[_LOCATION],
    )
    def get(self, request: Request, slug: str, **kwargs: Any) -> HttpResponseBase:
        packet = takedown_latest_packet(takedown=self.takedown())
        if packet is None:
            raise Conflict(_("No takedown packet yet: POST to build one."), code="not_made")
        takedown_packet_failed_cleanup(packet=packet)
        if packet.status == TakedownPacket.Status.FAILED:
            raise Conflict(
                _("The last takedown packet failed: %(reason)s POST to try again.")
                % {"reason": packet.error},
                code="packet_failed",
            )
        if packet.status == TakedownPacket.Status.BUILDING:
            return _again(request, TakedownPacketSerializer(packet).data)
        return takedown_packet_download(packet=packet, actor=self.access.user)

    @extend_schema(request=None, responses={202: TakedownPacketSerializer}, parameters=[_LOCATION])
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        packet = takedown_packet_request(
            takedown=self.takedown(), actor=self.access.user, language=get_language() or "en"
        )
        return _again(request, TakedownPacketSerializer(packet).data)


class TakedownLumenApi(TakedownScopedMixin, APIView):
    """The takedown in the Lumen database's notice format (``{"notice": {...}}``)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, slug: str, **kwargs: Any) -> Response:
        takedown = self.takedown()
        return Response(
            takedown_lumen(takedown=takedown),
            headers={"Content-Disposition": f'attachment; filename="lumen-{takedown.code}.json"'},
        )
