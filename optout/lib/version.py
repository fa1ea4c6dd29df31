"""Which Optout this is: the package version and, when known, the git commit.

Captures, packets and signed files name the software that made them, so a reader can tell
which code wrote a record. The commit comes from ``OPTOUT_COMMIT`` (set by the deployment,
whose image carries no git checkout) or, in a git checkout, from ``git rev-parse HEAD``;
both are read once per process.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tomllib
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings

_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")


@functools.cache
def optout_version() -> str:
    """The package version: installed metadata, else ``pyproject.toml`` beside the code."""
    try:
        return version("optout")
    except PackageNotFoundError:
        pass
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def optout_commit() -> str:
    """The git commit (hex), or "" when neither the deployment nor a checkout says."""
    return str(settings.OPTOUT_COMMIT) or _checkout_commit()


@functools.cache
def _checkout_commit() -> str:
    git = shutil.which("git")
    if git is None or not (settings.BASE_DIR / ".git").exists():
        return ""
    try:
        done = subprocess.run(  # noqa: S603 - a fixed command on our own tree
            [git, "rev-parse", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and _COMMIT.match(commit) else ""


def optout_version_text() -> str:
    """``0.1.0`` or ``0.1.0 (commit 0123abcd…)``, for a line that names the software."""
    commit = optout_commit()
    return f"{optout_version()} (commit {commit})" if commit else optout_version()
