from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from optout.api import coverage, views

label_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.LabelApi.as_view(), name="label"),
    path("members/", views.MemberListApi.as_view(), name="members"),
    path("members/<uuid:id>/", views.MemberApi.as_view(), name="member"),
    path("invitations/", views.InvitationListApi.as_view(), name="invitations"),
    path("invitations/<uuid:id>/", views.InvitationApi.as_view(), name="invitation"),
    path("jobs/", views.JobListApi.as_view(), name="jobs"),
    path("jobs/<uuid:id>/", views.JobApi.as_view(), name="job"),
    path("ledger/", views.LedgerListApi.as_view(), name="ledger"),
    path("ledger/verify/", views.LedgerVerifyApi.as_view(), name="ledger-verify"),
    path("coverage/", coverage.CoverageApi.as_view(), name="coverage"),
    path("", include(("optout.policy.api_urls", "policy"))),
    path("", include(("catalog.api_urls", "catalog"))),
    path("", include(("evidence.api_urls", "evidence"))),
    path("", include(("notices.api_urls", "notices"))),
    path("", include(("monitoring.api_urls", "monitoring"))),
]

app_name = "api"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("labels/", views.LabelListApi.as_view(), name="labels"),
    path("labels/<slug:slug>/", include(label_urlpatterns)),
]
