"""Recording a reply that came by post or e-mail: the letter, its answers, closing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from notices.forms import ReplyForm
from notices.models import PartnerNotice
from notices.services.responses import notice_reply_record
from notices.wording import BY_CODE
from optout.forms import apply_errors
from optout.roles import Capability
from optout.tenancy import LabelAccess, get_owned_or_404, label_view
from optout.uploads import HashedUploadedFile, accepts_uploads, upload_error


@label_view(read=Capability.RIGHTS, write=Capability.RIGHTS)
@accepts_uploads
def notice_reply(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    notice: PartnerNotice = get_owned_or_404(
        PartnerNotice.objects.for_label(access.label).select_related("partner", "label"),
        access=access,
        code=code,
    )
    # The questions in the user's language: the reply is entered by the label's staff.
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in BY_CODE else "en"
    if request.method != "POST":
        form = ReplyForm(notice=notice, language=language)
        return render(request, "notices/reply.html", {"notice": notice, "form": form})
    form = ReplyForm(request.POST, request.FILES, notice=notice, language=language)
    problem = upload_error(request)
    if problem:
        form.add_error("letter", problem)
    letter = request.FILES.get("letter")
    try:
        if not problem and form.is_valid():
            assert isinstance(letter, HashedUploadedFile)
            data = form.cleaned_data
            try:
                notice_reply_record(
                    notice=notice,
                    actor=access.user,
                    letter=letter,
                    values=form.values(),
                    received_on=data["received_on"],
                    channel=data["channel"],
                    close=data["close"],
                )
            except ValidationError as exc:
                apply_errors(form, _answer_errors(exc))
            else:
                messages.success(request, _("The reply is recorded."))
                return redirect("notices:notice", slug=access.label.slug, code=notice.code)
    finally:
        if isinstance(letter, HashedUploadedFile):
            letter.close()
    return render(request, "notices/reply.html", {"notice": notice, "form": form}, status=400)


def _answer_errors(exc: ValidationError) -> ValidationError:
    """The service names answers by question key; the form's fields are ``<key>__answer``."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {
            (key if key in ("channel", "received_on", "letter") else f"{key}__answer"): errors
            for key, errors in exc.error_dict.items()
        }
    )
