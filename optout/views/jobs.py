from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import HTMX_STOP_POLLING

from optout.models import Job
from optout.selectors import label_jobs
from optout.tenancy import LabelAccess, get_owned_or_404, label_view


@label_view()
def job_list(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    page = Paginator(label_jobs(label=access.label), 50).get_page(request.GET.get("page"))
    return render(request, "optout/jobs.html", {"page": page})


@label_view()
def job_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    job = get_owned_or_404(Job, access=access, code=code)
    if getattr(request, "htmx", False):
        response = render(request, "optout/_job_progress.html", {"job": job})
        if job.is_finished:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, "optout/job.html", {"job": job})
