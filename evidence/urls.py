from __future__ import annotations

from django.urls import URLPattern, URLResolver

from evidence import capture_urls

app_name = "evidence"

urlpatterns: list[URLPattern | URLResolver] = [*capture_urls.urlpatterns]
