from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from catalog.api import masters

urlpatterns: list[URLPattern | URLResolver] = []

urlpatterns += [
    path("masters/", masters.MasterListApi.as_view(), name="masters"),
    path("masters/<uuid:code>/", masters.MasterApi.as_view(), name="master"),
    path(
        "masters/<uuid:code>/download/",
        masters.MasterDownloadApi.as_view(),
        name="master-download",
    ),
    path("masters/<uuid:code>/check/", masters.MasterCheckApi.as_view(), name="master-check"),
    path("masters/<uuid:code>/tagged/", masters.MasterTaggedApi.as_view(), name="master-tagged"),
]
