from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from monitoring.views import fingerprints as views

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("suspects/<uuid:code>/", views.suspect, name="suspect"),
    path("suspects/<uuid:code>/audio/", views.suspect_audio, name="suspect_audio"),
    path("suspects/<uuid:code>/matter/", views.suspect_escalate_view, name="suspect_escalate"),
]
