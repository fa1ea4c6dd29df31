"""Personal API tokens: shown once, stored as SHA-256, valid for
``settings.OPTOUT_API_TOKEN_DAYS`` and revoked when the owner's credentials change."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from optout.lib.sql import fetch_one_as_models
from optout.models import ApiToken, User

TOKEN_PREFIX = "oo_"  # noqa: S105  (a public prefix, not a secret)
_LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenExpired(Exception):
    """The key names a token whose validity has run out."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name or "API token")[:100],
        prefix=key[:10],
        key_hash=_hash(key),
        expires_at=timezone.now() + timedelta(days=settings.OPTOUT_API_TOKEN_DAYS),
    )
    return token, key


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def tokens_revoke_for_user(*, user: User) -> int:
    """Revoke every live token of ``user``: called when their password changes or their
    two-factor authentication is removed or reset, so a key made under the old
    credentials stops working with them. Returns how many were revoked."""
    if not user.pk:  # sign-up sets the password before the user is saved
        return 0
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def token_authenticate(*, key: str) -> User | None:
    """The user a key belongs to; None for an unknown or revoked key, ``TokenExpired``
    for an expired one (so the client can be told to make a new token)."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > 200:
        return None
    # Every API request asks this first: written out (the ORM would spend a millisecond
    # composing it). Key hashes are unique.
    found = fetch_one_as_models(
        (ApiToken, "t"),
        (User, "u"),
        joined=f"{ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
        " WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active",
        params=[_hash(key)],
    )
    if found is None:
        return None
    token, user = found
    assert isinstance(token, ApiToken) and isinstance(user, User)
    ApiToken.user.field.set_cached_value(token, user)
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenExpired
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
