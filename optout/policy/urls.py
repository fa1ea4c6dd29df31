from __future__ import annotations

from django.urls import path

from optout.policy.views import audits, policy, signals, signing, terms, territories

app_name = "policy"

urlpatterns = [
    path("", policy.overview, name="overview"),
    path("versions/<uuid:code>/", policy.version_detail, name="version"),
    path("draft/", policy.draft, name="draft"),
    path("draft/discard/", policy.draft_discard, name="draft_discard"),
    path("draft/approve/", policy.draft_approve, name="draft_approve"),
    path("agents/", policy.agents, name="agents"),
    path("signals/", signals.overview, name="signals"),
    path("signing/", signing.overview, name="signing"),
    path("signing/remove/", signing.remove, name="signing_remove"),
    path("audits/", audits.overview, name="audits"),
    path("audits/<uuid:code>/", audits.detail, name="audit"),
    path("audits/files/<uuid:code>/", audits.file_download, name="audit_file"),
    path("terms/", terms.overview, name="terms"),
    path("terms/texts/<uuid:code>/", terms.text_detail, name="terms_text"),
    path("terms/<str:channel>/<str:language>/", terms.edit, name="terms_edit"),
    path("terms/<str:channel>/<str:language>/approve/", terms.approve, name="terms_approve"),
    path("terms/<str:channel>/<str:language>/discard/", terms.discard, name="terms_discard"),
    path("territories/", territories.overview, name="territories"),
    path("territories/<slug:key>/", territories.edit, name="territory"),
    path("territories/<slug:key>/reset/", territories.reset, name="territory_reset"),
]
