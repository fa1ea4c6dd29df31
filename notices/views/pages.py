"""Pages of partner notices: list, new, detail, PDF, send and close."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notices.forms import NoticeForm
from notices.models import PartnerNotice
from notices.selectors import label_notices, notice_timeline
from notices.services.notices import (
    is_draft_translation,
    notice_close,
    notice_create,
    notice_send_request,
)
from notices.services.questionnaire import answer_rows
from notices.wording import BY_CODE, DRAFT_NOTE, language_for_territories
from optout.forms import apply_errors
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.tenancy import LabelAccess, get_owned_or_404, label_view


def _notice(access: LabelAccess, code: str) -> PartnerNotice:
    notice: PartnerNotice = get_owned_or_404(
        PartnerNotice.objects.for_label(access.label).select_related("partner", "pdf", "label"),
        access=access,
        code=code,
    )
    return notice


@label_view()
def notice_list(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(label_notices(label=access.label, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notices/list.html",
        {
            "page": page,
            "status": status,
            "statuses": PartnerNotice.Status.choices,
            "can_edit": access.can(Capability.RIGHTS),
        },
    )


@label_view(write=Capability.RIGHTS)
def notice_new(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    access.require(Capability.RIGHTS)
    if request.method != "POST":
        form = NoticeForm(label=access.label, initial={"scope": PartnerNotice.Scope.CATALOG})
        return render(request, "notices/new.html", {"form": form})
    form = NoticeForm(request.POST, label=access.label)
    if form.is_valid():
        data = form.cleaned_data
        partner = data["partner"]
        try:
            notice = notice_create(
                label=access.label,
                partner=partner,
                scope=data["scope"],
                releases=list(data["releases"]),
                recordings=list(data["recordings"]),
                language=data["language"] or language_for_territories(partner.territories),
                deadline=data["deadline"],
                actor=access.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Notice created; its PDF is being rendered."))
            return redirect("notices:notice", slug=access.label.slug, code=notice.code)
    return render(request, "notices/new.html", {"form": form}, status=400)


@label_view()
def notice_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    notice = _notice(access, code)
    language = BY_CODE[notice.language]
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "language": language,
            "draft_note": DRAFT_NOTE if is_draft_translation(notice.language) else "",
            "timeline": notice_timeline(notice),
            "answer_rows": answer_rows(
                questionnaire=notice.questionnaire,
                answers=notice.answers,
                language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in BY_CODE else "en",
            )
            if notice.answered_at
            else [],
            "contacts": list(notice.partner.contacts.all()),
            "evidence_items": list(
                notice.evidence_items.select_related("blob").order_by("created_at")
            ),
            "can_edit": access.can(Capability.RIGHTS),
        },
    )


@label_view()
def notice_pdf(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponseBase:
    notice = _notice(access, code)
    if notice.pdf is None:
        raise Http404(_("The PDF is still being rendered."))
    return blob_download_response(
        blob=notice.pdf,
        filename=f"notice-{notice.partner.name}-{notice.created_at:%Y-%m-%d}.pdf",
        actor=access.user,
        subject=notice,
    )


@require_POST
@label_view(write=Capability.RIGHTS)
def notice_send(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    notice = _notice(access, code)
    try:
        job = notice_send_request(notice=notice, actor=access.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("notices:notice", slug=access.label.slug, code=notice.code)
    messages.success(request, _("The notice is being sent."))
    return redirect("job", slug=access.label.slug, code=job.code)


@require_POST
@label_view(write=Capability.RIGHTS)
def notice_close_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    notice = _notice(access, code)
    try:
        notice_close(notice=notice, actor=access.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Notice closed."))
    return redirect("notices:notice", slug=access.label.slug, code=notice.code)
