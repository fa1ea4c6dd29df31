from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from catalog.audio import BadAudio, Note
from catalog.audio.messages import MESSAGES

PACKAGE = Path(__file__).resolve().parents[3] / "catalog" / "audio"


def test_every_code_the_package_raises_or_notes_has_a_sentence():
    source = "\n".join(p.read_text() for p in PACKAGE.glob("*.py") if p.name != "messages.py")
    used = set(re.findall(r'BadAudio\(\s*"([a-z_0-9]+)"', source))
    used |= set(re.findall(r'\[\(\s*"([a-z_0-9]+)",', source))  # [(code, params)] notes
    used |= set(re.findall(r'record\.(?:note|skip)\([^"\n)]*"([a-z_0-9]+)"', source))
    used |= set(re.findall(r'notes\.append\(\(\s*"([a-z_0-9]+)"', source))
    assert used, "the patterns found nothing"
    assert used <= set(MESSAGES), used - set(MESSAGES)


def test_reasons_are_translated_to_swedish():
    error = BadAudio("truncated", params={"format": "WAV", "declared": 100, "available": 10})
    with translation.override("sv"):
        assert error.reason == (
            "WAV-filen är avkortad: ljuddata ska vara 100 byte men bara 10 byte finns."
        )
        assert Note("id3_upgraded", {"version": 3}).message == (
            "Den befintliga ID3v2.3-taggen konverterades till ID3v2.4."
        )
    with translation.override("en"):
        assert BadAudio("empty").reason == "The file is empty."
