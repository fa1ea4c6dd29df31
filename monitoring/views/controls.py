"""Platform controls page: the checklist, recording a check (with a screenshot or a
capture), adding a control of the label's own, the re-check period."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.models.controls import MAX_RECHECK_DAYS, ControlScope, ControlState
from monitoring.selectors import controls_checklist
from monitoring.services.controls import (
    control_add,
    control_check_record,
    control_settings_set,
    recheck_days,
    shipped_catalog,
)
from optout.roles import Capability
from optout.tenancy import LabelAccess, label_view
from optout.uploads import HashedUploadedFile, accepts_uploads, size_limit_message, upload_error


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


def _page(
    request: HttpRequest, access: LabelAccess, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    rows = controls_checklist(label=access.label)
    return render(
        request,
        "monitoring/controls/index.html",
        {
            "rows": rows,
            "controls": sorted(
                {(r.control.key, f"{r.control.platform}: {r.control.name}") for r in rows},
                key=lambda kv: kv[1].lower(),
            ),
            "states": ControlState.choices,
            "scopes": ControlScope.choices,
            "recheck_days": recheck_days(label=access.label),
            "max_days": MAX_RECHECK_DAYS,
            "checklist_version": shipped_catalog().version,
            "overdue": sum(1 for r in rows if r.overdue),
            "can_edit": access.can(Capability.RIGHTS),
            "errors": errors or [],
            "today": timezone.localdate().isoformat(),
        },
        status=status,
    )


def _parse_date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"checked_on": [_("Enter the date as YYYY-MM-DD.")]}) from None


@label_view(write=Capability.RIGHTS)
@accepts_uploads
def controls(request: HttpRequest, access: LabelAccess) -> HttpResponseBase:
    if request.method != "POST":
        return _page(request, access)
    if upload_error(request):
        return _page(request, access, [size_limit_message()], status=413)
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "check":
            screenshot = request.FILES.get("screenshot")
            if screenshot is not None and not isinstance(screenshot, HashedUploadedFile):
                raise ValidationError(
                    _("The file did not arrive as an upload; send the form again.")
                )
            control_check_record(
                label=access.label, actor=access.user, control_key=post.get("control", ""),
                state=post.get("state", ""), account=post.get("account", ""),
                checked_on=_parse_date(post.get("checked_on", "")), note=post.get("note", ""),
                screenshot=screenshot, capture_code=post.get("capture", "").strip(),
            )  # fmt: skip
            messages.success(request, _("The check was recorded."))
        elif action == "add":
            control_add(
                label=access.label, actor=access.user, key=post.get("key", ""),
                platform=post.get("platform", ""), name=post.get("name", ""),
                url=post.get("url", "").strip(), on_means=post.get("on_means", ""),
                scope=post.get("scope", ControlScope.LABEL),
            )  # fmt: skip
            messages.success(request, _("The control was added to the label's checklist."))
        elif action == "period":
            try:
                days = int(post.get("recheck_days", ""))
            except ValueError:
                raise ValidationError({"recheck_days": [_("Enter a number of days.")]}) from None
            control_settings_set(label=access.label, actor=access.user, days=days)
            messages.success(request, _("The re-check period was saved."))
        else:
            return _page(request, access, [_("Unknown action.")], status=400)
    except ValidationError as error:
        return _page(request, access, _errors(error), status=400)
    return redirect(reverse("monitoring:controls", kwargs={"slug": access.label.slug}))
