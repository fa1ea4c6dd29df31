from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from evidence.views.verify import verify_packet_page

urlpatterns: list[URLPattern | URLResolver] = [
    path("", verify_packet_page, name="verify_packet"),
]
