"""The pages of every catalog kind: list, new, detail, edit, delete, file, child rows.

Each view is made from the kind's entry in ``catalog.entities``; reads need VIEW,
writes the kind's capability (``label_view`` answers 403 otherwise, 404 for another
label). Views that take files set the hashing upload handlers before anything reads
the body, then run the CSRF check themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.entities import Entity
from catalog.filters import FILTERSETS
from catalog.forms import CHILD_FORMS, FORMS, LabelForm
from catalog.pagination import InvalidCursor, keyset_page
from catalog.record_actions import record_actions
from catalog.selectors.detail import detail_context
from catalog.selectors.lists import entity_detail_queryset, entity_queryset
from catalog.services.entities import (
    child_add,
    child_remove,
    entity_create,
    entity_delete,
    entity_update,
)
from catalog.views.present import COLUMNS, facts
from optout.forms import apply_errors
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.tenancy import LabelAccess, get_owned_or_404, label_view
from optout.uploads import accepts_uploads, upload_error

PAGE_SIZE = 50
View = Callable[..., HttpResponseBase]


def _get(entity: Entity, access: LabelAccess, code: str, *, detail: bool = False) -> Any:
    queryset = (entity_detail_queryset if detail else entity_queryset)(
        entity=entity, label=access.label
    )
    found: Any = get_owned_or_404(queryset, access=access, code=code)  # type: ignore[arg-type]
    return found


def _form(
    entity: Entity, access: LabelAccess, request: HttpRequest, instance: Any = None
) -> LabelForm:
    form_class = FORMS[entity.key]
    if request.method == "POST":
        return form_class(request.POST, request.FILES, instance=instance, label=access.label)
    return form_class(instance=instance, label=access.label)


def list_view(entity: Entity) -> View:
    @label_view()
    def view(request: HttpRequest, access: LabelAccess) -> HttpResponse:
        filterset = FILTERSETS[entity.key](
            request.GET,
            queryset=entity_queryset(entity=entity, label=access.label),
            label=access.label,
        )
        sort = entity.sort(request.GET.get("sort"))
        page = None
        status = 200
        if filterset.is_valid():
            try:
                page = keyset_page(
                    filterset.qs,
                    sort=sort,
                    cursor=request.GET.get("cursor"),
                    page_size=PAGE_SIZE,
                    rows_from=(
                        entity_queryset(entity=entity, label=access.label)
                        if request.GET.get("q", "").strip()
                        else None
                    ),
                )
            except InvalidCursor:
                status = 400
        else:
            status = 400
        rows = [
            (obj, [c.value(obj) for c in COLUMNS[entity.key]])
            for obj in (page.items if page else [])
        ]
        context = {
            "entity": entity,
            "filterset": filterset,
            "page": page,
            "rows": rows,
            "columns": COLUMNS[entity.key],
            "sort": sort,
            "sorts": entity.sorts,
            "can_write": access.can(entity.capability),
            "query": request.GET.copy(),
        }
        template = (
            "catalog/_list_results.html" if getattr(request, "htmx", False) else "catalog/list.html"
        )
        return render(request, template, context, status=status)

    return view


def new_view(entity: Entity) -> View:
    @label_view(read=entity.capability, write=entity.capability)
    @accepts_uploads
    def view(request: HttpRequest, access: LabelAccess) -> HttpResponse:
        return _form_page(request, access, entity, None)

    return view


def _form_page(
    request: HttpRequest, access: LabelAccess, entity: Entity, obj: Any | None
) -> HttpResponse:
    """The create (``obj`` None) or edit form; a valid POST saves and goes to the record."""
    form = _form(entity, access, request, instance=obj)
    if request.method == "POST":
        problem = upload_error(request)
        if problem:
            form.add_error(None, problem)
        elif form.is_valid():
            data, upload = form.service_data(), form.upload()
            try:
                if obj is None:
                    saved = entity_create(
                        entity=entity,
                        label=access.label,
                        actor=access.user,
                        data=data,
                        upload=upload,
                    )
                else:
                    saved = entity_update(
                        entity=entity, instance=obj, actor=access.user, data=data, upload=upload
                    )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(name)s”.") % {"name": saved})
                return redirect(f"catalog:{entity.key}", slug=access.label.slug, code=saved.code)
    return render(
        request,
        "catalog/form.html",
        {"entity": entity, "form": form, "object": obj},
        status=400 if request.method == "POST" else 200,
    )


def detail_view(entity: Entity) -> View:
    @label_view()
    def view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
        obj = _get(entity, access, code, detail=True)
        return _detail(request, access, entity, obj)

    return view


def _detail(
    request: HttpRequest,
    access: LabelAccess,
    entity: Entity,
    obj: Any,
    *,
    child_forms: dict[str, LabelForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_write = access.can(entity.capability)
    forms = child_forms or {}
    if can_write:
        for child in entity.children:
            forms.setdefault(
                child.key, CHILD_FORMS[child.key](label=access.label, prefix=child.key)
            )
    extras = select_template([f"catalog/extras/{entity.key}.html", "catalog/extras/none.html"])
    # What comes after the children (a release's track list before its territory checklist).
    after = select_template([f"catalog/extras/{entity.key}_after.html", "catalog/extras/none.html"])
    return render(
        request,
        "catalog/detail.html",
        {
            "entity": entity,
            "object": obj,
            "facts": facts(entity, obj, slug=access.label.slug),
            "can_write": can_write,
            "child_forms": forms,
            "extras_template": extras.template.name,
            "record_actions": record_actions(entity=entity.key, obj=obj, access=access),
            "extras_after_template": after.template.name,
            "file_blob": getattr(obj, entity.file_field) if entity.file_field else None,
            "file_name": getattr(obj, entity.file_name_field) if entity.file_name_field else "",
            **detail_context(entity=entity, obj=obj, access=access),
            **_upload_context(entity, access, obj),
        },
        status=status,
    )


def _upload_context(entity: Entity, access: LabelAccess, obj: Any) -> dict[str, Any]:
    """A recording's page offers to upload its master to those who may."""
    if entity.key != "recording" or not access.can(Capability.CATALOG):
        return {}
    from catalog.views.masters import MasterUploadForm

    return {
        "upload_form": MasterUploadForm(fixed_recording=obj),
        "max_bytes": settings.OPTOUT_UPLOAD_MAX_BYTES,
    }


