from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.db.backends.postgresql.operations import DatabaseOperations as PgOperations
from django.test import Client, override_settings
from django.utils import translation

from optout.models import Label, Membership, User
from optout.roles import Role
from optout.services.labels import label_create, membership_add
from optout.services.tokens import token_create
from tests import job_kinds  # noqa: F401  (test-only job kinds, see tests/job_kinds.py)
from tests.servers import (  # noqa: F401  (fixtures for every test module)
    fake_dns,
    fetch_settings,
    http_server,
    https_server,
    loopback_ca,
)

pytest_plugins = ["tests.workers", "tests.matrix._world"]

PASSWORD = "correct-horse-battery-staple"

# --- Flushing past the ledger's TRUNCATE guard --------------------------------------------
# ``django_db(transaction=True)`` tests end with a flush, one TRUNCATE of every table; the
# ledger tables refuse TRUNCATE (optout/migrations/0007), so the flush lifts their guard for
# its own transaction only. Tests run as the tables' owner, which production's app is not.

_GUARDED = ("optout_ledgerentry", "optout_ledgeranchor")
# Reference data that migrations seed and only migrations change: a flush keeps it, so a
# test after a transactional one still finds the territory map.
_SEEDED = ("policy_territory",)
_sql_flush = PgOperations.sql_flush


def _sql_flush_past_guard(
    self: PgOperations,
    style: Any,
    tables: Any,
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    tables = [table for table in tables if table not in _SEEDED]
    statements = _sql_flush(
        self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
    )
    guarded = [table for table in _GUARDED if table in tables]
    if not statements or not guarded:
        return statements
    return [
        *(f"ALTER TABLE {t} DISABLE TRIGGER {t}_no_truncate;" for t in guarded),
        *statements,
        *(f"ALTER TABLE {t} ENABLE TRIGGER {t}_no_truncate;" for t in guarded),
    ]


PgOperations.sql_flush = _sql_flush_past_guard  # type: ignore[method-assign,assignment]

# --- Network tripwire ----------------------------------------------------------------------

_LOOPBACK = ("127.", "::1", "localhost", "0:0:0:0:0:0:0:1")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        return host.startswith(_LOOPBACK) or host.startswith("::ffff:127.")
    return isinstance(address, str | bytes)  # AF_UNIX paths are local


class NetworkTripwire(AssertionError):
    pass


@dataclass
class Tripwire:
    """What the tests tried to connect to: every IPv4/IPv6 destination, and the refused
    ones (outside loopback), in order."""

    attempts: list[Any] = field(default_factory=list)
    refused: list[Any] = field(default_factory=list)

    def check(self, family: int, address: Any) -> None:
        if family not in (socket.AF_INET, socket.AF_INET6):
            return
        self.attempts.append(address)
        if not _is_loopback(address):
            self.refused.append(address)
            raise NetworkTripwire(f"Test tried to connect outside loopback: {address!r}")


@pytest.fixture(autouse=True)
def _network_tripwire(monkeypatch: pytest.MonkeyPatch) -> Tripwire:
    """Refuse any connection that leaves the machine: a broken guard fails, it never leaks."""
    wire = Tripwire()

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        wire.check(self.family, address)
        return _real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        wire.check(self.family, address)
        return _real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    return wire


@pytest.fixture
def tripwire(_network_tripwire: Tripwire) -> Tripwire:
    """The autouse tripwire, for tests that assert on the connections attempted."""
    return _network_tripwire


# --- Storage and cache ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "allow_overwrite": True},
        },
    }
    return media


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # The locale middleware activates the language a request asked for and leaves it active
    # in the thread; the next test in the same process must start from the default.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    # Rate limits live in the real (Redis) cache; one test's failed logins must not block
    # the next test.
    cache.clear()
    yield


@contextmanager
def rolled_back(django_db_blocker: Any, media: Path) -> Iterator[None]:
    """Rows and files made once for many tests (a module-scoped fixture): the rows live in
    a transaction rolled back when the block ends, the files under ``media``. Tests that
    run inside the block see the rows; each still has its own savepoint."""
    storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": media, "allow_overwrite": True},
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media, STORAGES={**django_settings.STORAGES, "default": storage}
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cache.clear()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- People and labels ---------------------------------------------------------------------


def make_user(email: str, *, name: str = "") -> User:
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(email=email, password=PASSWORD, name=name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


@dataclass
class Team:
    """Label A with one member per role, and label B with its own owner (the outsider)."""

    label: Label
    other_label: Label
    owner: User
    rights: User
    a_r: User
    counsel: User
    viewer: User
    outsider: User
    members: dict[str, User] = field(default_factory=dict)

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def user_for(self, role: str) -> User:
        return self.members[role]


@pytest.fixture
def team(db: Any) -> Team:
    return build_team()


def build_team() -> Team:
    owner = make_user("alice@label-a.test", name="Alice Owner")
    outsider = make_user("charlie@label-b.test", name="Charlie Outsider")
    # The MFA rule has its own tests (tests/optout/test_mfa.py); these labels leave it off so
    # every other test exercises its feature, not the second factor.
    label = label_create(
        slug="label-a", name="Label A", owner=owner, actor=owner, require_mfa=False
    )
    other = label_create(
        slug="label-b", name="Label B", owner=outsider, actor=outsider, require_mfa=False
    )
    members = {Role.OWNER.value: owner}
    for role in (Role.RIGHTS, Role.A_R, Role.COUNSEL, Role.VIEWER):
        user = make_user(f"{role.value.replace('_', '')}@label-a.test", name=f"{role.label} A")
        membership_add(label=label, user=user, role=role, actor=owner)
        members[role.value] = user
    return Team(
        label=label,
        other_label=other,
        owner=owner,
        rights=members["rights"],
        a_r=members["a_r"],
        counsel=members["counsel"],
        viewer=members["viewer"],
        outsider=outsider,
        members=members,
    )


@pytest.fixture
def owner_client(team: Team) -> Client:
    return team.client_for(team.owner)


@pytest.fixture
def api_token(team: Team) -> str:
    _token, key = token_create(user=team.owner, name="tests")
    return key


def role_of(user: User, label: Label) -> str | None:
    m = Membership.objects.filter(user=user, label=label).first()
    return m.role if m else None


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if os.environ.get("OPTOUT_LONG_TESTS"):
        return
    skip = pytest.mark.skip(reason="long test: run with `make long-tests`")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)
