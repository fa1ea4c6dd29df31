"""Monitoring API under /api/v1/labels/<slug>/ (URL names ``api:monitoring:…``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from monitoring.api import reports, views, watches

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("suspects/", views.SuspectListApi.as_view(), name="suspects"),
    path("suspects/<uuid:id>/", views.SuspectApi.as_view(), name="suspect"),
    path("suspects/<uuid:id>/matter/", views.SuspectMatterApi.as_view(), name="suspect-matter"),
    path("fingerprints/", views.FingerprintStatusApi.as_view(), name="fingerprints"),
    path("reports/", reports.ReportListApi.as_view(), name="reports"),
    path("reports/<uuid:id>/", reports.ReportApi.as_view(), name="report"),
    path("reports/<uuid:id>/dismiss/", reports.ReportDismissApi.as_view(), name="report-dismiss"),
    path("reports/<uuid:id>/capture/", reports.ReportCaptureApi.as_view(), name="report-capture"),
    path("reports/<uuid:id>/suspect/", reports.ReportSuspectApi.as_view(), name="report-suspect"),
    path("reports/<uuid:id>/matter/", reports.ReportMatterApi.as_view(), name="report-matter"),
    path("watches/", watches.WatchListApi.as_view(), name="watches"),
    path("watches/<uuid:id>/", watches.WatchApi.as_view(), name="watch"),
    path("watches/<uuid:id>/capture/", watches.WatchCaptureApi.as_view(), name="watch-capture"),
]
