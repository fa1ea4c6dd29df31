"""Readable text and its diff: what a reader sees, one block per line."""

from __future__ import annotations

from evidence.capture.text import page_title, readable_text, text_diff


def test_it_keeps_visible_text_one_block_per_line() -> None:
    page = (
        b"<html><head><title> Our  terms </title><style>p{}</style></head><body>"
        b"<script>var x = 'hidden';</script><h1>Terms</h1><p>No <b>AI</b>\n training.</p>"
        b"<ul><li>One</li><li>Two</li></ul><noscript>hidden too</noscript><!-- comment -->"
        b"</body></html>"
    )
    assert readable_text(page) == "Terms\nNo AI training.\nOne\nTwo"
    assert page_title(page) == "Our terms"


def test_it_reads_the_declared_charset() -> None:
    page = "<p>Villkor för AI-träning</p>".encode("iso-8859-1")
    assert readable_text(page, "iso-8859-1") == "Villkor för AI-träning"


def test_it_counts_added_and_removed_lines() -> None:
    diff = text_diff("a\nb\nc", "a\nB\nc\nd", old_name="old", new_name="new")
    assert (diff.added, diff.removed, diff.changed) == (2, 1, True)
    assert "-b" in diff.lines and "+B" in diff.lines and "+d" in diff.lines
    assert not text_diff("a", "a", old_name="x", new_name="y").changed
