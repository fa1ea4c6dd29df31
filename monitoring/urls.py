from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from monitoring.views import controls, crawler_logs, reports, watches
from monitoring.views import fingerprints as views

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("suspects/<uuid:code>/", views.suspect, name="suspect"),
    path("suspects/<uuid:code>/audio/", views.suspect_audio, name="suspect_audio"),
    path("suspects/<uuid:code>/matter/", views.suspect_escalate_view, name="suspect_escalate"),
    path("reports/", reports.reports, name="reports"),
    path("reports/<uuid:code>/", reports.report, name="report"),
    path("reports/<uuid:code>/capture/", reports.report_capture, name="report_capture"),
    path("reports/<uuid:code>/suspect/", reports.report_suspect, name="report_suspect"),
    path("reports/<uuid:code>/matter/", reports.report_matter, name="report_matter"),
    path("watches/", watches.watch_list, name="watches"),
    path("watches/<uuid:code>/", watches.watch_detail, name="watch"),
    path("watches/<uuid:code>/stop/", watches.watch_stop_view, name="watch_stop"),
    path("watches/<uuid:code>/capture/", watches.watch_capture_view, name="watch_capture"),
    path("watches/checks/<uuid:code>/", watches.watch_check_detail, name="watch_check"),
    path("controls/", controls.controls, name="controls"),
    path("crawler-logs/", crawler_logs.crawler_logs, name="crawler_logs"),
    path("crawler-logs/<uuid:code>/", crawler_logs.crawler_log, name="crawler_log"),
    path(
        "crawler-logs/<uuid:code>/export/",
        crawler_logs.crawler_log_export_view,
        name="crawler_log_export",
    ),
]
