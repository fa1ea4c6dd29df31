"""Monitoring API under /api/v1/labels/<slug>/ (URL names ``api:monitoring:…``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from monitoring.api import controls, crawler_logs, views

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("suspects/", views.SuspectListApi.as_view(), name="suspects"),
    path("suspects/<uuid:id>/", views.SuspectApi.as_view(), name="suspect"),
    path("suspects/<uuid:id>/matter/", views.SuspectMatterApi.as_view(), name="suspect-matter"),
    path("fingerprints/", views.FingerprintStatusApi.as_view(), name="fingerprints"),
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
