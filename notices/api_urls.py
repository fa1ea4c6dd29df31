from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from notices.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("notices/", views.NoticeListApi.as_view(), name="notice-list"),
    path("notices/<uuid:id>/", views.NoticeApi.as_view(), name="notice-detail"),
    path("notices/<uuid:id>/send/", views.NoticeSendApi.as_view(), name="notice-send"),
    path("notices/<uuid:id>/pdf/", views.NoticePdfApi.as_view(), name="notice-pdf"),
]
