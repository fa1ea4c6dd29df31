"""Monitoring API under /api/v1/labels/<slug>/ (URL names ``api:monitoring:…``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from monitoring.api import controls, crawler_logs, reports, views, watches

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
    path("crawler-logs/", crawler_logs.CrawlerLogListApi.as_view(), name="crawler-logs"),
    path("crawler-logs/agents/", crawler_logs.CrawlerAgentsApi.as_view(), name="crawler-agents"),
    path("crawler-logs/<uuid:id>/", crawler_logs.CrawlerLogApi.as_view(), name="crawler-log"),
    path(
        "crawler-logs/<uuid:id>/export/",
        crawler_logs.CrawlerLogExportApi.as_view(),
        name="crawler-log-export",
    ),
    path("platform-controls/", controls.PlatformControlsApi.as_view(), name="platform-controls"),
    path(
        "platform-controls/checks/",
        controls.PlatformControlCheckApi.as_view(),
        name="platform-control-checks",
    ),
    path(
        "platform-controls/additions/",
        controls.LabelPlatformControlApi.as_view(),
        name="platform-control-additions",
    ),
]
