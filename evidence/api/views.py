"""API views of the evidence app: thin callers of evidence.services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from evidence.api.serializers import (
    AlertSerializer,
    EvidenceItemCreateSerializer,
    EvidenceItemSerializer,
    EvidenceItemUpdateSerializer,
    EvidenceSettingsSerializer,
    HoldSerializer,
    MatterItemSerializer,
    MatterNoteSerializer,
    MatterSerializer,
    PacketSerializer,
    ReasonSerializer,
)
from evidence.matter_items import matter_item_sources
from evidence.models import Alert, EvidenceItem, Matter, MatterItem, MatterNote, Packet
from evidence.selectors import (
    evidence_settings,
    label_alerts,
    label_evidence_items,
    label_matters,
    matter_items,
    matter_notes,
    matter_packets,
)
from evidence.services.alerts import alert_resolve
from evidence.services.items import (
    evidence_item_create,
    evidence_item_update,
    evidence_item_withdraw,
)
from evidence.services.matters import (
    matter_create,
    matter_item_add,
    matter_item_request,
    matter_item_withdraw,
    matter_note_add,
    matter_set_hold,
    matter_update,
)
from evidence.services.packets import (
    packet_download,
    packet_failed_attempt_cleanup,
    packet_request,
)
from evidence.services.settings import evidence_settings_update
from optout.api.pagination import CursorPagination
from optout.api.parsers import JSONParser
from optout.api.responses import accepted
from optout.api.views_base import HashedUploadsMixin, LabelScopedMixin
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.tenancy import get_owned_or_404
from optout.uploads import HashedUploadedFile, upload_error


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the object's state."
    default_code = "conflict"


def _conflict_on_hold(exc: DjangoValidationError) -> Exception:
    """A legal-hold refusal is a 409 with its own code; other refusals stay 400."""
    if getattr(exc, "code", None) == "legal_hold":
        return Conflict(detail=exc.messages[0], code="legal_hold")
    return exc


class AscendingCursorPagination(CursorPagination):
    ordering = "created_at"


STATUS_PARAMETER = OpenApiParameter(
    "status", str, enum=["active", "withdrawn"], description="Only active or withdrawn rows."
)

# --- evidence items -------------------------------------------------------------------------


class EvidenceItemListApi(HashedUploadsMixin, LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Evidence items of the label; POST (multipart, with ``file``) uploads one."""

    model = EvidenceItem
    serializer_class = EvidenceItemSerializer
    write_capability = Capability.RIGHTS
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return EvidenceItem.objects.unscoped().none()
        return label_evidence_items(
            label=self.access.label, status=self.request.query_params.get("status")
        )

    @extend_schema(parameters=[STATUS_PARAMETER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=EvidenceItemCreateSerializer, responses={201: EvidenceItemSerializer})
    def post(self, request: Request, slug: str) -> Response:
        problem = upload_error(request._request)
        if problem:
            raise exceptions.ValidationError({"file": [problem]})
        incoming = EvidenceItemCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        upload = data.pop("file")
        if not isinstance(upload, HashedUploadedFile):
            raise exceptions.ValidationError({"file": [_("Send the file as multipart form data.")]})
        try:
            item = evidence_item_create(
                label=self.access.label, actor=self.access.user, upload=upload, **data
            )
        finally:
            upload.close()
        return Response(EvidenceItemSerializer(item).data, status=status.HTTP_201_CREATED)


class EvidenceItemApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    lookup_url_kwarg = "id"
    model = EvidenceItem
    serializer_class = EvidenceItemSerializer
    write_capability = Capability.RIGHTS
    parser_classes = [JSONParser]

    def get(self, request: Request, slug: str, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=EvidenceItemUpdateSerializer, responses=EvidenceItemSerializer)
    def patch(self, request: Request, slug: str, **kwargs: Any) -> Response:
        item = self.get_object()
        incoming = EvidenceItemUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        item = evidence_item_update(item=item, actor=self.access.user, **incoming.validated_data)
        return Response(self.get_serializer(item).data)


class EvidenceItemWithdrawApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Withdraw an item with a reason (409 while a matter holding it is on legal hold)."""

    lookup_url_kwarg = "id"
    model = EvidenceItem
    serializer_class = EvidenceItemSerializer
    write_capability = Capability.RIGHTS
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=ReasonSerializer, responses=EvidenceItemSerializer)
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        item = self.get_object()
        incoming = ReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            item = evidence_item_withdraw(
                item=item, actor=self.access.user, reason=incoming.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            raise _conflict_on_hold(exc) from None
        return Response(self.get_serializer(item).data)


class EvidenceItemDownloadApi(LabelScopedMixin, APIView):
    """The item's file, as an attachment; the download is a custody event."""

    lookup_url_kwarg = "id"
    model = EvidenceItem

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, slug: str, **kwargs: Any) -> HttpResponseBase:
        item: EvidenceItem = self.get_object()
        return blob_download_response(
            blob=item.blob, filename=item.filename, actor=self.access.user, subject=item
        )


