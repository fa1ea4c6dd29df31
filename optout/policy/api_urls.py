from __future__ import annotations

from django.urls import path

from optout.policy.api import views

urlpatterns = [
    path("policy/versions/", views.PolicyVersionListApi.as_view(), name="policy-versions"),
    path("policy/versions/<uuid:code>/", views.PolicyVersionApi.as_view(), name="policy-version"),
    path("policy/current/", views.PolicyCurrentApi.as_view(), name="policy-current"),
    path("policy/draft/", views.PolicyDraftApi.as_view(), name="policy-draft"),
    path("policy/draft/approve/", views.PolicyApproveApi.as_view(), name="policy-approve"),
]
