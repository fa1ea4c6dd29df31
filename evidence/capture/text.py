"""The readable text of a captured page, and a line diff between two captures.

The text is what a reader sees, one block (paragraph, heading, list item, cell) per line,
so a diff of two captures of a terms page shows the clauses that changed and nothing of
the markup, scripts or styles around them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Final

from lxml import etree, html

MAX_TEXT_CHARS: Final = 1_000_000
"""Text beyond this is cut (a terms page is a few tens of kilobytes)."""
MAX_DIFF_LINES: Final = 5000

_SKIP: Final = frozenset(
    {"script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "head"}
)
_BLOCK: Final = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "title", "body", "html",
        "option", "caption",
    }
)  # fmt: skip
_BREAKS = re.compile(r"[\r\n]+")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def _html_root(data: bytes, charset: str | None) -> html.HtmlElement | None:
    if not data.strip():
        return None
    parser = html.HTMLParser(encoding=charset or None, remove_comments=True, no_network=True)
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError, LookupError):
        try:
            root = html.document_fromstring(data.decode("utf-8", errors="replace"))
        except (etree.ParserError, ValueError):
            return None
    return root


def page_title(data: bytes, charset: str | None = None) -> str:
    root = _html_root(data, charset)
    if root is None:
        return ""
    titles = root.xpath("//title")
    if not titles:
        return ""
    return _SPACES.sub(" ", titles[0].text_content()).strip()[:500]


def readable_text(data: bytes, charset: str | None = None) -> str:
    """One line per block of visible text, whitespace collapsed, blank lines dropped."""
    root = _html_root(data, charset)
    if root is None:
        return ""
    parts: list[str] = []

    def inline(text: str, pre: bool) -> str:
        # Line breaks in the source are spaces to a reader, except in <pre>.
        return text if pre else _BREAKS.sub(" ", text)

    def walk(element: etree._Element, pre: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP:
            if element.tail:
                parts.append(inline(element.tail, pre))
            return
        block = tag in _BLOCK
        inner_pre = pre or tag == "pre"
        if block:
            parts.append("\n")
        if element.text:
            parts.append(inline(element.text, inner_pre))
        for child in element:
            walk(child, inner_pre)
        if block:
            parts.append("\n")
        if element.tail:
            parts.append(inline(element.tail, pre))

    body = root.find("body")
    walk(body if body is not None else root, False)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).splitlines())
    text = "\n".join(line for line in lines if line)
    return text[:MAX_TEXT_CHARS]


def plain_text(data: bytes, charset: str | None = None) -> str:
    """Text of a plain-text response, normalised like ``readable_text``."""
    text = data.decode(charset or "utf-8", errors="replace")
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)[:MAX_TEXT_CHARS]


@dataclass(frozen=True)
class TextDiff:
    lines: list[str]
    """A unified diff, without line endings; empty when the texts are equal."""
    added: int
    removed: int
    truncated: bool = False

    @property
    def changed(self) -> bool:
        return self.added > 0 or self.removed > 0


def text_diff(old: str, new: str, *, old_name: str, new_name: str) -> TextDiff:
    old_lines = old.splitlines()
    new_lines = new.splitlines()
    lines = list(
        difflib.unified_diff(
            old_lines, new_lines, fromfile=old_name, tofile=new_name, lineterm="", n=2
        )
    )
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    truncated = len(lines) > MAX_DIFF_LINES
    return TextDiff(lines=lines[:MAX_DIFF_LINES], added=added, removed=removed, truncated=truncated)