# --- matters --------------------------------------------------------------------------------


class MatterListApi(LabelScopedMixin, generics.ListCreateAPIView):  # type: ignore[type-arg]
    model = Matter
    serializer_class = MatterSerializer
    write_capability = Capability.RIGHTS

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Matter.objects.unscoped().none()
        return label_matters(
            label=self.access.label, status=self.request.query_params.get("status")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if hasattr(self, "access"):
            context["label"] = self.access.label
        return context

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, enum=["open", "waiting", "closed"], description="Filter by status."
            )
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[Matter]) -> None:
        serializer.instance = matter_create(
            label=self.access.label, actor=self.access.user, **serializer.validated_data
        )


class MatterScopedMixin(LabelScopedMixin):
    """Routes below ``matters/<matter_id>/``: the matter is looked up in the URL's label."""

    matter_url_kwarg = "matter_id"
    _matter: Matter

    def matter(self) -> Matter:
        if not hasattr(self, "_matter"):
            self._matter = get_owned_or_404(
                Matter, access=self.access, code=self.kwargs[self.matter_url_kwarg]
            )
        return self._matter


class MatterApi(MatterScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    matter_url_kwarg = "id"
    model = Matter
    serializer_class = MatterSerializer
    write_capability = Capability.RIGHTS
    parser_classes = [JSONParser]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if hasattr(self, "access"):
            context["label"] = self.access.label
        return context

    def get(self, request: Request, slug: str, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.matter()).data)

    def patch(self, request: Request, slug: str, **kwargs: Any) -> Response:
        matter = self.matter()
        incoming = self.get_serializer(matter, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        matter = matter_update(matter=matter, actor=self.access.user, **incoming.validated_data)
        return Response(self.get_serializer(matter).data)


class MatterHoldApi(MatterScopedMixin, APIView):
    """Put the matter on legal hold (``{"hold": true, "reason"}``) or lift it."""

    matter_url_kwarg = "id"
    write_capability = Capability.RIGHTS

    @extend_schema(request=HoldSerializer, responses=MatterSerializer)
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        incoming = HoldSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        matter = matter_set_hold(
            matter=self.matter(),
            actor=self.access.user,
            hold=incoming.validated_data["hold"],
            reason=incoming.validated_data["reason"],
        )
        return Response(MatterSerializer(matter, context={"label": self.access.label}).data)


class MatterNoteListApi(MatterScopedMixin, generics.ListCreateAPIView):  # type: ignore[type-arg]
    serializer_class = MatterNoteSerializer
    write_capability = Capability.RIGHTS
    pagination_class = AscendingCursorPagination

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return MatterNote.objects.unscoped().none()
        return matter_notes(matter=self.matter())

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = matter_note_add(
            matter=self.matter(), actor=self.access.user, text=serializer.validated_data["text"]
        )


def _add_request_schema() -> Any:
    return inline_serializer(
        "MatterItemAdd",
        {
            source.key: serializers.UUIDField(
                required=False, help_text=f"The id of the {source.verbose_name} to add."
            )
            for source in matter_item_sources()
        },
    )


class MatterItemListApi(MatterScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The matter's items; POST adds one object by id, e.g. ``{"evidence": "<id>"}``."""

    serializer_class = MatterItemSerializer
    write_capability = Capability.RIGHTS
    pagination_class = AscendingCursorPagination
    parser_classes = [JSONParser, FormParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return MatterItem.objects.unscoped().none()
        items = matter_items(matter=self.matter())
        wanted = self.request.query_params.get("status")
        if wanted == MatterItem.Status.ACTIVE:
            items = items.active()
        elif wanted == MatterItem.Status.WITHDRAWN:
            items = items.withdrawn()
        return items

    @extend_schema(parameters=[STATUS_PARAMETER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=_add_request_schema(), responses={201: MatterItemSerializer})
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        body = request.data if hasattr(request.data, "items") else {}
        key, source_code = matter_item_request(dict(body.items()))
        item = matter_item_add(
            matter=self.matter(), actor=self.access.user, source_key=key, source_code=source_code
        )
        return Response(MatterItemSerializer(item).data, status=status.HTTP_201_CREATED)


class MatterItemWithdrawApi(MatterScopedMixin, APIView):
    """Withdraw an item from the matter with a reason (409 while the matter is on hold)."""

    write_capability = Capability.RIGHTS

    @extend_schema(request=ReasonSerializer, responses=MatterItemSerializer)
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        matter = self.matter()
        row = get_owned_or_404(
            MatterItem.objects.for_label(self.access.label).filter(matter=matter),
            access=self.access,
            code=self.kwargs["id"],
        )
        incoming = ReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            row = matter_item_withdraw(
                item=row, actor=self.access.user, reason=incoming.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            raise _conflict_on_hold(exc) from None
        return Response(MatterItemSerializer(row).data)


# --- alerts and settings --------------------------------------------------------------------


class AlertListApi(LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    model = Alert
    serializer_class = AlertSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.unscoped().none()
        alerts = label_alerts(label=self.access.label)
        if self.request.query_params.get("open") in {"1", "true"}:
            alerts = alerts.filter(resolved_at__isnull=True)
        return alerts


class AlertResolveApi(LabelScopedMixin, APIView):
    """Mark an alert as dealt with; the resolution is a ledger entry."""

    lookup_url_kwarg = "id"
    model = Alert
    write_capability = Capability.RIGHTS

    @extend_schema(request=None, responses=AlertSerializer)
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        alert = alert_resolve(alert=self.get_object(), actor=self.access.user)
        return Response(AlertSerializer(alert).data)


class EvidenceSettingsApi(LabelScopedMixin, APIView):
    """The label's RFC 3161 timestamp authority (URL and trusted certificates)."""

    write_capability = Capability.RIGHTS

    @extend_schema(responses=EvidenceSettingsSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(EvidenceSettingsSerializer(evidence_settings(label=self.access.label)).data)

    @extend_schema(request=EvidenceSettingsSerializer, responses=EvidenceSettingsSerializer)
    def patch(self, request: Request, slug: str) -> Response:
        current = evidence_settings(label=self.access.label)
        incoming = EvidenceSettingsSerializer(current, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        values = {
            "tsa_url": current.tsa_url,
            "tsa_certificates": current.tsa_certificates,
            **incoming.validated_data,
        }
        saved = evidence_settings_update(label=self.access.label, actor=self.access.user, **values)
        return Response(EvidenceSettingsSerializer(saved).data)


# --- packets --------------------------------------------------------------------------------


class PacketListApi(MatterScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The matter's packets; POST starts building one (counsel, owner) and returns the job."""

    serializer_class = PacketSerializer
    write_capability = Capability.PACKETS

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Packet.objects.unscoped().none()
        return matter_packets(matter=self.matter())

    @extend_schema(request=None, responses={202: PacketSerializer})
    def post(self, request: Request, slug: str, **kwargs: Any) -> Response:
        matter = self.matter()
        packet = packet_request(
            matter=matter, actor=self.access.user, language=get_language() or "en"
        )
        # The packet's detail follows its build job; its download answers once it is ready.
        location = reverse(
            "api:evidence:packet-detail",
            kwargs={"slug": slug, "matter_id": matter.code, "id": packet.code},
        )
        return accepted(PacketSerializer(packet).data, request=request, location=location)


class PacketScopedMixin(MatterScopedMixin):
    def packet(self) -> Packet:
        packet: Packet = get_owned_or_404(
            matter_packets(matter=self.matter()), access=self.access, code=self.kwargs["id"]
        )
        packet_failed_attempt_cleanup(packet=packet)
        return packet


class PacketApi(PacketScopedMixin, APIView):
    @extend_schema(responses=PacketSerializer)
    def get(self, request: Request, slug: str, **kwargs: Any) -> Response:
        return Response(PacketSerializer(self.packet()).data)


class PacketDownloadApi(PacketScopedMixin, APIView):
    """The packet ZIP (counsel, owner); the download is a custody event."""

    read_capability = Capability.PACKETS
    mfa_methods = frozenset({"GET", "HEAD"})

    @extend_schema(responses={(200, "application/zip"): bytes})
    def get(self, request: Request, slug: str, **kwargs: Any) -> HttpResponseBase:
        found = self.packet()
        if found.status != Packet.Status.READY:
            raise Conflict(detail=_("The packet is not ready."), code="not_ready")
        return packet_download(packet=found, actor=self.access.user)
