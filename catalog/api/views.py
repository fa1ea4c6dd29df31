"""API views of the catalog: one list/create and one detail view per kind, made from
the kind's entry in ``catalog.entities``, plus imports and export."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.pagination import BasePagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from catalog.api.serializers import SERIALIZERS, CatalogImportSerializer, ImportCreateSerializer
from catalog.entities import Entity
from catalog.filters import FILTERSETS
from catalog.models import CatalogImport
from catalog.pagination import InvalidCursor, keyset_page
from catalog.selectors.lists import entity_detail_queryset, entity_queryset
from catalog.services.entities import entity_create, entity_delete, entity_update
from catalog.services.exports import EXPORTS, export_response
from catalog.services.imports.service import catalog_import_start, import_report_filename
from optout.api.parsers import JSONParser
from optout.api.responses import accepted
from optout.api.views_base import HashedUploadsMixin, LabelScopedMixin
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.uploads import HashedUploadedFile, upload_error


class Protected(exceptions.APIException):
    """A record that others depend on (masters, evidence, contracts…) is not deleted."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "protected"


class KeysetPagination(BasePagination):
    """``?cursor=`` pages in the order ``?sort=`` names; no COUNT(*)."""

    page_size = 50
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        entity: Entity = view.entity
        self.request = request
        self.sort = entity.sort(request.query_params.get("sort"))
        try:
            size = int(request.query_params.get("page_size", self.page_size))
        except ValueError:
            raise exceptions.ValidationError({"page_size": [_("Give a whole number.")]}) from None
        size = max(1, min(size, self.max_page_size))
        try:
            self.page = keyset_page(
                queryset,
                sort=self.sort,
                cursor=request.query_params.get("cursor"),
                page_size=size,
                rows_from=view.rows_from() if request.query_params.get("q", "").strip() else None,
            )
        except InvalidCursor:
            raise exceptions.ValidationError({"cursor": [_("This cursor is not valid.")]}) from None
        return self.page.items

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, "cursor", cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        entity: Entity = view.entity
        return [
            {
                "name": "sort",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": [s.key for s in entity.sorts]},
            },
            {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}},
            {"name": "page_size", "in": "query", "required": False, "schema": {"type": "integer"}},
        ]


def _upload(request: Request, entity: Entity) -> HashedUploadedFile | None:
    problem = upload_error(request._request)
    if problem:
        raise exceptions.ValidationError({"file": [problem]})
    upload = request.FILES.get("file")
    if upload is None:
        return None
    if entity.file_field is None:
        raise exceptions.ValidationError({"file": [_("This kind of record takes no file.")]})
    if not isinstance(upload, HashedUploadedFile):
        raise exceptions.ValidationError({"file": [_("Send the file as multipart form data.")]})
    return upload


