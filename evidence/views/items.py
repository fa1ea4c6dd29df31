"""Pages for evidence items: list, upload, detail, edit, withdraw, download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence.forms import AddToMatterForm, EvidenceItemForm, EvidenceUploadForm, ReasonForm
from evidence.models import EvidenceItem, EvidenceKind
from evidence.selectors import label_evidence_items, matters_holding, matters_open_for_adding
from evidence.services.items import (
    evidence_item_create,
    evidence_item_update,
    evidence_item_withdraw,
)
from evidence.services.links import catalog_codes_from_text
from optout.forms import apply_errors
from optout.models import LedgerEntry
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.tenancy import LabelAccess, get_owned_or_404, label_view
from optout.uploads import HashedUploadedFile, accepts_uploads, upload_error

DESCRIPTION_FIELDS = ("kind", "title", "description", "document_date", "source", "source_url")


@label_view()
def item_list(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    status = request.GET.get("status") or EvidenceItem.Status.ACTIVE
    kind = request.GET.get("kind") or ""
    items = label_evidence_items(label=access.label, status=status)
    if kind in EvidenceKind.values:
        items = items.filter(kind=kind)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/items.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "kinds": EvidenceKind.choices,
            "can_edit": access.can(Capability.RIGHTS),
        },
    )


def _links(access: LabelAccess, form: EvidenceItemForm) -> tuple[list[Any], list[Any]]:
    return catalog_codes_from_text(
        label=access.label,
        recordings=form.cleaned_data.get("recordings", ""),
        works=form.cleaned_data.get("works", ""),
    )


@label_view(write=Capability.RIGHTS)
@accepts_uploads
def item_new(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    access.require(Capability.RIGHTS)
    if request.method != "POST":
        return render(request, "evidence/item_new.html", {"form": EvidenceUploadForm()})
    form = EvidenceUploadForm(request.POST, request.FILES)
    problem = upload_error(request)
    if problem:
        form.add_error("file", problem)
    upload = request.FILES.get("file")
    try:
        if not problem and form.is_valid():
            assert isinstance(upload, HashedUploadedFile)
            try:
                recordings, works = _links(access, form)
                item = evidence_item_create(
                    label=access.label,
                    actor=access.user,
                    upload=upload,
                    recordings=recordings,
                    works=works,
                    **{name: form.cleaned_data[name] for name in DESCRIPTION_FIELDS},
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Evidence item added."))
                return redirect("evidence:item", slug=access.label.slug, code=item.code)
    finally:
        if isinstance(upload, HashedUploadedFile):
            upload.close()
    return render(request, "evidence/item_new.html", {"form": form}, status=400)


def _item(access: LabelAccess, code: str) -> EvidenceItem:
    item: EvidenceItem = get_owned_or_404(
        EvidenceItem.objects.for_label(access.label).select_related(
            "blob", "created_by", "withdrawn_by"
        ),
        access=access,
        code=code,
    )
    return item


@label_view()
def item_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    item = _item(access, code)
    matters = list(matters_open_for_adding(label=access.label)[:200])
    return render(
        request,
        "evidence/item.html",
        {
            "item": item,
            "matters_holding": matters_holding(item=item).order_by("title"),
            "recordings": item.recordings.all()[:50],
            "works": item.works.all()[:50],
            "entries": LedgerEntry.objects.for_label(access.label)
            .filter(object_code=str(item.code))
            .order_by("seq")[:50],
            "can_edit": access.can(Capability.RIGHTS),
            "add_form": AddToMatterForm(matters=[(str(m.code), m.title) for m in matters])
            if matters
            else None,
            "withdraw_form": ReasonForm(),
        },
    )


@label_view(write=Capability.RIGHTS)
def item_edit(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    access.require(Capability.RIGHTS)
    item = _item(access, code)
    if request.method != "POST":
        initial = {name: getattr(item, name) for name in DESCRIPTION_FIELDS}
        initial["recordings"] = "\n".join(r.isrc or str(r.code) for r in item.recordings.all())
        initial["works"] = "\n".join(w.iswc or str(w.code) for w in item.works.all())
        form = EvidenceItemForm(initial=initial)
        return render(request, "evidence/item_edit.html", {"item": item, "form": form})
    form = EvidenceItemForm(request.POST)
    if form.is_valid():
        try:
            recordings, works = _links(access, form)
            evidence_item_update(
                item=item,
                actor=access.user,
                recordings=recordings,
                works=works,
                **{name: form.cleaned_data[name] for name in DESCRIPTION_FIELDS},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Evidence item saved."))
            return redirect("evidence:item", slug=access.label.slug, code=item.code)
    return render(request, "evidence/item_edit.html", {"item": item, "form": form}, status=400)


@require_POST
@label_view(write=Capability.RIGHTS)
def item_withdraw(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    item = _item(access, code)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            evidence_item_withdraw(item=item, actor=access.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The item was withdrawn. It stays on record."))
    else:
        messages.error(request, _("Say why the item is withdrawn."))
    return redirect("evidence:item", slug=access.label.slug, code=item.code)


@label_view()
def item_download(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponseBase:
    item = _item(access, code)
    return blob_download_response(
        blob=item.blob, filename=item.filename, actor=access.user, subject=item
    )
