from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from catalog.views import masters

app_name = "catalog"

urlpatterns: list[URLPattern | URLResolver] = []

urlpatterns += [
    path("masters/", masters.masters, name="masters"),
    path("masters/<uuid:code>/", masters.master, name="master"),
    path("masters/<uuid:code>/download/", masters.master_download, name="master_download"),
    path("masters/<uuid:code>/check/", masters.master_check, name="master_check"),
    path("masters/<uuid:code>/tag/", masters.master_tag, name="master_tag"),
    path(
        "masters/<uuid:code>/tagged/<uuid:copy>/",
        masters.master_tagged_download,
        name="master_tagged_download",
    ),
]
