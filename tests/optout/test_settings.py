"""Settings come from the environment; a bad value stops the start with a clear message."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from optout.lib.env import Env

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_SECRET_KEY": "Ki8s2-vP0q7LmN3x9Zb4Wc1Yt6Ud5Re8Fa0Hg2Jk4Ls6Mn8Pq0Rs2Tu4Vw6Xy8Za",
    "DJANGO_ALLOWED_HOSTS": "optout.label.example",
    "DATABASE_URL": "postgres://optout:secret@db:5432/optout",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "CACHE_URL": "redis://redis:6379/1",
    "OPTOUT_BASE_URL": "https://optout.label.example",
}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_values_pass_the_deployment_checklist(tmp_path: Path) -> None:
    env = {**PRODUCTION, "OPTOUT_DATA_DIR": str(tmp_path)}
    result = _run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG='maybe' is not a boolean"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT='twenty-five' is not an integer"),
        ("OPTOUT_STORAGE", "ftp", "OPTOUT_STORAGE='ftp' is not one of: local, s3"),
        ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL must be a postgres:// or sqlite:// URL"),
        ("CELERY_BROKER_URL", "amqp://guest@localhost//", "CELERY_BROKER_URL must be a redis://"),
        ("OPTOUT_JOB_MAX_ATTEMPTS", "0", "OPTOUT_JOB_MAX_ATTEMPTS=0 is below the minimum of 1"),
    ],
)
def test_a_bad_value_stops_the_start_with_its_name(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = {**PRODUCTION, "OPTOUT_DATA_DIR": str(tmp_path), variable: value}
    result = _run(env, "check")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = _run({**env, "OPTOUT_DATA_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_the_embedded_default_needs_no_services(tmp_path: Path) -> None:
    result = _run(
        {"DJANGO_DEBUG": "true", "OPTOUT_DATA_DIR": str(tmp_path)},
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'],"
        " s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.cache.backends.filebased.FileBasedCache",
    ]


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    assert Env({"X_FILE": str(secret)}).secret("X") == "from-a-file"
    with pytest.raises(ImproperlyConfigured, match="X_FILE"):
        Env({"X_FILE": str(tmp_path / "missing")}).secret("X")


def test_the_database_password_can_come_from_a_file(tmp_path: Path) -> None:
    # What docker-compose.yml does: the role in the URL, its password in a secret file.
    secret = tmp_path / "db_app_password"
    secret.write_text("s3cret\n")
    env = {
        "DJANGO_DEBUG": "true",
        "OPTOUT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://optout_app@db:5432/optout",
        "DATABASE_PASSWORD_FILE": str(secret),
    }
    code = "from django.conf import settings as s; d = s.DATABASES['default']; "
    code += "print(d['USER'], d['PASSWORD'], d['HOST'])"
    result = _run(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["optout_app", "s3cret", "db"]


@pytest.mark.parametrize("value", ["true", "True", "1", "yes", "on"])
def test_booleans_accept_the_usual_spellings(value: str) -> None:
    assert Env({"B": value}).flag("B", False) is True


def test_a_worker_starts_without_the_libraries_only_some_jobs_need(tmp_path: Path) -> None:
    # Every worker process would otherwise carry them (tens of MiB each, docs/masters.md).
    result = _run(
        {"DJANGO_DEBUG": "true", "OPTOUT_DATA_DIR": str(tmp_path)},
        "shell",
        "--no-imports",
        "-c",
        "import sys; from optout.celery import app; app.loader.import_default_modules();"
        " print(sorted(m for m in ('c2pa', 'rfc3161_client', 'warcio',"
        " 'weasyprint', 'playwright') if m in sys.modules))",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_env_example_lists_every_setting_read_from_the_environment() -> None:
    source = (ROOT / "optout" / "settings.py").read_text()
    read = set(re.findall(r"env\.\w+\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
    listed = set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert len(read) > 40
    assert read - listed == set()


_SIGNALS_SCRIPT = """
import datetime
from django.conf import settings
from optout.models import Label
from optout.policy.compilers.headers import compile_headers
from optout.policy.compilers.spec import LabelFacts, PolicySpec
from optout.policy.compilers.vocab import Stance, Use
from optout.policy.services.policy import public_base_url
label = Label(name="Acme", slug="acme")
facts = LabelFacts(name="Acme", slug="acme", public_base_url=public_base_url(label))
spec = PolicySpec(version=1, effective_date=datetime.date(2026, 1, 1),
    stances={u: Stance.RESERVED for u in Use}, blocked_purposes=frozenset())
print("BASE", settings.OPTOUT_BASE_URL)
print(compile_headers(spec, facts))
"""


def _base_and_headers(env: dict[str, str]) -> tuple[str, str]:
    result = _run(env, "shell", "-c", _SIGNALS_SCRIPT)
    assert result.returncode == 0, result.stderr
    _, _, printed = result.stdout.partition("BASE ")  # after the shell's own notice
    base, _, headers = printed.partition("\n")
    return base, headers


def test_the_base_url_follows_the_run_port(tmp_path: Path) -> None:
    # `make run` exports OPTOUT_RUN_PORT (scripts/run-dev); unset OPTOUT_BASE_URL follows it,
    # and so do the links every compiled signal publishes.
    env = {"DJANGO_DEBUG": "true", "OPTOUT_DATA_DIR": str(tmp_path), "OPTOUT_RUN_PORT": "8107"}
    base, headers = _base_and_headers(env)
    assert base == "http://127.0.0.1:8107"
    assert "tdm-policy: http://127.0.0.1:8107/s/acme/tdm-policy.json" in headers
    assert '<http://127.0.0.1:8107/s/acme/license.xml>; rel="license"' in headers
    assert ":8000" not in headers


def test_an_explicit_base_url_wins_over_the_run_port(tmp_path: Path) -> None:
    env = {
        "DJANGO_DEBUG": "true",
        "OPTOUT_DATA_DIR": str(tmp_path),
        "OPTOUT_RUN_PORT": "8107",
        "OPTOUT_BASE_URL": "https://optout.label.example/",
    }
    base, headers = _base_and_headers(env)
    assert base == "https://optout.label.example"
    assert "tdm-policy: https://optout.label.example/s/acme/tdm-policy.json" in headers
