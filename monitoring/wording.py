"""Finding wording about AI training in lines of a terms page, in each terms language.

The word lists are data (``monitoring/data/ai_wording.json``): extending them needs no code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "ai_wording.json"


@dataclass(frozen=True)
class WordingHit:
    language: str
    topic: str
    term: str


def _pattern(term: str) -> re.Pattern[str]:
    prefix = term.endswith("*")
    words = term.rstrip("*")
    # "*" inside a phrase (e.g. "red* neuronal*") lets each word take an ending.
    body = r"\w*".join(re.escape(part) for part in words.split("*"))
    body = body.replace(r"\ ", r"\s+")
    tail = r"\w*" if prefix else r"(?!\w)"
    if len(words) <= 3 and words.isupper():
        return re.compile(rf"(?<!\w){body}(?!\w)")
    return re.compile(rf"(?<!\w){body}{tail}", re.IGNORECASE)


@cache
def wording_patterns() -> dict[str, list[tuple[str, str, re.Pattern[str]]]]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {
        language: [
            (topic, term, _pattern(term)) for topic, terms in topics.items() for term in terms
        ]
        for language, topics in data.items()
        if not language.startswith("_")
    }


def wording_languages() -> list[str]:
    return sorted(wording_patterns())


def ai_wording(line: str, *, languages: list[str]) -> list[WordingHit]:
    """The terms about AI training that ``line`` holds, in the given languages (first hit
    per topic and language)."""
    hits: list[WordingHit] = []
    patterns = wording_patterns()
    for language in languages:
        seen: set[str] = set()
        for topic, term, pattern in patterns.get(language, []):
            if topic not in seen and pattern.search(line):
                seen.add(topic)
                hits.append(WordingHit(language=language, topic=topic, term=term))
    return hits
