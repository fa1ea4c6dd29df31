"""The label's compiled signals: every file, the consistency check, where they are hosted."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from optout.policy.compilers.bundle import BUNDLE_FILES
from optout.policy.services.policy import policy_draft
from optout.policy.services.signals import PUBLIC_FILES, signal_bundle, signal_findings
from optout.tenancy import LabelAccess, label_view

FILE_DESCRIPTIONS = {
    "robots.txt": _("for the root of each site"),
    "ai.txt": _("for the root of each site"),
    ".well-known/tdmrep.json": _("TDMRep origin file, for each site"),
    "tdm-policy.json": _("ODRL TDM policy, hosted here"),
    "license.xml": _("RSL licence, hosted here"),
    "headers.txt": _("HTTP response headers for every page in scope"),
    "head.html": _("tags for the <head> of every page in scope"),
    "nginx/optout-maps.conf": _("nginx: once in the http {} block"),
    "nginx/optout-server.conf": _("nginx: in every server {} block"),
    "apache/optout.conf": _("Apache: in the VirtualHost or .htaccess"),
    "caddy/optout.caddy": _("Caddy: in each site block"),
}
assert set(FILE_DESCRIPTIONS) == set(BUNDLE_FILES)


@label_view()
def overview(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    label = access.label
    draft = policy_draft(label=label)
    preview = request.GET.get("preview") == "draft"
    if preview and draft is None:
        raise Http404
    bundle = signal_bundle(label=label, version=draft if preview else None)
    hosted = [
        (name, request.build_absolute_uri(reverse(f"signals:{key}", args=[label.slug])))
        for key, (name, _type) in PUBLIC_FILES.items()
    ]
    return render(
        request,
        "policy/signals.html",
        {
            "bundle": bundle,
            "files": [(name, FILE_DESCRIPTIONS[name], bundle[name]) for name in BUNDLE_FILES]
            if bundle
            else [],
            "findings": [f.render(_translate) for f in signal_findings(bundle=bundle)]
            if bundle
            else [],
            "hosted": hosted,
            "terms_url": request.build_absolute_uri(reverse("signals:terms", args=[label.slug])),
            "bundle_url": reverse("signals:bundle", args=[label.slug]),
            "draft": draft,
            "preview": preview,
        },
    )


def _translate(message: str) -> str:
    from django.utils.translation import gettext

    return gettext(message)
