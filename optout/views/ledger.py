from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_noop

from optout.models import Job
from optout.roles import Capability
from optout.selectors import label_ledger
from optout.services.jobs import job_create
from optout.tenancy import LabelAccess, label_view


@label_view(write=Capability.VIEW)
def ledger(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    if request.method == "POST":
        with transaction.atomic():
            job = job_create(
                label=access.label,
                kind="ledger.verify",
                actor=access.user,
                title=gettext_noop("Verify the custody ledger"),
            )
        return redirect("job", slug=access.label.slug, code=job.code)
    page = Paginator(label_ledger(label=access.label), 100).get_page(request.GET.get("page"))
    last_check = (
        Job.objects.for_label(access.label)
        .filter(kind="ledger.verify", status=Job.Status.DONE)
        .order_by("-finished_at")
        .first()
    )
    return render(request, "optout/ledger.html", {"page": page, "last_check": last_check})
