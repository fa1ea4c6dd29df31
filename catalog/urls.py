"""Catalog pages under /l/<slug>/catalog/ (URL names ``catalog:…``).

Every kind in ``catalog.entities`` gets ``<plural>`` (list), ``<key>_new``, ``<key>``
(detail), ``<key>_edit``, ``<key>_delete``, ``<key>_file`` when it holds a file, and
``<key>_<child>_add`` / ``<key>_<child>_remove`` for its child rows.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from catalog.entities import ENTITIES
from catalog.views import entities as views
from catalog.views import masters, pages

app_name = "catalog"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", pages.index, name="index"),
    path("imports/", pages.imports, name="imports"),
    path("imports/<uuid:code>/", pages.import_detail, name="import"),
    path("imports/<uuid:code>/report/", pages.import_report, name="import_report"),
    path("imports/<uuid:code>/confirm/", pages.import_confirm, name="import_confirm"),
    path("export/<slug:kind>.csv", pages.export, name="export"),
    path("settings/", pages.catalog_settings, name="settings"),
]

for entity in ENTITIES.values():
    base = f"{entity.plural}/"
    one = f"{base}<uuid:code>/"
    urlpatterns += [
        path(base, views.list_view(entity), name=entity.plural),
        path(f"{base}new/", views.new_view(entity), name=f"{entity.key}_new"),
        path(one, views.detail_view(entity), name=entity.key),
        path(f"{one}edit/", views.edit_view(entity), name=f"{entity.key}_edit"),
        path(f"{one}delete/", views.delete_view(entity), name=f"{entity.key}_delete"),
    ]
    if entity.file_field:
        urlpatterns.append(path(f"{one}file/", views.file_view(entity), name=f"{entity.key}_file"))
    for child in entity.children:
        urlpatterns += [
            path(
                f"{one}{child.key}/",
                views.child_add_view(entity, child.key),
                name=f"{entity.key}_{child.key}_add",
            ),
            path(
                f"{one}{child.key}/<uuid:child>/remove/",
                views.child_remove_view(entity, child.key),
                name=f"{entity.key}_{child.key}_remove",
            ),
        ]

urlpatterns += [
    path("masters/", masters.masters, name="masters"),
    path("masters/match/", masters.masters_match_view, name="masters_match"),
    path("masters/<uuid:code>/", masters.master, name="master"),
    path("masters/<uuid:code>/download/", masters.master_download, name="master_download"),
    path("masters/<uuid:code>/check/", masters.master_check, name="master_check"),
    path("masters/<uuid:code>/tag/", masters.master_tag, name="master_tag"),
    path(
        "masters/<uuid:code>/tagged/<uuid:copy>/",
        masters.master_tagged_download,
        name="master_tagged_download",
    ),
    path(
        "releases/<uuid:code>/tagged.zip/",
        masters.release_tagged_zip,
        name="release_tagged_zip",
    ),
    path(
        "releases/<uuid:code>/tagged.zip/<uuid:job>/",
        masters.release_tagged_zip_download,
        name="release_tagged_zip_download",
    ),
]
