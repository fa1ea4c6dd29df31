"""Pages for masters: the list with the upload form, one master with its processing shown
live, downloads of the original and of rights-tagged copies.

Uploads stream to disk and are hashed while they arrive (``optout.uploads``). Django's CSRF
middleware would read the body with the default upload handlers before the view could swap
them, so the upload view is exempt from the middleware and runs the same CSRF check itself
once the hashing handler is in place (as Django's upload-handler documentation describes).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HTMX_STOP_POLLING

from catalog.audio import RightsMetadataError
from catalog.identifiers import format_isrc
from catalog.models import Master, MasterTaggedCopy, Recording, Release
from catalog.selectors.masters import (
    label_masters,
    master_problems,
    master_tagged_copies,
    masters_match,
    recording_by_reference,
    recording_masters,
    release_zip_blob,
    release_zip_jobs,
)
from catalog.services.masters import (
    MasterStateError,
    MasterUploadError,
    master_check_stalled,
    master_recheck,
    master_upload_for_reference,
)
from catalog.services.release_zip import release_tagged_zip_request
from catalog.services.tagging import (
    TaggingError,
    metadata_key,
    rights_metadata_for,
    tagged_copy_request,
    tagged_filename,
)
from optout.api.errors import error_body
from optout.jobs import JobFailure
from optout.lib.tempfiles import temp_dir
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.tenancy import LabelAccess, get_owned_or_404, label_view
from optout.uploads import HashedUploadedFile, accepts_uploads, size_limit_message, upload_error

FORMATS_HELP = gettext_lazy(
    "WAV (also BWF and RF64), AIFF, FLAC, MP3, Ogg Vorbis, Opus or M4A. The format is read "
    "from the file itself, not from its name."
)

# What the fields of a tagged copy are called on the page.
FIELD_LABELS = {
    "isrc": gettext_lazy("ISRC"),
    "iswc": gettext_lazy("ISWC"),
    "title": gettext_lazy("Title"),
    "artist": gettext_lazy("Artist"),
    "p_line": gettext_lazy("℗ line"),
    "c_line": gettext_lazy("© line"),
    "rights_holder": gettext_lazy("Rights holder"),
    "label_name": gettext_lazy("Label"),
    "contact_email": gettext_lazy("Rights contact"),
    "contact_url": gettext_lazy("Contact page"),
    "terms_url": gettext_lazy("Terms URL"),
    "reservation_note": gettext_lazy("Reservation note"),
    "year": gettext_lazy("Year"),
    "language": gettext_lazy("Language of the note"),
}


class MasterUploadForm(forms.Form):
    recording = forms.CharField(
        label=gettext_lazy("Recording"),
        max_length=64,
        help_text=gettext_lazy("The recording's ISRC or ID."),
    )
    file = forms.FileField(label=gettext_lazy("Audio file"), help_text=FORMATS_HELP)

    def __init__(self, *args: Any, fixed_recording: Recording | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if fixed_recording is not None:
            self.fields["recording"].widget = forms.HiddenInput()
            self.fields["recording"].initial = str(fixed_recording.code)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _filtered_recording(request: HttpRequest, access: LabelAccess) -> Recording | None:
    # Only the query string: the body of a refused upload is never read.
    reference = request.GET.get("recording") or ""
    return recording_by_reference(label=access.label, reference=reference) if reference else None


def _masters_page(
    request: HttpRequest,
    access: LabelAccess,
    form: MasterUploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    recording = _filtered_recording(request, access)
    state = request.GET.get("status") or ""
    if state not in Master.Status.values:
        state = ""
    masters = (
        recording_masters(recording=recording)
        if recording is not None
        else label_masters(label=access.label, status=state or None)
    )
    page = Paginator(masters, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/masters/list.html",
        {
            "page": page,
            "recording": recording,
            "status_filter": state,
            "statuses": Master.Status.choices,
            "form": form or MasterUploadForm(fixed_recording=recording),
            "can_upload": access.can(Capability.CATALOG),
            "max_bytes": settings.OPTOUT_UPLOAD_MAX_BYTES,
        },
        status=status,
    )


def _refused(
    request: HttpRequest,
    access: LabelAccess,
    form: MasterUploadForm,
    status: int,
    code: str = "invalid",
) -> HttpResponse:
    if _wants_json(request):
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        message = " ".join(m for errors in fields.values() for m in errors)
        return JsonResponse(error_body(code, message, fields), status=status)
    return _masters_page(request, access, form, status=status)


@label_view(write=Capability.CATALOG)
@accepts_uploads
def masters(request: HttpRequest, access: LabelAccess) -> HttpResponseBase:
    if request.method != "POST":
        return _masters_page(request, access)
    form = MasterUploadForm(request.POST, request.FILES)
    if upload_error(request):
        form.add_error("file", size_limit_message())
        return _refused(request, access, form, status=413, code="too_large")
    if not form.is_valid():
        return _refused(request, access, form, status=400)
    upload = form.cleaned_data["file"]
    if not isinstance(upload, HashedUploadedFile):
        form.add_error("file", _("The file did not arrive as an upload; send the form again."))
        return _refused(request, access, form, status=400)
    try:
        master = master_upload_for_reference(
            label=access.label,
            reference=form.cleaned_data["recording"],
            path=Path(upload.temporary_file_path()),
            sha256=upload.digest.sha256,
            size=upload.digest.size,
            original_name=upload.name or "",
            actor=access.user,
        )
    except MasterUploadError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _refused(request, access, form, status=400)
    url = reverse("catalog:master", kwargs={"slug": access.label.slug, "code": master.code})
    # Shown on the master's page, which the upload script opens next.
    messages.success(request, _("The master was received; it is being checked now."))
    if _wants_json(request):
        return JsonResponse({"id": str(master.code), "url": url}, status=201)
    return redirect(url)


def _master(access: LabelAccess, code: str) -> Master:
    master: Master = get_owned_or_404(label_masters(label=access.label), access=access, code=code)
    return master


def _tagging_context(master: Master, *, can_edit: bool) -> dict[str, Any]:
    problems = master_problems(master=master)
    codes = {problem["code"] for problem in problems}
    copies = list(master_tagged_copies(master=master))
    metadata_errors: dict[str, list[str]] = {}
    fields: dict[str, str] = {}
    current_copy: MasterTaggedCopy | None = None
    try:
        metadata = rights_metadata_for(master=master)
    except RightsMetadataError as error:
        metadata_errors = error.errors
    else:
        fields = metadata.as_request()
        key = metadata_key(metadata)
        current_copy = next((c for c in copies if c.metadata_sha256 == key), None)
    stalled = current_copy is not None and current_copy.has_failed
    return {
        "problems": problems,
        "untaggable": "truncated_untaggable" in codes,
        "confirm_isrc": "isrc_mismatch" in codes,
        "can_make": can_edit
        and master.status == Master.Status.READY
        and "truncated_untaggable" not in codes
        and not metadata_errors
        and (current_copy is None or stalled),
        "copies": copies,
        "current_copy": current_copy,
        "metadata_rows": [(FIELD_LABELS.get(k, k), v) for k, v in fields.items()],
        "metadata_problems": [
            (FIELD_LABELS.get(k, k), " ".join(msgs)) for k, msgs in metadata_errors.items()
        ],
        "missing_reservation": not metadata_errors and not fields.get("reservation_note"),
        "copies_pending": any(c.status == MasterTaggedCopy.Status.PENDING for c in copies),
    }


@label_view()
def master(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    item = _master(access, code)
    can_edit = access.can(Capability.CATALOG)
    stalled = master_check_stalled(item)
    context: dict[str, Any] = {
        "master": item,
        "can_edit": can_edit,
        "settled": item.is_final or stalled,
        "can_recheck": can_edit and (stalled or item.status == Master.Status.FLAGGED),
    }
    context.update(_tagging_context(item, can_edit=can_edit))
    if getattr(request, "htmx", False) and request.GET.get("part") == "live":
        response = render(request, "catalog/masters/_live.html", context)
        if context["settled"] and not context["copies_pending"]:
            response.status_code = HTMX_STOP_POLLING
        return response
    context["versions"] = list(recording_masters(recording=item.recording)[:20])
    return render(request, "catalog/masters/detail.html", context)


@require_POST
@label_view(write=Capability.CATALOG)
def master_tag(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    item = _master(access, code)
    try:
        copy = tagged_copy_request(
            master=item,
            actor=access.user,
            confirm_isrc_overwrite=request.POST.get("confirm_isrc_overwrite") == "on",
        )
    except TaggingError as error:
        messages.error(request, error.message)
    except RightsMetadataError as error:
        problems = "; ".join(
            f"{FIELD_LABELS.get(name, name)}: {' '.join(msgs)}"
            for name, msgs in error.errors.items()
        )
        messages.error(
            request,
            _("The rights metadata cannot be written into tags: %(problems)s")
            % {"problems": problems},
        )
    else:
        if copy.status == MasterTaggedCopy.Status.READY:
            messages.info(request, _("A tagged copy with this metadata exists; download it below."))
        else:
            messages.success(request, _("A tagged copy is being made."))
    url = reverse("catalog:master", kwargs={"slug": access.label.slug, "code": item.code})
    return redirect(f"{url}#tagged")


@require_POST
@label_view(write=Capability.CATALOG)
def master_check(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    item = _master(access, code)
    try:
        master_recheck(master=item, actor=access.user)
    except MasterStateError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The master is being checked again."))
    return redirect("catalog:master", slug=access.label.slug, code=item.code)


@label_view()
def master_download(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    item = _master(access, code)
    return blob_download_response(  # type: ignore[return-value]
        blob=item.blob, filename=item.original_name, actor=access.user, subject=item
    )


@label_view()
def master_tagged_download(
    request: HttpRequest, access: LabelAccess, code: str, copy: str
) -> HttpResponse:
    item = _master(access, code)
    tagged: MasterTaggedCopy = get_owned_or_404(
        master_tagged_copies(master=item), access=access, code=copy
    )
    if tagged.status != MasterTaggedCopy.Status.READY or tagged.blob is None:
        messages.info(request, _("This tagged copy is not ready yet."))
        url = reverse("catalog:master", kwargs={"slug": access.label.slug, "code": item.code})
        return redirect(f"{url}#tagged")
    return blob_download_response(  # type: ignore[return-value]
        blob=tagged.blob, filename=tagged_filename(item), actor=access.user, subject=tagged
    )


def _release(access: LabelAccess, code: str) -> Release:
    release: Release = get_owned_or_404(Release, access=access, code=code)
    return release


@require_POST
@label_view(write=Capability.VIEW)
def release_tagged_zip(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    """Start building one ZIP of the release's current tagged copies (a job)."""
    release = _release(access, code)
    try:
        release_tagged_zip_request(release=release, actor=access.user)
    except JobFailure as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The ZIP is being built; its link appears here when ready."))
    url = reverse("catalog:release", kwargs={"slug": access.label.slug, "code": release.code})
    return redirect(f"{url}#tagged-zip")


