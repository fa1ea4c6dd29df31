from __future__ import annotations

from django.urls import path

from optout.policy.views import policy

app_name = "policy"

urlpatterns = [
    path("", policy.overview, name="overview"),
    path("versions/<uuid:code>/", policy.version_detail, name="version"),
    path("draft/", policy.draft, name="draft"),
    path("draft/discard/", policy.draft_discard, name="draft_discard"),
    path("draft/approve/", policy.draft_approve, name="draft_approve"),
    path("agents/", policy.agents, name="agents"),
]
