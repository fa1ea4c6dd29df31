"""Catalog API under /api/v1/labels/<slug>/ (URL names ``api:catalog:…``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from catalog.api import coverage, masters, resumable_uploads, views
from catalog.entities import ENTITIES

app_name = "catalog"

urlpatterns: list[URLPattern | URLResolver] = [
    path("imports/", views.ImportListApi.as_view(), name="import-list"),
    path("imports/<uuid:id>/", views.ImportApi.as_view(), name="import-detail"),
    path("imports/<uuid:id>/report/", views.ImportReportApi.as_view(), name="import-report"),
    path("export/", views.ExportApi.as_view(), name="export"),
    path(
        "recordings/<uuid:id>/coverage/",
        coverage.RecordingCoverageApi.as_view(),
        name="recording-coverage",
    ),
]

for entity in ENTITIES.values():
    urlpatterns += [
        path(f"{entity.plural}/", views.list_api(entity), name=f"{entity.key}-list"),
        path(f"{entity.plural}/<uuid:id>/", views.detail_api(entity), name=f"{entity.key}-detail"),
    ]
    if entity.file_field:
        urlpatterns.append(
            path(
                f"{entity.plural}/<uuid:id>/file/",
                views.file_api(entity),
                name=f"{entity.key}-file",
            )
        )

urlpatterns += [
    path("masters/", masters.MasterListApi.as_view(), name="masters"),
    path(
        "masters/uploads/",
        resumable_uploads.ResumableUploadListApi.as_view(),
        name="resumable-uploads",
    ),
    path(
        "masters/uploads/<uuid:id>/",
        resumable_uploads.ResumableUploadApi.as_view(),
        name="resumable-upload",
    ),
    path("masters/<uuid:id>/", masters.MasterApi.as_view(), name="master"),
    path(
        "masters/<uuid:id>/download/",
        masters.MasterDownloadApi.as_view(),
        name="master-download",
    ),
    path("masters/<uuid:id>/check/", masters.MasterCheckApi.as_view(), name="master-check"),
    path("masters/<uuid:id>/tagged/", masters.MasterTaggedApi.as_view(), name="master-tagged"),
]
