"""Watched pages: list and add them, see each capture's comparison, stop or capture now."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog.models import Partner
from evidence.models.captures import MAX_INTERVAL_HOURS
from monitoring.models import TermsLanguage, Watch, WatchCheck, WatchPurpose
from monitoring.selectors import label_watches, watch_checks
from monitoring.services.watches import watch_capture_now, watch_create, watch_stop
from optout.forms import apply_errors
from optout.roles import Capability
from optout.tenancy import LabelAccess, get_owned_or_404, label_view


class WatchForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    url = forms.CharField(label=gettext_lazy("URL"), max_length=2048)
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=WatchPurpose.choices)
    interval_hours = forms.IntegerField(
        label=gettext_lazy("Capture every (hours)"),
        min_value=1,
        max_value=MAX_INTERVAL_HOURS,
        initial=24,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the page"),
        choices=TermsLanguage.choices,
        initial=TermsLanguage.EN,
    )
    partner = forms.ModelChoiceField(
        label=gettext_lazy("Partner"),
        queryset=Partner.objects.none(),
        required=False,
        to_field_name="code",
    )
    reservation_text = forms.CharField(
        label=gettext_lazy("Reservation wording (our own terms)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, access: LabelAccess, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["partner"].queryset = Partner.objects.for_label(access.label)  # type: ignore[attr-defined]


@label_view(write=Capability.RIGHTS)
def watch_list(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    form = WatchForm(request.POST or None, access=access)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = form.cleaned_data
            try:
                watch = watch_create(
                    label=access.label,
                    actor=access.user,
                    url=values["url"],
                    purpose=values["purpose"],
                    interval_hours=values["interval_hours"],
                    name=values["name"],
                    language=values["language"],
                    partner=values["partner"],
                    reservation_text=values["reservation_text"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The page is watched; its first capture is running."))
                return redirect("monitoring:watch", slug=access.label.slug, code=watch.code)
        status = 400
    return render(
        request,
        "monitoring/watches/list.html",
        {
            "watches": list(label_watches(label=access.label)),
            "form": form,
            "can_edit": access.can(Capability.RIGHTS),
        },
        status=status,
    )


def _watch(access: LabelAccess, code: str) -> Watch:
    found: Watch = get_owned_or_404(label_watches(label=access.label), access=access, code=code)
    return found


@label_view()
def watch_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    watch = _watch(access, code)
    return render(
        request,
        "monitoring/watches/detail.html",
        {
            "watch": watch,
            "checks": list(watch_checks(label=access.label, watch=watch)[:100]),
            "can_edit": access.can(Capability.RIGHTS),
        },
    )


@require_POST
@label_view(write=Capability.RIGHTS)
def watch_stop_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    watch = watch_stop(watch=_watch(access, code), actor=access.user)
    messages.success(request, _("The page is no longer watched."))
    return redirect("monitoring:watch", slug=access.label.slug, code=watch.code)


@require_POST
@label_view(write=Capability.RIGHTS)
def watch_capture_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    watch = _watch(access, code)
    try:
        watch_capture_now(watch=watch, actor=access.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The page is being captured."))
    return redirect("monitoring:watch", slug=access.label.slug, code=watch.code)


@label_view()
def watch_check_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    check: WatchCheck = get_owned_or_404(
        WatchCheck.objects.for_label(access.label).select_related("watch", "capture", "previous"),
        access=access,
        code=code,
    )
    diff = [
        ("add" if line.startswith("+") and not line.startswith("+++") else
         "del" if line.startswith("-") and not line.startswith("---") else "", line)
        for line in check.diff.splitlines()
    ]  # fmt: skip
    return render(
        request,
        "monitoring/watches/check.html",
        {"check": check, "watch": check.watch, "diff": diff},
    )
