from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from optout.forms import TokenForm
from optout.mfa import mfa_step_url, token_issue_blocked
from optout.models import ApiToken
from optout.services.tokens import token_create, token_revoke
from optout.tenancy import signed_in_user


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_key = None
    form = TokenForm(request.POST or None)
    # A token is as strong as the session that made it: it counts as two-factor authenticated.
    mfa_step = token_issue_blocked(request=request, user=signed_in_user(request))
    if request.method == "POST" and mfa_step is not None:
        form.add_error(
            None,
            _(
                "A label of yours asks owners and counsel to use two-factor authentication: "
                "confirm this session with your authenticator app before creating a token."
            ),
        )
    elif request.method == "POST" and form.is_valid():
        _token, new_key = token_create(user=signed_in_user(request), name=form.cleaned_data["name"])
        form = TokenForm()
    return render(
        request,
        "optout/tokens.html",
        {
            "tokens": ApiToken.objects.filter(
                user=signed_in_user(request), revoked_at__isnull=True
            ),
            "form": form,
            "new_key": new_key,
            "token_days": settings.OPTOUT_API_TOKEN_DAYS,
            "now": timezone.now(),
            "mfa_url": mfa_step_url(mfa_step, next_url=request.path) if mfa_step else None,
        },
        status=400 if request.method == "POST" and new_key is None else 200,
    )


@require_POST
@login_required
def token_revoke_view(request: HttpRequest, code: str) -> HttpResponse:
    token = ApiToken.objects.filter(user=signed_in_user(request), code=code).first()
    if token is None:
        raise Http404
    token_revoke(token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("tokens")
