"""Receivers for allauth's two-factor signals: each only calls a service."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals

from optout.services.tokens import tokens_revoke_for_user


def _two_factor_changed(sender: Any, user: Any, **kwargs: Any) -> None:
    tokens_revoke_for_user(user=user)


def connect() -> None:
    # Removing an authenticator or regenerating recovery codes is what someone does after
    # losing a device: the API tokens made while it was trusted go with it.
    mfa_signals.authenticator_removed.connect(
        _two_factor_changed, dispatch_uid="optout-mfa-removed"
    )
    mfa_signals.authenticator_reset.connect(_two_factor_changed, dispatch_uid="optout-mfa-reset")
