"""The base of every label-owned API view: the same tenancy rules as the HTML views."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from optout.api.authentication import ApiTokenAuthentication
from optout.mfa import mfa_step_needed
from optout.models import LabelScopedQuerySet
from optout.roles import Capability
from optout.tenancy import SAFE_METHODS, LabelAccess, get_owned_or_404, label_access
from optout.uploads import (
    UPLOAD_METHODS,
    HashedUploadedFile,
    close_uploads,
    declared_too_large,
    size_limit_message,
    upload_error,
    use_hashing_uploads,
)


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class HashedUploadsMixin:
    """For API views that take files (multipart): hashed while they arrive, never in memory.

    The handlers are swapped before anything reads the body (a session's CSRF check reads
    ``request.POST``); a body announcing more than the limit is refused before it is read.
    """

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        if request.method in UPLOAD_METHODS:
            use_hashing_uploads(request)
        return super().initialize_request(request, *args, **kwargs)  # type: ignore[misc, no-any-return]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.method in UPLOAD_METHODS and declared_too_large(request._request):
            raise PayloadTooLarge(size_limit_message())
        super().initial(request, *args, **kwargs)  # type: ignore[misc]

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        close_uploads(request._request)
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc, no-any-return]

    def hashed_upload(
        self, request: Request, fields: type[serializers.Serializer[Any]]
    ) -> tuple[HashedUploadedFile, dict[str, Any]]:
        """The request's ``file`` (hashed while it arrived) and its fields validated by
        ``fields``: 413 when the body was over the limit, 400 when a field is invalid or
        the file did not come as multipart form data."""
        data = request.data  # parsed here, with the hashing upload handler
        if upload_error(request._request):
            raise PayloadTooLarge(size_limit_message())
        incoming = fields(data=data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        if not isinstance(upload, HashedUploadedFile):
            raise ValidationError({"file": [_("Send the file as multipart form data.")]})
        return upload, dict(incoming.validated_data)


class LabelScopedMixin:
    """Resolves ``slug`` to the user's ``LabelAccess`` before any handler runs.

    * not a member of the label: 404 (as if it did not exist);
    * GET/HEAD/OPTIONS need ``read_capability``; other methods ``write_capability``: 403;
    * the methods in ``mfa_methods`` are sensitive actions: in a label that requires
      two-factor authentication a session that did not pass it gets 403 ``mfa_required``
      (an API token counts as passed, see ``optout.mfa``);
    * querysets start from ``for_label(label)``, objects are looked up by ``code``, taken
      from the URL parameter ``lookup_url_kwarg`` (``id`` unless a view names another).
    """

    read_capability: Capability = Capability.VIEW
    write_capability: Capability | None = None
    mfa_methods: frozenset[str] = frozenset()
    model: type[models.Model] | None = None
    lookup_url_kwarg: str | None = "id"
    access: LabelAccess
    kwargs: dict[str, Any]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.access = label_access(user=request.user, slug=kwargs["slug"])
        if not hasattr(self, (request.method or "").lower()):
            return  # dispatch answers 405 Method Not Allowed
        needed = (
            self.read_capability
            if request.method in SAFE_METHODS
            else (self.write_capability or None)
        )
        if needed is None or not self.access.can(needed):
            raise PermissionDenied()
        if (
            request.method in self.mfa_methods
            and not isinstance(request.successful_authenticator, ApiTokenAuthentication)
            and mfa_step_needed(request=request._request, access=self.access) is not None
        ):
            raise PermissionDenied(
                detail=_(
                    "%(label)s asks for two-factor authentication here: confirm this "
                    "session with your authenticator app, or use an API token."
                )
                % {"label": self.access.label.name},
                code="mfa_required",
            )

    def label_queryset(self) -> LabelScopedQuerySet[Any]:
        assert self.model is not None
        manager = self.model.objects  # type: ignore[attr-defined]
        if getattr(self, "swagger_fake_view", False):
            return manager.unscoped().none()  # type: ignore[no-any-return]
        return manager.for_label(self.access.label)  # type: ignore[no-any-return]

    def get_queryset(self) -> LabelScopedQuerySet[Any]:
        return self.label_queryset()

    def get_object(self) -> Any:
        key = self.lookup_url_kwarg or "id"
        return get_owned_or_404(self.get_queryset(), access=self.access, code=self.kwargs[key])


class LabelListView(LabelScopedMixin, generics.ListAPIView):  # type: ignore[type-arg]
    pass


class LabelDetailView(LabelScopedMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    pass
