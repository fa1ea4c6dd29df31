from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from evidence import capture_urls
from evidence.views import items, matters, packets

app_name = "evidence"

urlpatterns: list[URLPattern | URLResolver] = [
    *capture_urls.urlpatterns,
    path("", matters.overview, name="index"),
    path("items/", items.item_list, name="items"),
    path("items/new/", items.item_new, name="item_new"),
    path("items/<uuid:code>/", items.item_detail, name="item"),
    path("items/<uuid:code>/edit/", items.item_edit, name="item_edit"),
    path("items/<uuid:code>/withdraw/", items.item_withdraw, name="item_withdraw"),
    path("items/<uuid:code>/download/", items.item_download, name="item_download"),
    path("matters/", matters.matter_list, name="matters"),
    path("matters/new/", matters.matter_new, name="matter_new"),
    path("matters/<uuid:code>/", matters.matter_detail, name="matter"),
    path("matters/<uuid:code>/edit/", matters.matter_edit, name="matter_edit"),
    path("matters/<uuid:code>/hold/", matters.matter_hold, name="matter_hold"),
    path("matters/<uuid:code>/notes/", matters.matter_note, name="matter_note"),
    path("matters/<uuid:code>/items/", matters.matter_item_new, name="matter_item_add"),
    path(
        "matters/<uuid:code>/items/<uuid:item>/withdraw/",
        matters.matter_item_remove,
        name="matter_item_withdraw",
    ),
    path("matters/<uuid:code>/packets/", packets.packet_new, name="packet_new"),
    path("matters/<uuid:code>/packets/<uuid:packet>/", packets.packet_detail, name="packet"),
    path(
        "matters/<uuid:code>/packets/<uuid:packet>/download/",
        packets.packet_file,
        name="packet_download",
    ),
    path("add/<slug:source>/<uuid:code>/", matters.add_to_matter, name="add_to_matter"),
    path("alerts/<uuid:code>/resolve/", packets.alert_done, name="alert_resolve"),
    path("settings/", packets.settings_page, name="settings"),
]
