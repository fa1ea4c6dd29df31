from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from evidence.api import captures, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("captures/", captures.CaptureListApi.as_view(), name="capture-list"),
    path("captures/<uuid:code>/", captures.CaptureApi.as_view(), name="capture-detail"),
    path(
        "captures/<uuid:code>/recapture/",
        captures.CaptureRecaptureApi.as_view(),
        name="capture-recapture",
    ),
    path(
        "captures/<uuid:code>/schedule/",
        captures.CaptureScheduleApi.as_view(),
        name="capture-schedule",
    ),
    path(
        "captures/<uuid:code>/evidence-item/",
        captures.CaptureEvidenceItemApi.as_view(),
        name="capture-evidence-item",
    ),
    path(
        "captures/<uuid:code>/files/<str:output>/",
        captures.CaptureFileApi.as_view(),
        name="capture-file",
    ),
    path("evidence/", views.EvidenceItemListApi.as_view(), name="evidence-list"),
    path("evidence/<uuid:code>/", views.EvidenceItemApi.as_view(), name="evidence-detail"),
    path(
        "evidence/<uuid:code>/withdraw/",
        views.EvidenceItemWithdrawApi.as_view(),
        name="evidence-withdraw",
    ),
    path(
        "evidence/<uuid:code>/download/",
        views.EvidenceItemDownloadApi.as_view(),
        name="evidence-download",
    ),
    path("matters/", views.MatterListApi.as_view(), name="matter-list"),
    path("matters/<uuid:code>/", views.MatterApi.as_view(), name="matter-detail"),
    path("matters/<uuid:code>/hold/", views.MatterHoldApi.as_view(), name="matter-hold"),
    path("matters/<uuid:code>/notes/", views.MatterNoteListApi.as_view(), name="matter-notes"),
    path("matters/<uuid:code>/items/", views.MatterItemListApi.as_view(), name="matter-items"),
    path(
        "matters/<uuid:code>/items/<uuid:item>/withdraw/",
        views.MatterItemWithdrawApi.as_view(),
        name="matter-item-withdraw",
    ),
    path("matters/<uuid:code>/packets/", views.PacketListApi.as_view(), name="packets"),
    path(
        "matters/<uuid:code>/packets/<uuid:packet>/",
        views.PacketApi.as_view(),
        name="packet-detail",
    ),
    path(
        "matters/<uuid:code>/packets/<uuid:packet>/download/",
        views.PacketDownloadApi.as_view(),
        name="packet-download",
    ),
    path("evidence-alerts/", views.AlertListApi.as_view(), name="alerts"),
    path(
        "evidence-alerts/<uuid:code>/resolve/",
        views.AlertResolveApi.as_view(),
        name="alert-resolve",
    ),
    path("evidence-settings/", views.EvidenceSettingsApi.as_view(), name="settings"),
]
