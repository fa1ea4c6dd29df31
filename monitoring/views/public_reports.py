"""The public fan report form of a label, ``/r/<slug>/``: no account, no captcha.

* ``report_form``: the form (an ordinary HTML form POST). Each address may send
  ``PER_ADDRESS`` reports a minute and each label receives at most ``PER_LABEL`` an hour;
  past that the page answers 429. A hidden field that people never see (and bots fill in)
  makes a submission look accepted while nothing is stored. The URL is checked, never
  fetched.
* ``report_status``: the status of one report, found by the secret reference its reporter
  was given; an unknown reference is the same 404 as an unknown label.
* ``report_names``: names from the label's public catalogue for the form's suggestions
  (JSON, names only, rate-limited).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from monitoring.models import FanReport, ReportKind
from monitoring.models.reports import MAX_URL_LENGTH
from monitoring.selectors import public_catalog_names
from monitoring.services.reports import (
    MAX_SUBJECT_LENGTH,
    fan_report_for_reference,
    fan_report_submit,
)
from optout.models import Label
from optout.ratelimit import RateLimit, rate_limit_hit, request_address

PER_ADDRESS = RateLimit(name="fan_reports:address", limit=20, window=60)
PER_LABEL = RateLimit(name="fan_reports:label", limit=300, window=3600)
NAMES = RateLimit(name="fan_reports:names", limit=60, window=60)
STATUS = RateLimit(name="fan_reports:status", limit=60, window=600)
HONEYPOT = "website"


class FanReportForm(forms.Form):
    url = forms.CharField(
        label=_("Where did you hear it? The address of the page"),
        max_length=MAX_URL_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    kind = forms.ChoiceField(
        label=_("What is it?"), choices=ReportKind.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(
        label=_("Which artist or recording?"),
        required=False,
        max_length=MAX_SUBJECT_LENGTH,
        widget=forms.TextInput(attrs={"list": "catalog-names", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        help_text=_("Only to tell you what came of your report."),
    )
    consent = forms.BooleanField(
        label=_("The label may contact me about this report"), required=False
    )
    website = forms.CharField(required=False, label=_("Leave this empty"))


def _label(slug: str) -> Label | None:
    found: Label | None = Label.objects.filter(slug=slug, is_active=True).first()
    return found


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "monitoring/reports/public_invalid.html", status=404)


def _too_many(request: HttpRequest, limit: RateLimit) -> HttpResponse:
    response = render(request, "monitoring/reports/public_rate_limited.html", status=429)
    response["Retry-After"] = str(limit.window)
    return response


def _private(response: HttpResponse, *, referrer: str = "no-referrer") -> HttpResponse:
    response["Referrer-Policy"] = referrer
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def report_form(request: HttpRequest, slug: str) -> HttpResponse:
    label = _label(slug)
    if label is None:
        return _not_found(request)
    if request.method == "POST":
        # Every attempt counts, valid or not: the limit is on sending, not on succeeding.
        for limit, key in ((PER_ADDRESS, request_address(request)), (PER_LABEL, label.slug)):
            if rate_limit_hit(limit, key):
                return _too_many(request, limit)
    form = FanReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        if values.get(HONEYPOT):
            # Filled in by a program, not a person: thank it and keep nothing.
            return _private(
                render(request, "monitoring/reports/public_thanks.html", {"label": label})
            )
        try:
            _report, reference = fan_report_submit(
                label=label,
                url=values["url"],
                kind=values["kind"],
                subject=values["subject"],
                email=values["email"],
                consent=values["consent"],
                language=get_language() or "",
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect(
                reverse("fan_report_status", kwargs={"slug": label.slug, "reference": reference})
            )
    status = 400 if request.method == "POST" else 200
    response = render(
        request,
        "monitoring/reports/public_form.html",
        {"label": label, "form": form, "honeypot": form[HONEYPOT]},
        status=status,
    )
    # Not "no-referrer" here: the browser would then post the form with "Origin: null",
    # which the CSRF check rightly refuses.
    return _private(response, referrer="same-origin")


@require_GET
def report_status(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    if rate_limit_hit(STATUS, request_address(request)):
        return _too_many(request, STATUS)
    label = _label(slug)
    report = fan_report_for_reference(label=label, reference=reference) if label else None
    if label is None or report is None:
        return _not_found(request)
    response = render(
        request,
        "monitoring/reports/public_status.html",
        {"label": label, "report": report, "reference": reference, "statuses": FanReport.Status},
    )
    return _private(response)


@require_GET
def report_names(request: HttpRequest, slug: str) -> HttpResponse:
    if rate_limit_hit(NAMES, request_address(request)):
        response = JsonResponse({"error": "rate_limited"}, status=429)
        response["Retry-After"] = str(NAMES.window)
        return response
    label = _label(slug)
    if label is None:
        return JsonResponse({"names": []}, status=404)
    names = public_catalog_names(label=label, query=request.GET.get("q", ""))
    response = JsonResponse({"names": names})
    response["Cache-Control"] = "no-store"
    return response
