"""The notice PDF, read back with poppler's pdftotext and pdffonts, in every language."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from notices.models import PartnerNotice
from notices.services.notices import notice_create, notice_render, token_digest
from notices.wording import LANGUAGES, TEXT
from optout.services.blobs import blob_open
from tests.notices.conftest import World, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


_PAGE_FOOTER = re.compile(r"^\s*\d+ ?/ ?\d+\s*$", re.MULTILINE)
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")
_LAM_LIGATURE = re.compile("\u0644([\u0627\u0623\u0625\u0622\u0649])")


def _squash(text: str, *, hyphens: bool = True) -> str:
    """pdftotext breaks lines where the layout did (putting the page counter between lines,
    dropping a hyphen at a break): compare without whitespace and page footers, and for
    running text without hyphens."""
    text = _BIDI_CONTROLS.sub("", _PAGE_FOOTER.sub("", text))
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return text if hyphens else text.replace("-", "")


def _arabic_words(text: str) -> list[str]:
    """Expected Arabic words as pdftotext writes them: without vowel marks, and with each
    lam-alef ligature in the order its glyph's two letters are stored (alef first)."""
    text = _LAM_LIGATURE.sub(lambda m: m.group(1) + "\u0644", _ARABIC_MARKS.sub("", text))
    words = [w.strip("،؟.:()") for w in text.split()]
    return [w for w in words if w and not w.startswith("{")]


def _assert_wording(words: str, text: str, language: str) -> None:
    if language != "ar":
        assert _squash(words, hyphens=False) in _squash(text, hyphens=False)
        return
    # Right-to-left lines come out in visual order; each word must still be there.
    plain = _ARABIC_MARKS.sub("", text)
    for word in _arabic_words(words):
        assert word in plain, word


@pytest.mark.parametrize("language", [lang.code for lang in LANGUAGES])
def test_every_language_carries_everything_the_notice_says(
    world: World, tmp_path: Path, language: str
) -> None:
    notice = notice_create(
        label=world.label,
        partner=world.partner,
        scope=PartnerNotice.Scope.CATALOG,
        language=language,
        actor=world.team.rights,
    )
    notice = notice_render(notice=notice, actor=world.team.rights)
    assert notice.pdf is not None
    with blob_open(notice.pdf) as handle:
        pdf = handle.read()
    text = _squash(pdf_text(pdf, tmp_path))
    words = TEXT[language]
    assert _squash(world.partner.name) in text
    for recording in world.recordings:
        assert recording.isrc in text
    for release in world.releases:
        assert _squash(release.upc_display) in text
    # The reservation statement quoted from the label's terms, word for word.
    assert notice.terms_text
    assert _squash(notice.terms_text, hyphens=False) in _squash(text, hyphens=False)
    assert notice.deadline.isoformat() in text
    for key in ("title", "reservation", "q_ai_training", "q_sublicensing", "q_datasets"):
        _assert_wording(words[key], text, language)
    _assert_wording(words["q_signals"], text, language)
    # The response link is in the letter; only its hash is in the database.
    match = re.search(r"/n/([A-Za-z0-9_-]{43})/", text)
    assert match is not None
    assert notice.token_sha256 == token_digest(match.group(1))
    assert match.group(1) not in str(PartnerNotice.objects.unscoped().values().get(pk=notice.pk))

    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and all(f["emb"] == "yes" for f in fonts)
    names = " ".join(f["name"] for f in fonts)
    if language in {"ja", "ko", "zh-Hans"}:
        assert "Noto-Sans-CJK" in names
    if language == "ar":
        assert "Arabic" in names


def test_arabic_notice_is_right_to_left(world: World) -> None:
    from notices.services.notices import notice_html

    notice = notice_create(
        label=world.label, partner=world.partner, scope="catalog", language="ar", actor=None
    )
    assert '<html lang="ar" dir="rtl">' in notice_html(notice=notice, token="t")
