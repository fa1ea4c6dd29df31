from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from notices.views import public

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:token>/", public.respond, name="notice_respond"),
]
