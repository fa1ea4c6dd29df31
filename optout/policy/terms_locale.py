"""The words terms texts are generated with, per terms language.

A terms text is the label's own legal text in the language of a market, whatever language
the person editing it reads the interface in; so these words are data, not UI strings for
gettext. Each market's statutory hook is named in its own legal terms.
"""

from __future__ import annotations

from django.db import models

from optout.policy.compilers.vocab import Use


class TermsLanguage(models.TextChoices):
    EN = "en", "English"
    SV = "sv", "Svenska"
    ES = "es", "Español"
    PT_BR = "pt-BR", "Português (Brasil)"
    DE = "de", "Deutsch"


USE_NAMES: dict[str, dict[Use, str]] = {
    "en": {
        Use.AI_TRAIN: "training of artificial intelligence or machine-learning models",
        Use.GENAI_TRAIN: "training of generative AI models",
        Use.TDM: "text and data mining",
        Use.AI_INPUT: "use as input to AI systems (retrieval-augmented generation, grounding "
        "and inference)",
        Use.SEARCH: "indexing by search engines",
        Use.VOICE: "modelling of the performers' voices or likenesses and the creation of "
        "synthetic imitations of them",
        Use.DATASET_RESALE: "compiling the content into datasets and selling or sublicensing them",
    },
    "sv": {
        Use.AI_TRAIN: "träning av modeller för artificiell intelligens eller maskininlärning",
        Use.GENAI_TRAIN: "träning av generativa AI-modeller",
        Use.TDM: "text- och datautvinning",
        Use.AI_INPUT: "användning som indata till AI-system (hämtningsförstärkt generering, "
        "förankring och inferens)",
        Use.SEARCH: "indexering av sökmotorer",
        Use.VOICE: "modellering av de medverkandes röster eller utseende och framställning av "
        "syntetiska imitationer av dem",
        Use.DATASET_RESALE: "sammanställning av innehållet till dataset och försäljning eller "
        "underlicensiering av dessa",
    },
    "es": {
        Use.AI_TRAIN: "el entrenamiento de modelos de inteligencia artificial o de aprendizaje "
        "automático",
        Use.GENAI_TRAIN: "el entrenamiento de modelos de IA generativa",
        Use.TDM: "la minería de textos y datos",
        Use.AI_INPUT: "su uso como datos de entrada de sistemas de IA (generación aumentada por "
        "recuperación, anclaje e inferencia)",
        Use.SEARCH: "la indexación por motores de búsqueda",
        Use.VOICE: "la modelización de las voces o la imagen de los intérpretes y la creación de "
        "imitaciones sintéticas de ellos",
        Use.DATASET_RESALE: "la compilación del contenido en conjuntos de datos y su venta o "
        "sublicencia",
    },
    "pt-BR": {
        Use.AI_TRAIN: "o treinamento de modelos de inteligência artificial ou de aprendizado de "
        "máquina",
        Use.GENAI_TRAIN: "o treinamento de modelos de IA generativa",
        Use.TDM: "a mineração de textos e dados",
        Use.AI_INPUT: "o uso como entrada de sistemas de IA (geração aumentada por recuperação, "
        "ancoragem e inferência)",
        Use.SEARCH: "a indexação por mecanismos de busca",
        Use.VOICE: "a modelagem da voz ou da imagem dos intérpretes e a criação de imitações "
        "sintéticas deles",
        Use.DATASET_RESALE: "a compilação do conteúdo em conjuntos de dados e sua venda ou "
        "sublicenciamento",
    },
    "de": {
        Use.AI_TRAIN: "das Training von Modellen der künstlichen Intelligenz oder des "
        "maschinellen Lernens",
        Use.GENAI_TRAIN: "das Training generativer KI-Modelle",
        Use.TDM: "Text und Data Mining",
        Use.AI_INPUT: "die Nutzung als Eingabe für KI-Systeme (Retrieval-Augmented Generation, "
        "Grounding und Inferenz)",
        Use.SEARCH: "die Indexierung durch Suchmaschinen",
        Use.VOICE: "die Modellierung der Stimmen oder des Erscheinungsbilds der Mitwirkenden und "
        "die Erzeugung synthetischer Nachahmungen",
        Use.DATASET_RESALE: "die Zusammenstellung der Inhalte zu Datensätzen und deren Verkauf "
        "oder Unterlizenzierung",
    },
}

_AND = {"en": "and", "sv": "och", "es": "y", "pt-BR": "e", "de": "und"}

# The statutory basis of an express reservation, in the market's own terms, as the phrase
# "an express reservation of rights <basis>" continues in each language.
LEGAL_BASIS = {
    "en": "under Article 4(3) of Directive (EU) 2019/790 on copyright in the Digital Single "
    "Market, the national laws implementing it, and every comparable provision elsewhere",
    "sv": "enligt 15 a § lagen (1960:729) om upphovsrätt till litterära och konstnärliga verk, "
    "även i förening med 45 och 46 §§ för framföranden och ljudupptagningar, som genomför "
    "artikel 4.3 i direktiv (EU) 2019/790",
    "es": "conforme al artículo 67 del Real Decreto-ley 24/2021, de 2 de noviembre, que "
    "incorpora el artículo 4.3 de la Directiva (UE) 2019/790, y a toda disposición "
    "equivalente de otros países",
    "pt-BR": "nos termos dos artigos 29 e 93 da Lei nº 9.610/1998 (Lei de Direitos Autorais), "
    "que exigem autorização prévia e expressa para qualquer modalidade de utilização, "
    "do artigo 4.º, n.º 3, da Diretiva (UE) 2019/790 e de toda disposição equivalente",
    "de": "nach § 44b Abs. 3 UrhG (auch in Verbindung mit §§ 83 und 85 Abs. 4 UrhG), Art. 4 "
    "Abs. 3 der Richtlinie (EU) 2019/790 und allen vergleichbaren Vorschriften anderer "
    "Rechtsordnungen",
}


def join_uses(language: str, uses: list[Use]) -> str:
    names = [USE_NAMES[language][u] for u in uses]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {_AND[language]} {names[-1]}"


# The line under a public terms page, in the page's language.
APPROVED_NOTE = {
    "en": "Version %(n)s, approved on %(date)s.",
    "sv": "Version %(n)s, godkänd %(date)s.",
    "es": "Versión %(n)s, aprobada el %(date)s.",
    "pt-BR": "Versão %(n)s, aprovada em %(date)s.",
    "de": "Fassung %(n)s, freigegeben am %(date)s.",
}
GENERATED_NOTE = {
    "en": "Generated from reservation policy version %(n)s, in force since %(date)s.",
    "sv": "Genererad från förbehållspolicy version %(n)s, som gäller sedan %(date)s.",
    "es": "Generado a partir de la política de reserva, versión %(n)s, vigente desde el %(date)s.",
    "pt-BR": "Gerado a partir da política de reserva, versão %(n)s, vigente desde %(date)s.",
    "de": "Erstellt aus dem Nutzungsvorbehalt, Fassung %(n)s, gültig seit %(date)s.",
}
