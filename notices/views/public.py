"""The page behind a notice's response link: no account, no label URL, only the token."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from notices.forms import AnswerForm
from notices.models import PartnerNotice
from notices.services.questionnaire import answer_rows
from notices.services.responses import notice_answer, notice_for_token
from notices.wording import BY_CODE, wording
from optout.ratelimit import RateLimit, rate_limit_hit, request_address

# Requests per client address per window, counting wrong tokens and right ones alike: a
# partner opens its link a few times; guessing needs millions of tries.
RESPOND_LIMIT = RateLimit(name="notices:respond", limit=30, window=600)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "notices/public/invalid.html", status=404)


@require_http_methods(["GET", "HEAD", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    if rate_limit_hit(RESPOND_LIMIT, request_address(request)):
        response = render(request, "notices/public/rate_limited.html", status=429)
        response["Retry-After"] = str(RESPOND_LIMIT.window)
        return response
    notice = notice_for_token(token)
    if notice is None:
        return _not_found(request)
    form = AnswerForm(request.POST or None, notice=notice)
    answerable = request.method == "POST" and notice.status != PartnerNotice.Status.ANSWERED
    if answerable and form.is_valid():
        try:
            notice_answer(token=token, values=form.values())
        except PartnerNotice.DoesNotExist:
            return _not_found(request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(request.path)
    lang = BY_CODE.get(notice.language, BY_CODE["en"])
    context = {
        "notice": notice,
        "lang": lang,
        "w": wording(notice.language),
        "form": form,
        "answer_rows": answer_rows(
            questionnaire=notice.questionnaire, answers=notice.answers, language=notice.language
        ),
        "covered_releases": len(notice.covered.get("releases", [])),
        "covered_recordings": len(notice.covered.get("recordings", [])),
    }
    response = render(request, "notices/public/respond.html", context)
    # The token must not leak to other sites, but the form posts back here: with
    # "no-referrer" browsers send "Origin: null" and Django's CSRF check refuses the answer.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response
