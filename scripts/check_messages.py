"""Fails when a string marked for translation has no Swedish translation.

Runs makemessages on a scratch copy of the tree (so the working tree is not touched) and
lists every entry of the fresh catalogue that is untranslated or fuzzy.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(
    ".venv",
    "var",
    ".git",
    "staticfiles",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    "bench",
    "node_modules",
)


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "tree"
        shutil.copytree(ROOT, copy, ignore=IGNORE)
        env = {"DJANGO_DEBUG": "true", "PATH": "/usr/bin:/bin", "OPTOUT_DATA_DIR": scratch}
        for domain, extra in (("django", []), ("djangojs", ["--ignore=static/js/htmx.min.js"])):
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "--locale=sv",
                    f"--domain={domain}",
                    "--ignore=var",
                    "--no-obsolete",
                    "--verbosity=0",
                    *extra,
                ],
                cwd=copy,
                env=env,
                check=True,
            )
        problems = []
        for po in sorted((copy / "locale").rglob("*.po")):
            for flag in ("--untranslated", "--only-fuzzy"):
                out = subprocess.run(
                    ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(po)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                ids = [
                    line[len("msgid ") :]
                    for line in out.splitlines()
                    if line.startswith("msgid ") and line != 'msgid ""'
                ]
                problems += [f"{po.relative_to(copy)}: {flag[2:]}: {i}" for i in ids]
        if problems:
            print(
                "Strings without a Swedish translation (run `make makemessages`, then translate):"
            )
            print("\n".join(problems))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
