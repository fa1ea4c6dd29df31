"""Fill Swedish translations into a catalogue from a Python dict.

Usage: python scripts/po_fill.py locale/sv/LC_MESSAGES/django.po translations.py
(translations.py defines SV = {msgid: msgstr}). Empty entries are filled; fuzzy entries
(makemessages' guesses from similar strings) whose msgid is in the table are replaced and lose
their fuzzy mark. Translated entries are kept.
"""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path


def _unquote(text: str) -> str:
    return text[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _fill(block: str, table: dict[str, str]) -> tuple[str, bool]:
    match = re.search(r'^msgid (".*")$', block, re.M)
    if not match or "msgid_plural" in block:
        return block, False
    msgid = _unquote(match.group(1))
    fuzzy = re.search(r"^#,.*\bfuzzy\b", block, re.M) is not None
    empty = re.search(r'^msgstr ""$', block, re.M) is not None and not re.search(
        r'^msgstr ""\n"', block, re.M
    )
    if not msgid or msgid not in table or not (fuzzy or empty):
        return block, False
    lines = [line for line in block.split("\n") if not line.startswith("#|")]
    kept = []
    for line in lines:
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() != "fuzzy"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        kept.append(line)
    text = "\n".join(kept)
    text = re.sub(
        r"^msgstr .*$",
        "msgstr " + _quote(table[msgid]).replace("\\", "\\\\"),
        text,
        count=1,
        flags=re.M,
    )
    return text, True


def main(po_path: str, translations_path: str) -> int:
    table: dict[str, str] = runpy.run_path(translations_path)["SV"]
    po = Path(po_path)
    subprocess.run(["msgcat", "--no-wrap", "-o", str(po), str(po)], check=True)
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    filled = 0
    for index, block in enumerate(blocks):
        blocks[index], changed = _fill(block, table)
        filled += changed
    po.write_text("\n\n".join(blocks), encoding="utf-8")
    print(f"{filled} entries filled")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
