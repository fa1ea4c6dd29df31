from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from monitoring.views import controls, crawler_logs
from monitoring.views import fingerprints as views

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("suspects/<uuid:code>/", views.suspect, name="suspect"),
    path("suspects/<uuid:code>/matter/", views.suspect_escalate_view, name="suspect_escalate"),
    path("controls/", controls.controls, name="controls"),
    path("crawler-logs/", crawler_logs.crawler_logs, name="crawler_logs"),
    path("crawler-logs/<uuid:code>/", crawler_logs.crawler_log, name="crawler_log"),
    path(
        "crawler-logs/<uuid:code>/export/",
        crawler_logs.crawler_log_export_view,
        name="crawler_log_export",
    ),
]
