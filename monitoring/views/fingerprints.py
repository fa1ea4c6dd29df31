"""Monitoring pages: submit suspects, see their matches, escalate one to a matter, and the
fingerprint index's status."""

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
from monitoring.selectors import index_status, label_suspects
from monitoring.services.suspects import SuspectError, suspect_escalate, suspect_submit
from optout.roles import Capability
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
            "can_submit": access.can(Capability.RIGHTS),
            "errors": errors or [],
        },
        status=status,
    )


@label_view(write=Capability.RIGHTS)
@accepts_uploads
def index(request: HttpRequest, access: LabelAccess) -> HttpResponseBase:
    """The suspects of the label and the index status; POST submits one or more files."""
    if request.method != "POST":
        return _index_page(request, access)
    if upload_error(request):
        return _index_page(request, access, [size_limit_message()], status=413)
    uploads = request.FILES.getlist("files")
    if not uploads:
        return _index_page(request, access, [_("Choose at least one file.")], status=400)
    errors, submitted = [], []
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
    return render(
        request,
        "monitoring/suspect.html",
        {
            "suspect": found,
            "matches": list(found.matches.all()),
            "can_escalate": access.can(Capability.RIGHTS)
            and found.matter_id is None
            and found.status == Suspect.Status.DONE
            and found.matches.exists(),
        },
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
