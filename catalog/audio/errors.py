"""The one exception of the audio library: :class:`BadAudio`.

It is raised for every file that cannot be read, probed or tagged, whatever went wrong:
a damaged structure, an unsupported kind of file, a parser that crashed, ran out of time or
memory in its sandbox. ``code`` is stable and meant for programs; ``reason`` is a sentence
for the user (translated when Django is configured); ``detail`` carries the technical cause
for logs and is never shown to users.

This module imports nothing from Django, so the sandboxed parser can raise the same class.
"""

from __future__ import annotations

from collections.abc import Mapping

Param = str | int


class BadAudio(Exception):
    """A file the audio library cannot accept, with a reason a user can read."""

    def __init__(
        self,
        code: str,
        reason: str | None = None,
        *,
        params: Mapping[str, Param] | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, Param] = dict(params or {})
        self.detail = detail
        self._reason = reason

    @property
    def reason(self) -> str:
        if self._reason is not None:
            return self._reason
        from catalog.audio.messages import render

        return render(self.code, self.params)

    def __str__(self) -> str:
        return self.reason

    def __repr__(self) -> str:
        return f"BadAudio({self.code!r}, params={self.params!r}, detail={self.detail!r})"

    def as_dict(self) -> dict[str, object]:
        """A JSON-safe form (no floats) for job errors and ledger entries."""
        return {"code": self.code, "params": dict(self.params), "reason": self.reason}


def damaged(fmt: str, detail: str = "") -> BadAudio:
    return BadAudio("damaged", params={"format": fmt}, detail=detail)
