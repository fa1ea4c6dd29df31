"""Alerts in one place: every kind the apps raise, open or dealt with, and each member's
choice of how they hear of each kind."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence.models import Alert, AlertDelivery
from evidence.selectors import label_alerts
from evidence.services.alert_preferences import alert_deliveries, alert_preferences_set
from evidence.services.alerts import alert_resolve
from optout.roles import Capability
from optout.tenancy import LabelAccess, get_owned_or_404, label_view


@label_view()
def alert_list(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "open")
    alerts = label_alerts(label=access.label)
    if kind in Alert.Kind.values:
        alerts = alerts.filter(kind=kind)
    else:
        kind = ""
    if state == "open":
        alerts = alerts.filter(resolved_at__isnull=True)
    elif state == "resolved":
        alerts = alerts.filter(resolved_at__isnull=False)
    else:
        state = "all"
    page = Paginator(alerts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/alerts/list.html",
        {
            "page": page,
            "kind": kind,
            "state": state,
            "kinds": Alert.Kind.choices,
            "can_resolve": access.can(Capability.RIGHTS),
        },
    )


@require_POST
@label_view(write=Capability.RIGHTS)
def alert_resolve_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    alert: Alert = get_owned_or_404(Alert, access=access, code=code)
    alert_resolve(alert=alert, actor=access.user)
    messages.success(request, _("The alert is marked as dealt with."))
    return redirect("evidence:alerts", slug=access.label.slug)


# Every member chooses for themselves: choosing needs only the right to read the label.
@label_view(write=Capability.VIEW)
def alert_preferences(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    status = 200
    error = ""
    if request.method == "POST":
        chosen = {
            kind: request.POST.get(f"kind-{kind}", "")
            for kind in Alert.Kind.values
            if f"kind-{kind}" in request.POST
        }
        try:
            alert_preferences_set(label=access.label, user=access.user, deliveries=chosen)
        except ValueError:
            error = _("Choose immediately, daily digest or not at all for each kind.")
            status = 400
        else:
            messages.success(request, _("Your alert e-mails are set."))
            return redirect("evidence:alert_preferences", slug=access.label.slug)
    deliveries = alert_deliveries(label=access.label, user=access.user, role=access.role)
    return render(
        request,
        "evidence/alerts/preferences.html",
        {
            "rows": [(value, name, deliveries[value]) for value, name in Alert.Kind.choices],
            "choices": AlertDelivery.choices,
            "error": error,
        },
        status=status,
    )