class EntityListApi(HashedUploadsMixin, LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    entity: Entity
    pagination_class = KeysetPagination
    filter_backends: list[Any] = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self) -> Any:
        return SERIALIZERS[self.entity.key][0]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["label"] = getattr(getattr(self, "access", None), "label", None)
        return context

    def rows_from(self) -> Any:
        """The kind's records of the label, unfiltered: a search page's rows are read from
        here once its ids are found."""
        return entity_queryset(entity=self.entity, label=self.access.label)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.entity.model.objects.unscoped().none()  # type: ignore[attr-defined]
        filterset = FILTERSETS[self.entity.key](
            self.request.query_params,
            queryset=entity_queryset(entity=self.entity, label=self.access.label),
            label=self.access.label,
            named_only=True,
        )
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        return filterset.qs

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload = _upload(request, self.entity)
        serializer_class = SERIALIZERS[self.entity.key][1]
        incoming = serializer_class(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        instance = entity_create(
            entity=self.entity,
            label=self.access.label,
            actor=self.access.user,
            data=incoming.validated_data,
            upload=upload,
        )
        body = serializer_class(instance, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class EntityDetailApi(HashedUploadsMixin, LabelScopedMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    entity: Entity
    http_method_names = ["get", "patch", "delete", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self) -> Any:
        return SERIALIZERS[self.entity.key][1]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["label"] = getattr(getattr(self, "access", None), "label", None)
        return context

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.entity.model.objects.unscoped().none()  # type: ignore[attr-defined]
        return entity_detail_queryset(entity=self.entity, label=self.access.label)

    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        upload = _upload(request, self.entity)
        incoming = self.get_serializer(instance, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        instance = entity_update(
            entity=self.entity,
            instance=instance,
            actor=self.access.user,
            data=incoming.validated_data,
            upload=upload,
        )
        return Response(self.get_serializer(instance).data)

    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            entity_delete(entity=self.entity, instance=self.get_object(), actor=self.access.user)
        except DjangoValidationError as exc:
            raise Protected(" ".join(exc.messages)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class EntityFileApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The attached file, as an attachment (the download is a custody-ledger event)."""

    entity: Entity

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.entity.model.objects.unscoped().none()  # type: ignore[attr-defined]
        return self.entity.model.objects.for_label(self.access.label)  # type: ignore[attr-defined]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        obj = self.get_object()
        assert self.entity.file_field and self.entity.file_name_field
        blob = getattr(obj, self.entity.file_field)
        if blob is None:
            raise exceptions.NotFound(_("This record has no file."))
        return blob_download_response(
            blob=blob,
            filename=getattr(obj, self.entity.file_name_field) or "file",
            actor=self.access.user,
            subject=obj,
        )


def _describe(view: type[Any], entity: Entity, suffix: str) -> type[Any]:
    name = f"{entity.model.__name__}{suffix}"
    attrs = {"entity": entity, "model": entity.model, "write_capability": entity.capability}
    made = type(name, (view,), attrs)
    tags = [str(entity.plural)]
    return extend_schema(tags=tags)(made)


def list_api(entity: Entity) -> Any:
    view = _describe(EntityListApi, entity, "ListApi")
    return view.as_view()


def detail_api(entity: Entity) -> Any:
    return _describe(EntityDetailApi, entity, "Api").as_view()


def file_api(entity: Entity) -> Any:
    return _describe(EntityFileApi, entity, "FileApi").as_view()


# --- imports and export --------------------------------------------------------------------


class ImportListApi(HashedUploadsMixin, LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Imports of the label; POST (multipart ``file``, optional ``format``) starts one."""

    model = CatalogImport
    serializer_class = CatalogImportSerializer
    write_capability = Capability.CATALOG
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return CatalogImport.objects.unscoped().none()
        # An upload still waiting for its preview's confirmation (a page-only step) has no
        # job yet; the API lists imports that have started.
        return (
            CatalogImport.objects.for_label(self.access.label)
            .filter(job__isnull=False)
            .select_related("job", "label")
            .order_by("-created_at")
        )

    @extend_schema(request=ImportCreateSerializer, responses={202: CatalogImportSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        problem = upload_error(request._request)
        if problem:
            raise exceptions.ValidationError({"file": [problem]})
        incoming = ImportCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        if not isinstance(upload, HashedUploadedFile):
            raise exceptions.ValidationError({"file": [_("Send the file as multipart form data.")]})
        record = catalog_import_start(
            label=self.access.label,
            actor=self.access.user,
            upload=upload,
            format=incoming.validated_data["format"],
        )
        # The import's detail answers its job's progress and, once done, its counts.
        location = reverse(
            "api:catalog:import-detail", kwargs={"slug": self.access.label.slug, "id": record.code}
        )
        return accepted(CatalogImportSerializer(record).data, request=request, location=location)


class ImportApi(LabelScopedMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    model = CatalogImport
    serializer_class = CatalogImportSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return CatalogImport.objects.unscoped().none()
        return (
            CatalogImport.objects.for_label(self.access.label)
            .filter(job__isnull=False)
            .select_related("job", "label")
        )


class ImportReportApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The rejected rows and warnings of an import as CSV: row, severity, column, value,
    reason."""

    model = CatalogImport

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        record = self.get_object()
        if record.error_report is None:
            raise exceptions.NotFound(_("This import rejected no rows and gave no warnings."))
        return blob_download_response(
            blob=record.error_report,
            filename=import_report_filename(record=record),
            actor=self.access.user,
            subject=record,
        )


class ExportApi(LabelScopedMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The label's recordings, releases or works as CSV (formula-injection safe)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=sorted(EXPORTS), required=True),
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        kind = request.query_params.get("kind", "")
        if kind not in EXPORTS:
            raise exceptions.ValidationError(
                {"kind": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(sorted(EXPORTS))}]}
            )
        return export_response(label=self.access.label, kind=kind, actor=self.access.user)
