from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from notices.views import bulk, pages, questionnaire, replies, takedowns

app_name = "notices"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", pages.notice_list, name="index"),
    path("new/", pages.notice_new, name="new"),
    path("<uuid:code>/", pages.notice_detail, name="notice"),
    path("<uuid:code>/pdf/", pages.notice_pdf, name="pdf"),
    path("<uuid:code>/send/", pages.notice_send, name="send"),
    path("<uuid:code>/close/", pages.notice_close_view, name="close"),
    path("<uuid:code>/reply/", replies.notice_reply, name="reply"),
    path("questionnaire/", questionnaire.questionnaire, name="questionnaire"),
    path("bulk/", bulk.bulk_new, name="bulk"),
    path("bulk/<uuid:code>/", bulk.bulk_detail, name="bulk_detail"),
]

urlpatterns += [
    path("matters/<uuid:matter>/takedowns/new/", takedowns.takedown_new, name="takedown_new"),
    path("takedowns/<uuid:code>/", takedowns.takedown_detail, name="takedown"),
    path("takedowns/<uuid:code>/pdf/", takedowns.takedown_pdf, name="takedown_pdf"),
    path(
        "takedowns/<uuid:code>/approve/",
        takedowns.takedown_approve_view,
        name="takedown_approve",
    ),
    path("takedowns/<uuid:code>/send/", takedowns.takedown_send_view, name="takedown_send"),
    path(
        "takedowns/<uuid:code>/sent-via-portal/",
        takedowns.takedown_portal_view,
        name="takedown_portal",
    ),
    path("takedowns/<uuid:code>/events/", takedowns.takedown_event_view, name="takedown_event"),
    path(
        "takedowns/<uuid:code>/packets/",
        takedowns.takedown_packet_new,
        name="takedown_packet_new",
    ),
    path(
        "takedowns/<uuid:code>/packets/<uuid:packet>/download/",
        takedowns.takedown_packet_file,
        name="takedown_packet",
    ),
    path("takedowns/<uuid:code>/lumen/", takedowns.takedown_lumen_view, name="takedown_lumen"),
]
