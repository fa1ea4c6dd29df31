"""Monitoring pages: submit suspects (files dropped or chosen, or a URL), see their matches
drawn on both waveforms with an A/B comparison, soundalike leads, escalate one to a matter,
and the fingerprint index's status."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring.models import Suspect
from monitoring.selectors import index_loaded, index_status, label_suspects
from monitoring.services.suspects import (
    SuspectError,
    suspect_escalate,
    suspect_submit,
    suspect_submit_url,
)
from monitoring.views.waveforms import comparisons
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.tenancy import LabelAccess, get_owned_or_404, label_view
from optout.uploads import HashedUploadedFile, accepts_uploads, size_limit_message, upload_error


def _index_page(
    request: HttpRequest, access: LabelAccess, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    page = Paginator(label_suspects(label=access.label), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/index.html",
        {
            "page": page,
            "index": index_status(label=access.label),
            "loaded": index_loaded(label=access.label),
            "can_submit": access.can(Capability.RIGHTS),
            "errors": errors or [],
            "url": request.POST.get("url", "") if request.method == "POST" else "",
        },
        status=status,
    )


@label_view(write=Capability.RIGHTS)
@accepts_uploads
def index(request: HttpRequest, access: LabelAccess) -> HttpResponseBase:
    """The suspects of the label and the index status; POST submits one or more files
    and/or a URL."""
    if request.method != "POST":
        return _index_page(request, access)
    if upload_error(request):
        return _index_page(request, access, [size_limit_message()], status=413)
    uploads = request.FILES.getlist("files")
    url = request.POST.get("url", "").strip()
    if not uploads and not url:
        return _index_page(
            request, access, [_("Choose or drop at least one file, or give a URL.")], status=400
        )
    errors: list[str] = []
    submitted: list[Suspect] = []
    if url:
        try:
            submitted.append(suspect_submit_url(label=access.label, url=url, actor=access.user))
        except SuspectError as error:
            errors.append(f"{url}: {error.message}")
    for upload in uploads:
        if not isinstance(upload, HashedUploadedFile):
            errors.append(_("The file did not arrive as an upload; send the form again."))
            continue
        try:
            submitted.append(
                suspect_submit(
                    label=access.label,
                    path=Path(upload.temporary_file_path()),
                    sha256=upload.digest.sha256,
                    size=upload.digest.size,
                    original_name=upload.name or "",
                    actor=access.user,
                )
            )
        except SuspectError as error:
            errors.append(f"{upload.name}: {error.message}")
    if errors:
        return _index_page(request, access, errors, status=400)
    messages.success(
        request,
        _("%(count)d file(s) received; each is being checked against the fingerprints now.")
        % {"count": len(submitted)},
    )
    if len(submitted) == 1:
        return redirect(_suspect_url(access, submitted[0]))
    return redirect(reverse("monitoring:index", kwargs={"slug": access.label.slug}))


def _suspect_url(access: LabelAccess, suspect: Suspect) -> str:
    return reverse("monitoring:suspect", kwargs={"slug": access.label.slug, "code": suspect.code})


def _suspect(access: LabelAccess, code: str) -> Suspect:
    found: Suspect = get_owned_or_404(label_suspects(label=access.label), access=access, code=code)
    return found


@label_view()
def suspect(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    found = _suspect(access, code)
    matches = list(found.matches.all())
    leads = list(found.leads.all())
    return render(
        request,
        "monitoring/suspect.html",
        {
            "suspect": found,
            "matches": matches,
            "leads": leads,
            "match_views": comparisons(found, matches),
            "lead_views": comparisons(found, leads),
            "can_escalate": access.can(Capability.RIGHTS)
            and found.matter_id is None
            and found.status == Suspect.Status.DONE
            and found.matches.exists(),
        },
    )


@label_view()
def suspect_audio(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponseBase:
    """The suspect's audio (the A/B comparison plays it), an authorised download."""
    found = _suspect(access, code)
    if found.blob is None:
        return HttpResponse(status=404)
    return blob_download_response(
        blob=found.blob, filename=found.original_name, actor=access.user, subject=found
    )


@require_POST
@label_view(write=Capability.RIGHTS)
def suspect_escalate_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    found = _suspect(access, code)
    try:
        matter = suspect_escalate(suspect=found, actor=access.user)
    except SuspectError as error:
        messages.error(request, error.message)
        return redirect(_suspect_url(access, found))
    messages.success(request, _("A matter was opened with the suspect and the matched masters."))
    return redirect(
        reverse("evidence:matter", kwargs={"slug": access.label.slug, "code": matter.code})
    )
