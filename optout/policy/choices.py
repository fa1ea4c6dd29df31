"""The compiler's vocabulary with translated names for forms, pages and the API."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.policy.compilers.vocab import Purpose, Stance, Use


class UseChoice(models.TextChoices):
    AI_TRAIN = Use.AI_TRAIN.value, _("AI model training")
    GENAI_TRAIN = Use.GENAI_TRAIN.value, _("Generative AI training")
    TDM = Use.TDM.value, _("Text and data mining")
    AI_INPUT = Use.AI_INPUT.value, _("AI input (RAG, grounding, inference)")
    SEARCH = Use.SEARCH.value, _("Search indexing")
    VOICE = Use.VOICE.value, _("Voice and likeness modelling, synthetic imitation")
    DATASET_RESALE = Use.DATASET_RESALE.value, _("Dataset resale and sublicensing")


class StanceChoice(models.TextChoices):
    ALLOWED = Stance.ALLOWED.value, _("Allowed")
    RESERVED = Stance.RESERVED.value, _("Reserved")
    LICENSABLE = Stance.LICENSABLE.value, _("Licensable on request")


class PurposeChoice(models.TextChoices):
    TRAINING = Purpose.TRAINING.value, _("AI training and dataset crawlers")
    CONTROL = Purpose.CONTROL.value, _("AI control tokens (Google-Extended, Applebot-Extended)")
    AI_SEARCH = Purpose.AI_SEARCH.value, _("AI search and answer crawlers")
    USER_FETCH = Purpose.USER_FETCH.value, _("AI assistants and agents acting for a user")
    SEARCH = Purpose.SEARCH.value, _("Search engines and link previews")


assert {c.value for c in UseChoice} == {u.value for u in Use}
assert {c.value for c in StanceChoice} == {s.value for s in Stance}
assert {c.value for c in PurposeChoice} == {p.value for p in Purpose}