def edit_view(entity: Entity) -> View:
    @label_view(read=entity.capability, write=entity.capability)
    @accepts_uploads
    def view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
        return _form_page(request, access, entity, _get(entity, access, code))

    return view


def delete_view(entity: Entity) -> View:
    @require_POST
    @label_view(write=entity.capability)
    def view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
        obj = _get(entity, access, code)
        try:
            entity_delete(entity=entity, instance=obj, actor=access.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(f"catalog:{entity.key}", slug=access.label.slug, code=obj.code)
        messages.success(request, _("Deleted “%(name)s”.") % {"name": obj})
        return redirect(f"catalog:{entity.plural}", slug=access.label.slug)

    return view


def file_view(entity: Entity) -> View:
    @label_view()
    def view(request: HttpRequest, access: LabelAccess, code: str) -> Any:
        obj = _get(entity, access, code)
        assert entity.file_field and entity.file_name_field
        blob = getattr(obj, entity.file_field)
        if blob is None:
            raise Http404
        return blob_download_response(
            blob=blob,
            filename=getattr(obj, entity.file_name_field) or "file",
            actor=access.user,
            subject=obj,
        )

    return view


def child_add_view(entity: Entity, key: str) -> View:
    @require_POST
    @label_view(write=entity.capability)
    def view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
        obj = _get(entity, access, code, detail=True)
        form = CHILD_FORMS[key](request.POST, label=access.label, prefix=key)
        if form.is_valid():
            try:
                added = child_add(
                    entity=entity, parent=obj, key=key, data=form.cleaned_data, actor=access.user
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Added."))
                # Back to the page, scrolled to the new row (its id is the fragment).
                url = reverse(
                    f"catalog:{entity.key}", kwargs={"slug": access.label.slug, "code": obj.code}
                )
                return redirect(f"{url}#{key}-{added.code}")  # type: ignore[attr-defined]
        return _detail(request, access, entity, obj, child_forms={key: form}, status=400)

    return view


def child_remove_view(entity: Entity, key: str) -> View:
    @require_POST
    @label_view(write=entity.capability)
    def view(request: HttpRequest, access: LabelAccess, code: str, child: str) -> HttpResponse:
        obj = _get(entity, access, code)
        child_remove(entity=entity, parent=obj, key=key, code=child, actor=access.user)
        messages.success(request, _("Removed."))
        return redirect(f"catalog:{entity.key}", slug=access.label.slug, code=obj.code)

    return view
