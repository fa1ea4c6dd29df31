"""Who may see and do what in a label: one lookup path for HTML views and the API.

* ``label_access`` resolves the label in the URL for the signed-in user. A label the user
  does not belong to is a 404, exactly like one that does not exist.
* ``get_owned_or_404`` loads a label-owned object by its public code within that label;
  another label's object is a 404.
* A capability the user's role lacks is a 403 (``LabelAccess.require``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from optout.lib.sql import fetch_one_as_models
from optout.models import Label, LabelScopedQuerySet, Membership, User
from optout.roles import Capability, Role

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_LABEL_KEY = "optout_label"


@dataclass(frozen=True)
class LabelAccess:
    label: Label
    membership: Membership
    user: User

    @property
    def role(self) -> Role:
        return Role(self.membership.role)

    def can(self, capability: Capability) -> bool:
        return self.membership.can(capability)

    def require(self, capability: Capability) -> None:
        if not self.can(capability):
            raise PermissionDenied(_("Your role in this label does not allow this."))


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, for views that only run for signed-in users."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def label_access(*, user: Any, slug: str) -> LabelAccess:
    if not getattr(user, "is_authenticated", False):
        raise Http404
    # Every request to a label's pages or API asks this first: written out (the ORM would
    # spend a millisecond composing it). One membership per user and label.
    found = fetch_one_as_models(
        (Membership, "m"),
        (Label, "l"),
        joined=f"{Membership._meta.db_table} m JOIN {Label._meta.db_table} l ON l.id = m.label_id"
        " WHERE m.user_id = %s AND l.slug = %s AND l.is_active",
        params=[user.pk, slug],
    )
    if found is None:
        raise Http404
    membership, label = found
    Membership.label.field.set_cached_value(membership, label)
    Membership.user.field.set_cached_value(membership, user)
    return LabelAccess(label=label, membership=membership, user=user)


_M = TypeVar("_M", bound=models.Model)


def get_owned_or_404(
    queryset: LabelScopedQuerySet[_M] | type[_M],
    *,
    access: LabelAccess,
    code: uuid.UUID | str,
    capability: Capability | None = None,
) -> _M:
    """The object with public ``code`` in ``access.label``, or 404.

    With ``capability`` the role is checked first (403), so a write attempt reveals
    nothing about which objects exist.
    """
    if capability is not None:
        access.require(capability)
    scoped: LabelScopedQuerySet[_M] = (
        queryset.objects.for_label(access.label)  # type: ignore[attr-defined]
        if isinstance(queryset, type)
        else queryset.for_label(access.label)
    )
    try:
        return scoped.get(code=code)
    # A malformed UUID string raises ValidationError; to the caller it is just not there.
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None


# HttpResponseBase: a view may stream a file (FileResponse) as well as render a page.
View = Callable[..., HttpResponseBase]


def label_view(
    *, read: Capability = Capability.VIEW, write: Capability | None = None
) -> Callable[[View], View]:
    """Decorate an HTML view whose URL has a ``slug``: it receives ``access`` instead.

    GET and HEAD need ``read``; POST needs ``write``. A view without ``write`` is read-only:
    any method but GET and HEAD is a 405, as is PUT, PATCH or DELETE on any view (HTML
    forms only post). The order is: sign in, then another label's 404, then 405, then 403.
    Anonymous users are sent to sign in.
    """
    allowed = ["GET", "HEAD", "POST"] if write is not None else ["GET", "HEAD"]

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            access = label_access(user=request.user, slug=slug)
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            needed = read if request.method in SAFE_METHODS else (write or read)
            access.require(needed)
            request.session[SESSION_LABEL_KEY] = access.label.slug
            request.label_access = access  # type: ignore[attr-defined]
            return view(request, access, *args, **kwargs)

        wrapper.optout_capabilities = (read, write)  # type: ignore[attr-defined]
        return wrapper

    return decorate
