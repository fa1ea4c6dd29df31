from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from notices.api import takedowns, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("notices/", views.NoticeListApi.as_view(), name="notice-list"),
    path("notices/<uuid:id>/", views.NoticeApi.as_view(), name="notice-detail"),
    path("notices/<uuid:id>/send/", views.NoticeSendApi.as_view(), name="notice-send"),
    path("notices/<uuid:id>/pdf/", views.NoticePdfApi.as_view(), name="notice-pdf"),
]

_TAKEDOWN = "matters/<uuid:matter_id>/takedowns/<uuid:id>/"
urlpatterns += [
    path(
        "matters/<uuid:matter_id>/takedowns/",
        takedowns.TakedownListApi.as_view(),
        name="takedown-list",
    ),
    path(_TAKEDOWN, takedowns.TakedownApi.as_view(), name="takedown-detail"),
    path(f"{_TAKEDOWN}approve/", takedowns.TakedownApproveApi.as_view(), name="takedown-approve"),
    path(f"{_TAKEDOWN}send/", takedowns.TakedownSendApi.as_view(), name="takedown-send"),
    path(f"{_TAKEDOWN}events/", takedowns.TakedownEventListApi.as_view(), name="takedown-events"),
    path(f"{_TAKEDOWN}pdf/", takedowns.TakedownPdfApi.as_view(), name="takedown-pdf"),
    path(f"{_TAKEDOWN}packet/", takedowns.TakedownPacketApi.as_view(), name="takedown-packet"),
    path(f"{_TAKEDOWN}lumen/", takedowns.TakedownLumenApi.as_view(), name="takedown-lumen"),
]
