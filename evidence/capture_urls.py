"""Capture pages, under ``/l/<slug>/evidence/captures/`` (included by evidence.urls)."""

from __future__ import annotations

from django.urls import URLPattern, path

from evidence.views import captures as views

urlpatterns: list[URLPattern] = [
    path("captures/", views.capture_list, name="captures"),
    path("captures/new/", views.capture_new, name="capture_new"),
    path("captures/<uuid:code>/", views.capture_detail, name="capture"),
    path(
        "captures/<uuid:code>/recapture/",
        views.capture_recapture_view,
        name="capture_recapture",
    ),
    path("captures/<uuid:code>/schedule/", views.capture_schedule_view, name="capture_schedule"),
    path(
        "captures/<uuid:code>/evidence-item/",
        views.capture_to_evidence_view,
        name="capture_to_evidence",
    ),
    path(
        "captures/<uuid:code>/screenshot.png",
        views.capture_screenshot,
        name="capture_screenshot",
    ),
    path(
        "captures/<uuid:code>/files/<str:output>/",
        views.capture_file,
        name="capture_file",
    ),
]
