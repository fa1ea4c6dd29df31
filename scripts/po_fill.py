"""Fill empty Swedish msgstr entries of a catalogue from a Python dict of translations.

Usage: python scripts/po_fill.py locale/sv/LC_MESSAGES/django.po translations.py
(translations.py defines SV = {msgid: msgstr}). Entries already translated are kept.
"""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path


def _unquote(text: str) -> str:
    return text[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(po_path: str, translations_path: str) -> int:
    table: dict[str, str] = runpy.run_path(translations_path)["SV"]
    po = Path(po_path)
    subprocess.run(["msgcat", "--no-wrap", "-o", str(po), str(po)], check=True)
    lines = po.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    filled = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        if line.startswith("msgid ") and i + 1 < len(lines) and lines[i + 1] == 'msgstr ""':
            msgid = _unquote(line[len("msgid ") :])
            following = lines[i + 2] if i + 2 < len(lines) else ""
            if msgid and msgid in table and not following.startswith('"'):
                out.append(f"msgstr {_quote(table[msgid])}")
                filled += 1
                i += 2
                continue
        i += 1
    po.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{filled} entries filled")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
