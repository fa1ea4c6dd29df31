"""The /verify page: anyone signed in uploads a packet and reads the verifier's report,
checked against what this server built."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from evidence.services.packets.checking import packet_check, packet_check_visible_packet
from evidence.verifier import Limits
from optout.tenancy import signed_in_user
from optout.uploads import HashedUploadedFile, accepts_uploads, upload_error


class VerifyForm(forms.Form):
    packet = forms.FileField(
        label=gettext_lazy("Packet (ZIP)"),
        help_text=gettext_lazy("A packet downloaded from Optout, as it was received."),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@accepts_uploads
def verify_packet_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "evidence/verify.html", {"form": VerifyForm()})
    form = VerifyForm(request.POST, request.FILES)
    problem = upload_error(request)
    if problem:
        form.add_error(None, problem)
    if problem or not form.is_valid():
        return render(request, "evidence/verify.html", {"form": form}, status=400)
    upload = form.cleaned_data["packet"]
    if not isinstance(upload, HashedUploadedFile):
        form.add_error("packet", _("The file did not arrive; try again."))
        return render(request, "evidence/verify.html", {"form": form}, status=400)
    try:
        check = packet_check(
            path=upload.temporary_file_path(),
            name=upload.name,
            limits=Limits(
                max_entries=10000,
                max_total_bytes=settings.OPTOUT_VERIFY_MAX_BYTES,
                max_ratio=100,
            ),
        )
    finally:
        upload.close()
    return render(
        request,
        "evidence/verify.html",
        {
            "form": VerifyForm(),
            "check": check,
            "report": check.report,
            "filename": upload.name,
            "sha256": upload.digest.sha256,
            "known": packet_check_visible_packet(check=check, user=signed_in_user(request)),
        },
        status=200,
    )
