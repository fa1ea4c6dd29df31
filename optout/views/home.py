from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from optout.dashboard import panels_for
from optout.selectors import memberships_for_user
from optout.tenancy import SESSION_LABEL_KEY, LabelAccess, label_view


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Open the label used last, the only label, or the list to choose from."""
    memberships = list(memberships_for_user(user=request.user))  # type: ignore[arg-type]
    slugs = [m.label.slug for m in memberships]
    remembered = request.session.get(SESSION_LABEL_KEY)
    if remembered in slugs:
        return redirect("dashboard", slug=remembered)
    if len(slugs) == 1:
        return redirect("dashboard", slug=slugs[0])
    return render(request, "optout/labels.html", {"memberships": memberships})


@require_safe
@login_required
def labels(request: HttpRequest) -> HttpResponse:
    memberships = list(memberships_for_user(user=request.user))  # type: ignore[arg-type]
    return render(request, "optout/labels.html", {"memberships": memberships})


@label_view()
def dashboard(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    return render(request, "optout/dashboard.html", {"panels": panels_for(access)})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
