"""Public signal hosting under /s/<slug>/ (no sign-in)."""

from __future__ import annotations

from django.urls import path

from optout.policy.views import public

app_name = "signals"

urlpatterns = [
    path("robots.txt", public.robots, name="robots"),
    path("ai.txt", public.ai_txt, name="ai-txt"),
    path(".well-known/tdmrep.json", public.tdmrep, name="tdmrep"),
    path("tdm-policy.json", public.tdm_policy, name="tdm-policy"),
    path("license.xml", public.license_xml, name="license"),
    path("bundle.zip", public.bundle_zip, name="bundle"),
    path("terms/", public.terms, name="terms"),
    path("terms/<str:language>/", public.terms, name="terms-language"),
]
