from __future__ import annotations

from django.urls import path

from optout.policy.api import audits, terms, territories, views

urlpatterns = [
    path("policy/versions/", views.PolicyVersionListApi.as_view(), name="policy-versions"),
    path("policy/versions/<uuid:id>/", views.PolicyVersionApi.as_view(), name="policy-version"),
    path("policy/current/", views.PolicyCurrentApi.as_view(), name="policy-current"),
    path("policy/draft/", views.PolicyDraftApi.as_view(), name="policy-draft"),
    path("policy/draft/approve/", views.PolicyApproveApi.as_view(), name="policy-approve"),
    path("signals/", views.SignalsApi.as_view(), name="signals"),
    path("audits/", audits.AuditListApi.as_view(), name="audits"),
    path("audits/<uuid:id>/", audits.AuditApi.as_view(), name="audit"),
    path("terms/", terms.TermsListApi.as_view(), name="terms"),
    path("terms/texts/<uuid:id>/", terms.TermsTextApi.as_view(), name="terms-text"),
    path(
        "terms/texts/<uuid:terms_text_id>/publications/",
        terms.TermsPublicationsApi.as_view(),
        name="terms-publications",
    ),
    path(
        "terms/<str:channel>/<str:language>/draft/",
        terms.TermsDraftApi.as_view(),
        name="terms-draft",
    ),
    path(
        "terms/<str:channel>/<str:language>/approve/",
        terms.TermsApproveApi.as_view(),
        name="terms-approve",
    ),
    path("territories/", territories.TerritoryListApi.as_view(), name="territories"),
    path(
        "territories/checklist/",
        territories.TerritoryChecklistApi.as_view(),
        name="territory-checklist",
    ),
    path("territories/<slug:key>/", territories.TerritoryApi.as_view(), name="territory"),
]
