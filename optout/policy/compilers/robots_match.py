"""Whether a crawler may fetch a URL under a robots.txt: RFC 9309, read as Google reads it.

The audit asks this question of every live site it checks, so the answer has to be the one
crawlers give. Protego, our other reader, differs from RFC 9309 on lines it does not know
(they end its groups), on user-agent values with a space and on percent-encoding; this
reader follows Google's open-source parser instead and is checked against every case of its
test suite (``tests/policy/data/google-robotstxt``). What it does:

* The body is bytes; a UTF-8 byte order mark (or the start of one) is skipped, and a line
  ends at LF, CR or CRLF. A line is cut after 16,663 bytes, as Google cuts it.
* ``#`` starts a comment. A line is ``key: value``; without a colon, ``key value`` (two
  words) is accepted too. Keys are case-insensitive and matched by prefix, with the typos
  Google accepts (``useragent``, ``dissallow``, ...).
* A ``User-agent`` value is read as its product token: the leading run of letters, ``_``
  and ``-`` (``FooBot/2.1`` and ``Foo Bar`` are ``FooBot`` and ``Foo``), compared with the
  crawler's token case-insensitively. ``*`` (alone or before a space) is every crawler.
* Consecutive ``User-agent`` lines form one group; a rule line ends the run, so the next
  ``User-agent`` line starts a new group. Lines it does not know (``Sitemap``,
  ``Content-Usage``, typos) neither end a group nor belong to one. Every group naming the
  crawler applies, combined, as RFC 9309 §2.2.1 requires; the ``*`` groups apply only when
  none names it, even if the one that does has no rule.
* The longest matching pattern decides, ``Allow`` winning a tie; an empty ``Disallow``
  allows. Patterns match the path, parameters and query of the URL from its start; ``*``
  matches any run of characters and a final ``$`` the end. Non-ASCII bytes in a pattern
  are percent-encoded and ``%xx`` escapes upper-cased, so ``/ツ`` matches ``/%E3%83%84``;
  the URL is taken as it is (already encoded, as crawlers send it).
* Google-specific: ``Allow: /dir/index.htm(l)`` also allows ``/dir/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MAX_LINE_BYTES = 2083 * 8 - 1
_BOM = b"\xef\xbb\xbf"
_HEX = frozenset(b"0123456789abcdefABCDEF")
_TOKEN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_")
_SPACE = b" \t\n\v\f\r"

Kind = Literal["user-agent", "allow", "disallow", "sitemap", "other"]
_KEYS: tuple[tuple[Kind, tuple[bytes, ...]], ...] = (
    ("user-agent", (b"user-agent", b"useragent", b"user agent")),
    ("allow", (b"allow",)),
    ("disallow", (b"disallow", b"dissallow", b"dissalow", b"disalow", b"diasllow", b"disallaw")),
    ("sitemap", (b"sitemap", b"site-map")),
)


def product_token(text: str) -> str:
    """The part of a ``User-agent`` value RFC 9309 parsers compare: letters, ``_``, ``-``."""
    end = 0
    while end < len(text) and text[end].isascii() and ord(text[end]) in _TOKEN:
        end += 1
    return text[:end]


def is_product_token(text: str) -> bool:
    return bool(text) and product_token(text) == text


@dataclass(frozen=True)
class _Line:
    kind: Kind
    value: bytes


def _lines(body: bytes) -> list[bytes]:
    index = 0
    while index < len(_BOM) and index < len(body) and body[index] == _BOM[index]:
        index += 1
    lines: list[bytes] = []
    start = index
    last_was_cr = False
    for position in range(index, len(body)):
        char = body[position]
        if char not in (0x0A, 0x0D):
            continue
        # The LF of a CRLF ends no second (empty) line.
        if not (position == start and last_was_cr and char == 0x0A):
            lines.append(body[start:position][:MAX_LINE_BYTES])
        start = position + 1
        last_was_cr = char == 0x0D
    lines.append(body[start:][:MAX_LINE_BYTES])
    return lines


def _key_value(line: bytes) -> tuple[bytes, bytes] | None:
    line = line.split(b"#", 1)[0].split(b"\0", 1)[0].strip(_SPACE)
    key, colon, value = line.partition(b":")
    if not colon:
        # Google's leniency: "Disallow /x" (exactly two words) reads as "Disallow: /x".
        words = line.split()
        if len(words) != 2:
            return None
        key, value = words
    key = key.strip(_SPACE)
    if not key:
        return None
    return key, value.strip(_SPACE)


def _kind(key: bytes) -> Kind:
    lowered = key.lower()
    for kind, spellings in _KEYS:
        if lowered.startswith(spellings):
            return kind
    return "other"


def _escape_pattern(value: bytes) -> bytes:
    out = bytearray()
    index = 0
    while index < len(value):
        char = value[index]
        if char == 0x25 and index + 2 < len(value) and set(value[index + 1 : index + 3]) <= _HEX:
            out += value[index : index + 3].upper()
            index += 3
            continue
        if char >= 0x80:
            out += b"%%%02X" % char
        else:
            out.append(char)
        index += 1
    return bytes(out)


def _matches(path: bytes, pattern: bytes) -> bool:
    """Prefix match with ``*`` and a final ``$``; linear in the path for each pattern byte."""
    positions = [0]
    for index, char in enumerate(pattern):
        if char == 0x24 and index == len(pattern) - 1:
            return positions[-1] == len(path)
        if char == 0x2A:
            positions = list(range(positions[0], len(path) + 1))
            continue
        positions = [p + 1 for p in positions if p < len(path) and path[p] == char]
        if not positions:
            return False
    return True


def url_path(url: str) -> bytes:
    """Path, parameters and query of ``url`` (``/`` when it has none), without the fragment."""
    raw = url.encode("utf-8")
    search = 2 if raw.startswith(b"//") else 0
    early = _find_any(raw, b"/?;", search)
    scheme_end = raw.find(b"://", search)
    # A "://" after the first "/", "?" or ";" is inside the path, not after a scheme.
    has_scheme = scheme_end >= 0 and not 0 <= early < scheme_end
    after_scheme = scheme_end + 3 if has_scheme else search
    start = _find_any(raw, b"/?;", after_scheme)
    if start < 0:
        return b"/"
    fragment = raw.find(b"#", search)
    if 0 <= fragment < start:
        return b"/"
    path = raw[start : fragment if fragment >= 0 else len(raw)]
    return path if path.startswith(b"/") else b"/" + path


def _find_any(data: bytes, chars: bytes, start: int) -> int:
    hits = [i for i in (data.find(bytes([c]), start) for c in chars) if i >= 0]
    return min(hits) if hits else -1


class RobotsRules:
    """One robots.txt, parsed once and asked about many crawlers and URLs."""

    def __init__(self, body: str | bytes) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._lines: list[_Line] = []
        for raw in _lines(data):
            pair = _key_value(raw)
            if pair is None:
                continue
            kind = _kind(pair[0])
            value = pair[1] if kind in ("user-agent", "sitemap") else _escape_pattern(pair[1])
            self._lines.append(_Line(kind, value))

    def allowed(self, *, user_agent: str, url: str) -> bool:
        """May the crawler whose product token is ``user_agent`` fetch ``url``?"""
        path = url_path(url)
        agent = user_agent.encode("utf-8").lower()
        best: dict[tuple[bool, str], int] = {}
        seen_global = seen_specific = ever_specific = separator = False
        for line in self._lines:
            if line.kind == "user-agent":
                if separator:
                    seen_global = seen_specific = separator = False
                value = line.value
                if value[:1] == b"*" and (len(value) == 1 or value[1:2] in _SPACE):
                    seen_global = True
                elif _token_bytes(value).lower() == agent:
                    seen_specific = ever_specific = True
                continue
            if line.kind not in ("allow", "disallow") or not (seen_global or seen_specific):
                continue
            separator = True
            self._rule(line, path, best, specific=seen_specific)
        specific = (best.get((True, "specific"), -1), best.get((False, "specific"), -1))
        if max(specific) > 0:
            return specific[1] <= specific[0]
        if ever_specific:
            # A group names the crawler but has no rule that matches: the * group is ignored.
            return True
        general = (best.get((True, "global"), -1), best.get((False, "global"), -1))
        return max(general) <= 0 or general[1] <= general[0]

    @staticmethod
    def _rule(
        line: _Line, path: bytes, best: dict[tuple[bool, str], int], *, specific: bool
    ) -> None:
        is_allow = line.kind == "allow"
        key = (is_allow, "specific" if specific else "global")
        pattern = line.value
        if _matches(path, pattern):
            best[key] = max(best.get(key, -1), len(pattern))
            return
        if is_allow:
            slash = pattern.rfind(b"/")
            if slash >= 0 and pattern[slash:].startswith(b"/index.htm"):
                directory = pattern[: slash + 1] + b"$"
                if _matches(path, directory):
                    best[key] = max(best.get(key, -1), len(directory))


def _token_bytes(value: bytes) -> bytes:
    end = 0
    while end < len(value) and value[end] in _TOKEN:
        end += 1
    return value[:end]


def robots_allowed(body: str | bytes, *, user_agent: str, url: str) -> bool:
    return RobotsRules(body).allowed(user_agent=user_agent, url=url)
