from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from notices.views import bulk, pages, questionnaire, replies

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
