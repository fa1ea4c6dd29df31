"""The baseline of bench/catalog_list.py: a bare DRF cursor-paginated list of the same
table (ModelSerializer of every field, CursorPagination of 50 by id, no auth)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from catalog.models import Recording


class RecordingSerializer(serializers.ModelSerializer[Recording]):
    class Meta:
        model = Recording
        fields = "__all__"


class Pages(CursorPagination):
    page_size = 50
    ordering = "id"


class BareList(generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = RecordingSerializer
    pagination_class = Pages
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    renderer_classes = [JSONRenderer]
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return Recording.objects.unscoped()


urlpatterns = [path("bare/recordings/", BareList.as_view())]
