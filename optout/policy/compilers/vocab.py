"""Our own vocabulary: the uses a label reserves, its stance on each, crawler purposes.

This is the canonical model. Every external vocabulary (IETF AI Preferences, Content
Signals, TDMRep, RSL, CAWG) is a mapping *from* it, so a change in a standard is a new
mapping, never a change to stored policies.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Use(StrEnum):
    AI_TRAIN = "ai_train"
    """Training or fine-tuning any AI/ML model."""
    GENAI_TRAIN = "genai_train"
    """Training models that generate music, audio, text or images."""
    TDM = "tdm"
    """Text and data mining (Art. 2(2) and 4 of Directive (EU) 2019/790)."""
    AI_INPUT = "ai_input"
    """Real-time input to AI answers: retrieval-augmented generation, grounding, inference."""
    SEARCH = "search"
    """Building a search index and showing links and short excerpts."""
    VOICE = "voice_likeness"
    """Modelling a voice or likeness and making synthetic imitations of performers."""
    DATASET_RESALE = "dataset_resale"
    """Compiling the works into datasets and reselling or sublicensing them."""


AI_USES: tuple[Use, ...] = tuple(u for u in Use if u is not Use.SEARCH)
TRAINING_USES: tuple[Use, ...] = (Use.AI_TRAIN, Use.GENAI_TRAIN)


class Stance(StrEnum):
    ALLOWED = "allowed"
    RESERVED = "reserved"
    LICENSABLE = "licensable"
    """Reserved, with a licence available on request from the licensing contact."""

    @property
    def restricts(self) -> bool:
        return self is not Stance.ALLOWED


def strictest(stances: Iterable[Stance]) -> Stance:
    """One stance for several of our uses mapped to one external term.

    Any reservation wins (as in AIPREF's "any disallow" combining rule); a licensable use
    is still reserved, so RESERVED beats LICENSABLE beats ALLOWED.
    """
    found = set(stances)
    for stance in (Stance.RESERVED, Stance.LICENSABLE):
        if stance in found:
            return stance
    return Stance.ALLOWED


class Purpose(StrEnum):
    """What a crawler collects pages for (our classification of the agent list)."""

    TRAINING = "training"
    """Collects pages to train models or to build datasets sold for AI."""
    CONTROL = "control"
    """A control token with no crawler of its own (Google-Extended, Applebot-Extended)."""
    AI_SEARCH = "ai_search"
    """Indexes pages for AI search and AI answers."""
    USER_FETCH = "user_fetch"
    """Fetches a page when a person asks an AI assistant or agent to."""
    SEARCH = "search"
    """An ordinary search engine."""


# Which of our uses each crawler purpose serves: blocking the purpose is how robots.txt
# and the web-server snippets enforce a reservation of these uses.
PURPOSE_USES: dict[Purpose, tuple[Use, ...]] = {
    Purpose.TRAINING: (Use.AI_TRAIN, Use.GENAI_TRAIN, Use.TDM, Use.DATASET_RESALE),
    Purpose.CONTROL: (Use.AI_TRAIN, Use.GENAI_TRAIN),
    Purpose.AI_SEARCH: (Use.AI_INPUT,),
    Purpose.USER_FETCH: (Use.AI_INPUT,),
    Purpose.SEARCH: (Use.SEARCH,),
}


def suggested_blocked_purposes(stances: dict[Use, Stance]) -> frozenset[Purpose]:
    """The crawler purposes a policy with these stances would normally block.

    Ordinary search engines are blocked only when search itself is reserved; everything
    else is blocked when any use it serves is reserved or licensable.
    """
    blocked = set()
    for purpose, uses in PURPOSE_USES.items():
        if any(stances.get(u, Stance.ALLOWED).restricts for u in uses):
            blocked.add(purpose)
    return frozenset(blocked)
