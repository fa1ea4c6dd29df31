"""The catalog overview, imports, export and settings pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import HTMX_STOP_POLLING

from catalog.entities import ENTITIES
from catalog.forms import ColumnAliasesForm, ColumnMappingForm, ImportForm
from catalog.models import CatalogImport
from catalog.selectors.imports import import_created
from catalog.selectors.summary import catalog_summary
from catalog.services.exports import EXPORTS, export_response
from catalog.services.imports.columns import FIELDS
from catalog.services.imports.preview import (
    catalog_import_confirm,
    catalog_import_preview,
    catalog_import_upload,
)
from catalog.services.imports.service import (
    import_report_filename,
    label_column_aliases,
)
from catalog.services.settings import column_aliases_update
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.tenancy import LabelAccess, get_owned_or_404, label_view
from optout.uploads import HashedUploadedFile, accepts_uploads, upload_error


@label_view()
def index(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    summary = catalog_summary(label=access.label)
    counts = summary.by_entity
    return render(
        request,
        "catalog/index.html",
        {
            "summary": summary,
            "entities": [(entity, counts.get(entity.key)) for entity in ENTITIES.values()],
            "exports": sorted(EXPORTS),
            "can_import": access.can(Capability.CATALOG),
        },
    )


def _imports(access: LabelAccess) -> Any:
    return (
        CatalogImport.objects.for_label(access.label)
        .select_related("job", "label")
        .order_by("-created_at")
    )


@label_view(write=Capability.CATALOG)
@accepts_uploads
def imports(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        access.require(Capability.CATALOG)
        problem = upload_error(request)
        if problem:
            form.add_error("file", problem)
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            if isinstance(upload, HashedUploadedFile):
                record = catalog_import_upload(
                    label=access.label,
                    actor=access.user,
                    upload=upload,
                    format=form.cleaned_data["format"],
                )
                if record.awaiting_confirmation:
                    messages.info(
                        request,
                        _("Check how the columns were read, then start the import."),
                    )
                else:
                    messages.success(request, _("The import has started."))
                return redirect("catalog:import", slug=access.label.slug, code=record.code)
            form.add_error("file", _("The upload did not arrive; try again."))
    return render(
        request,
        "catalog/imports.html",
        {
            "form": form,
            "imports": list(_imports(access)[:50]),
            "can_import": access.can(Capability.CATALOG),
        },
        status=400 if request.method == "POST" else 200,
    )


def _preview_page(
    request: HttpRequest,
    access: LabelAccess,
    record: CatalogImport,
    form: ColumnMappingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        preview = catalog_import_preview(record=record)
    except ValidationError as exc:
        return render(
            request,
            "catalog/import_preview.html",
            {"record": record, "problem": " ".join(exc.messages)},
            status=400 if request.method == "POST" else 200,
        )
    if form is None:
        form = ColumnMappingForm(columns=preview.columns)
    return render(
        request,
        "catalog/import_preview.html",
        {
            "record": record,
            "preview": preview,
            "form": form,
            "sample_numbers": range(1, preview.rows_shown + 1),
            "can_import": access.can(Capability.CATALOG),
        },
        status=status,
    )


@label_view(write=Capability.CATALOG)
def import_confirm(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    record = get_owned_or_404(_imports(access), access=access, code=code)
    if request.method != "POST" or not record.awaiting_confirmation:
        return redirect("catalog:import", slug=access.label.slug, code=record.code)
    try:
        preview = catalog_import_preview(record=record)
    except ValidationError:
        return _preview_page(request, access, record, status=400)
    form = ColumnMappingForm(request.POST, columns=preview.columns)
    if form.is_valid():
        try:
            catalog_import_confirm(record=record, actor=access.user, choices=form.choices())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The import has started."))
            return redirect("catalog:import", slug=access.label.slug, code=record.code)
    return _preview_page(request, access, record, form=form, status=400)


@label_view()
def import_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    record = get_owned_or_404(_imports(access), access=access, code=code)
    if record.awaiting_confirmation:
        return _preview_page(request, access, record)
    context = {"record": record, "job": record.job}
    if record.job.status == "done":
        context["created"] = import_created(record=record)
    if getattr(request, "htmx", False):
        response = render(request, "catalog/_import_status.html", context)
        if record.job.is_finished:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, "catalog/import.html", context)


@label_view()
def import_report(request: HttpRequest, access: LabelAccess, code: str) -> Any:
    record = get_owned_or_404(_imports(access), access=access, code=code)
    if record.error_report is None:
        raise Http404
    return blob_download_response(
        blob=record.error_report,
        filename=import_report_filename(record=record),
        actor=access.user,
        subject=record,
    )


@label_view()
def export(request: HttpRequest, access: LabelAccess, kind: str) -> Any:
    if kind not in EXPORTS:
        raise Http404
    return export_response(label=access.label, kind=kind, actor=access.user)


def _aliases_text(aliases: dict[str, list[str]]) -> str:
    return "\n".join(f"{field}: {', '.join(names)}" for field, names in aliases.items() if names)


@label_view(write=Capability.CATALOG)
def catalog_settings(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    current = label_column_aliases(label=access.label)
    form = ColumnAliasesForm(request.POST or None, initial={"aliases": _aliases_text(current)})
    if request.method == "POST" and form.is_valid():
        column_aliases_update(
            label=access.label, actor=access.user, aliases=form.cleaned_data["aliases"]
        )
        messages.success(request, _("Column names saved."))
        return redirect("catalog:settings", slug=access.label.slug)
    return render(
        request,
        "catalog/settings.html",
        {
            "form": form,
            "fields": FIELDS,
            "can_write": access.can(Capability.CATALOG),
        },
        status=400 if request.method == "POST" else 200,
    )
