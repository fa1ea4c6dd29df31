"""The public fan report pages under /r/<slug>/ (no sign-in)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from monitoring.views import public_reports

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:slug>/", public_reports.report_form, name="fan_report"),
    path("<slug:slug>/names/", public_reports.report_names, name="fan_report_names"),
    path("<slug:slug>/<str:reference>/", public_reports.report_status, name="fan_report_status"),
]
