from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from evidence.api import alerts, captures, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("captures/", captures.CaptureListApi.as_view(), name="capture-list"),
    path("captures/<uuid:id>/", captures.CaptureApi.as_view(), name="capture-detail"),
    path(
        "captures/<uuid:id>/recapture/",
        captures.CaptureRecaptureApi.as_view(),
        name="capture-recapture",
    ),
    path(
        "captures/<uuid:id>/schedule/",
        captures.CaptureScheduleApi.as_view(),
        name="capture-schedule",
    ),
    path(
        "captures/<uuid:id>/evidence-item/",
        captures.CaptureEvidenceItemApi.as_view(),
        name="capture-evidence-item",
    ),
    path(
        "captures/<uuid:capture_id>/files/<str:output>/",
        captures.CaptureFileApi.as_view(),
        name="capture-file",
    ),
    path("evidence/", views.EvidenceItemListApi.as_view(), name="evidence-list"),
    path("evidence/<uuid:id>/", views.EvidenceItemApi.as_view(), name="evidence-detail"),
    path(
        "evidence/<uuid:id>/withdraw/",
        views.EvidenceItemWithdrawApi.as_view(),
        name="evidence-withdraw",
    ),
    path(
        "evidence/<uuid:id>/download/",
        views.EvidenceItemDownloadApi.as_view(),
        name="evidence-download",
    ),
    path("matters/", views.MatterListApi.as_view(), name="matter-list"),
    path("matters/<uuid:id>/", views.MatterApi.as_view(), name="matter-detail"),
    path("matters/<uuid:id>/hold/", views.MatterHoldApi.as_view(), name="matter-hold"),
    path("matters/<uuid:matter_id>/notes/", views.MatterNoteListApi.as_view(), name="matter-notes"),
    path("matters/<uuid:matter_id>/items/", views.MatterItemListApi.as_view(), name="matter-items"),
    path(
        "matters/<uuid:matter_id>/items/<uuid:id>/withdraw/",
        views.MatterItemWithdrawApi.as_view(),
        name="matter-item-withdraw",
    ),
    path("matters/<uuid:matter_id>/packets/", views.PacketListApi.as_view(), name="packets"),
    path(
        "matters/<uuid:matter_id>/packets/<uuid:id>/",
        views.PacketApi.as_view(),
        name="packet-detail",
    ),
    path(
        "matters/<uuid:matter_id>/packets/<uuid:id>/download/",
        views.PacketDownloadApi.as_view(),
        name="packet-download",
    ),
    path("evidence-alerts/", views.AlertListApi.as_view(), name="alerts"),
    path(
        "evidence-alerts/<uuid:id>/resolve/",
        views.AlertResolveApi.as_view(),
        name="alert-resolve",
    ),
    path("evidence-settings/", views.EvidenceSettingsApi.as_view(), name="settings"),
    path("alerts/", alerts.LabelAlertListApi.as_view(), name="label-alerts"),
    path("alerts/<uuid:id>/", alerts.LabelAlertApi.as_view(), name="label-alert"),
    path(
        "alerts/<uuid:id>/resolve/",
        alerts.LabelAlertResolveApi.as_view(),
        name="label-alert-resolve",
    ),
    path("alert-preferences/", alerts.AlertPreferencesApi.as_view(), name="alert-preferences"),
]
