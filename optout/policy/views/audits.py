"""Signal audit pages: the latest audit of each domain, one audit's gaps, its files."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from optout.models import LabelDomain
from optout.policy.models import SignalAudit, SignalAuditFile
from optout.policy.services.audits import audit_request, audits_latest, audits_recent
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.tenancy import LabelAccess, get_owned_or_404, label_view


def gap_rows(audit: SignalAudit) -> list[dict[str, Any]]:
    """Each gap with its message translated for the reader."""
    rows = []
    for gap in audit.gaps:
        try:
            text = _(gap["message"]) % gap.get("params", {})
        except (KeyError, TypeError, ValueError):
            text = gap["message"]
        rows.append({"severity": gap["severity"], "file": gap["file"], "text": text})
    return rows


@label_view(write=Capability.RIGHTS)
def overview(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    label = access.label
    if request.method == "POST":
        domain = None
        code = request.POST.get("domain")
        if code:
            domain = LabelDomain.objects.filter(label=label, code=code).first()
            if domain is None:
                raise Http404
        audits = audit_request(label=label, actor=access.user, domain=domain)
        if not audits:
            messages.error(request, _("The label has no web domains yet: add them in Settings."))
        else:
            messages.success(
                request,
                _("Audit started for %(domains)s.")
                % {"domains": ", ".join(a.domain for a in audits)},
            )
        return redirect("policy:audits", slug=label.slug)
    latest = audits_latest(label=label)
    audited = {a.domain for a in latest}
    return render(
        request,
        "policy/audits.html",
        {
            "latest": [(a, gap_rows(a)) for a in latest],
            "recent": audits_recent(label=label),
            "domains": list(LabelDomain.objects.filter(label=label).order_by("domain")),
            "unaudited": [
                d for d in LabelDomain.objects.filter(label=label) if d.domain not in audited
            ],
            "can_run": access.can(Capability.RIGHTS),
        },
    )


@label_view()
def detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    audit = get_owned_or_404(
        SignalAudit.objects.for_label(access.label).select_related("job", "policy_version"),
        access=access,
        code=code,
    )
    return render(
        request,
        "policy/audit.html",
        {
            "audit": audit,
            "gaps": gap_rows(audit),
            "files": list(audit.files.select_related("blob")),
        },
    )


@label_view()
def file_download(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    row = get_owned_or_404(
        SignalAuditFile.objects.for_label(access.label).select_related("blob", "audit"),
        access=access,
        code=code,
    )
    if row.blob is None:
        raise Http404
    name = {
        "robots": "robots.txt",
        "tdmrep": "tdmrep.json",
        "license": "license.xml",
        "home": "home.html",
    }.get(row.kind, "file")
    response = blob_download_response(
        blob=row.blob, filename=f"{row.audit.domain}-{name}", actor=access.user, subject=row.audit
    )
    # A FileResponse streams; label_view's signature names the common base loosely.
    return cast(HttpResponse, response)
