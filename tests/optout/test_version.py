"""Which Optout made a record: the package version and the git commit."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path
from typing import Any

from optout.lib.version import optout_commit, optout_version, optout_version_text
from tests.optout.test_settings import _run

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_the_projects_and_the_commit_is_the_checkouts(settings: Any) -> None:
    settings.OPTOUT_COMMIT = ""
    with open(ROOT / "pyproject.toml", "rb") as handle:
        assert optout_version() == tomllib.load(handle)["project"]["version"]
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert optout_commit() == head
    assert optout_version_text() == f"{optout_version()} (commit {head})"


def test_the_deployment_names_the_commit(settings: Any) -> None:
    settings.OPTOUT_COMMIT = "0123456789abcdef0123456789abcdef01234567"
    assert optout_commit() == settings.OPTOUT_COMMIT
    assert "unknown" not in optout_version_text()


def test_a_commit_that_is_not_a_hash_stops_the_start_up(tmp_path: Path) -> None:
    env = {"DJANGO_DEBUG": "true", "OPTOUT_DATA_DIR": str(tmp_path), "OPTOUT_COMMIT": "main; rm"}
    result = _run(env, "check")
    assert result.returncode != 0 and "OPTOUT_COMMIT" in result.stderr