@label_view()
def release_tagged_zip_download(
    request: HttpRequest, access: LabelAccess, code: str, job: str
) -> HttpResponse:
    release = _release(access, code)
    found = get_owned_or_404(release_zip_jobs(release=release), access=access, code=job)
    blob = release_zip_blob(job=found)
    if blob is None:
        messages.info(request, _("This ZIP is not ready yet."))
        url = reverse("catalog:release", kwargs={"slug": access.label.slug, "code": release.code})
        return redirect(f"{url}#tagged-zip")
    return blob_download_response(  # type: ignore[return-value]
        blob=blob, filename=str(found.result.get("filename") or "release.zip"),
        actor=access.user, subject=release,
    )  # fmt: skip


# What the multi-upload preview sends of each file: its head (where most formats keep their
# tags) and its tail (a WAV's ID3 chunk, an MP4's moov), never the whole file.
MATCH_MAX_FILES = 100
MATCH_HEAD_BYTES = 1024 * 1024
MATCH_TAIL_BYTES = 256 * 1024


@require_POST
@label_view(write=Capability.CATALOG)
def masters_match_view(request: HttpRequest, access: LabelAccess) -> JsonResponse:
    """Match dropped files to recordings by the ISRC in their tags or names (a preview:
    nothing is stored). Fields per file ``i``: ``name_i``, ``head_i``, ``tail_i``."""
    names = [(key, request.POST[key]) for key in request.POST if key.startswith("name_")]
    if not names or len(names) > MATCH_MAX_FILES:
        message = _("Send between 1 and %(n)s files.") % {"n": MATCH_MAX_FILES}
        return JsonResponse(error_body("invalid", message, {}), status=400)
    files: list[tuple[str, Path, bytes]] = []
    folder = Path(tempfile.mkdtemp(prefix="match-", dir=temp_dir()))
    try:
        for key, name in names:
            index = key.removeprefix("name_")
            head = request.FILES.get(f"head_{index}")
            tail = request.FILES.get(f"tail_{index}")
            if (
                head is None
                or (head.size or 0) > MATCH_HEAD_BYTES
                or (tail is not None and (tail.size or 0) > MATCH_TAIL_BYTES)
            ):
                message = _("The start of “%(name)s” did not arrive; choose it again.") % {
                    "name": name
                }
                return JsonResponse(error_body("invalid", message, {}), status=400)
            path = folder / f"{len(files)}.head"
            with path.open("wb") as target:
                for chunk in head.chunks():
                    target.write(chunk)
            files.append((name[:255], path, tail.read() if tail is not None else b""))
        found = masters_match(label=access.label, files=files)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return JsonResponse(
        {
            "files": [
                {
                    "name": m.name,
                    "isrc": format_isrc(m.isrc) if m.isrc else "",
                    "found_in": m.found_in,
                    "recording": {
                        "id": str(m.recording.code),
                        "title": str(m.recording),
                        "isrc": m.recording.isrc_display,
                    }
                    if m.recording is not None
                    else None,
                }
                for m in found
            ]
        }
    )
