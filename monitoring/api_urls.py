"""Monitoring API under /api/v1/labels/<slug>/ (URL names ``api:monitoring:…``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from monitoring.api import views

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("suspects/", views.SuspectListApi.as_view(), name="suspects"),
    path("suspects/<uuid:id>/", views.SuspectApi.as_view(), name="suspect"),
    path("suspects/<uuid:id>/matter/", views.SuspectMatterApi.as_view(), name="suspect-matter"),
    path("fingerprints/", views.FingerprintStatusApi.as_view(), name="fingerprints"),
]
