"""Crawler logs pages: upload a log (or name one on the server), the running view per
agent, a log's report, and its export as an evidence item."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring.models import CrawlerLog
from monitoring.selectors import crawler_agents_running, label_crawler_logs
from monitoring.services.crawler_logs import (
    CrawlerLogError,
    crawler_log_export,
    crawler_log_from_path,
    crawler_log_submit,
)
from optout.roles import Capability
from optout.tenancy import LabelAccess, get_owned_or_404, label_view
from optout.uploads import HashedUploadedFile, accepts_uploads, size_limit_message, upload_error


def _index_page(
    request: HttpRequest, access: LabelAccess, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    page = Paginator(label_crawler_logs(label=access.label), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/crawler_logs/index.html",
        {
            "page": page,
            "agents": crawler_agents_running(label=access.label),
            "can_submit": access.can(Capability.RIGHTS),
            "server_folders": bool(settings.OPTOUT_CRAWLER_LOG_DIRS),
            "errors": errors or [],
        },
        status=status,
    )


def _log_url(access: LabelAccess, log: CrawlerLog) -> str:
    return reverse("monitoring:crawler_log", kwargs={"slug": access.label.slug, "code": log.code})


@label_view(write=Capability.RIGHTS)
@accepts_uploads
def crawler_logs(request: HttpRequest, access: LabelAccess) -> HttpResponseBase:
    if request.method != "POST":
        return _index_page(request, access)
    if upload_error(request):
        return _index_page(request, access, [size_limit_message()], status=413)
    upload = request.FILES.get("file")
    server_path = request.POST.get("path", "").strip()
    try:
        if upload is not None:
            if not isinstance(upload, HashedUploadedFile):
                raise CrawlerLogError(
                    _("The file did not arrive as an upload; send the form again."), code="upload"
                )
            log = crawler_log_submit(
                label=access.label, path=Path(upload.temporary_file_path()),
                sha256=upload.digest.sha256, size=upload.digest.size,
                original_name=upload.name or "", actor=access.user,
            )  # fmt: skip
        elif server_path:
            log = crawler_log_from_path(label=access.label, path=server_path, actor=access.user)
        else:
            return _index_page(request, access, [_("Choose a log file.")], status=400)
    except CrawlerLogError as error:
        return _index_page(request, access, [error.message], status=400)
    messages.success(request, _("The log was received; it is being analysed now."))
    return redirect(_log_url(access, log))


def _log(access: LabelAccess, code: str) -> CrawlerLog:
    found: CrawlerLog = get_owned_or_404(
        label_crawler_logs(label=access.label), access=access, code=code
    )
    return found


@label_view()
def crawler_log(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    log = _log(access, code)
    return render(
        request,
        "monitoring/crawler_logs/detail.html",
        {
            "log": log,
            "agents": list(log.agents.all()),
            "report": log.report,
            "can_export": access.can(Capability.RIGHTS)
            and log.status == CrawlerLog.Status.DONE
            and log.evidence_item_id is None,
        },
    )


@require_POST
@label_view(write=Capability.RIGHTS)
def crawler_log_export_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    log = _log(access, code)
    try:
        crawler_log_export(log=log, actor=access.user)
    except CrawlerLogError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The export is now an evidence item; add it to a matter."))
    return redirect(_log_url(access, log))
