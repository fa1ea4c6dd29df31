from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from evidence.views import alerts, captures, items, matters, packets
from evidence.views.verify import verify_packet_page

app_name = "evidence"

urlpatterns: list[URLPattern | URLResolver] = [
    path("captures/", captures.capture_list, name="captures"),
    path("captures/new/", captures.capture_new, name="capture_new"),
    path("captures/<uuid:code>/", captures.capture_detail, name="capture"),
    path(
        "captures/<uuid:code>/recapture/",
        captures.capture_recapture_view,
        name="capture_recapture",
    ),
    path("captures/<uuid:code>/schedule/", captures.capture_schedule_view, name="capture_schedule"),
    path(
        "captures/<uuid:code>/evidence-item/",
        captures.capture_to_evidence_view,
        name="capture_to_evidence",
    ),
    path(
        "captures/<uuid:code>/screenshot.png",
        captures.capture_screenshot,
        name="capture_screenshot",
    ),
    path("captures/<uuid:code>/files/<str:output>/", captures.capture_file, name="capture_file"),
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
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/preferences/", alerts.alert_preferences, name="alert_preferences"),
    path("alerts/<uuid:code>/done/", alerts.alert_resolve_view, name="alert_done"),
    path("settings/", packets.settings_page, name="settings"),
]

# The public page that checks a packet, at ``/verify/`` outside every label (``optout.urls``
# includes this list there, without a namespace).
verify_urlpatterns: list[URLPattern | URLResolver] = [
    path("", verify_packet_page, name="verify_packet"),
]
