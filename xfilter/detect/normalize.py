"""Text de-obfuscation with offsets mapped back, and the literal index detectors search near.

Defanged dots and schemes (``twitter[.]com``, ``hxxps[:]//``), invisible characters, fullwidth
forms and escaped separators (``%2F``, ``\\/``) are undone in passes, each only where present;
every span a detector reports still refers to the caller's original string.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from typing import ClassVar

from xfilter.detect.literal_index import INDEX

_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_INVISIBLE_SET = frozenset(
    chr(c)
    for lo, hi in ((0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069))
    for c in range(lo, hi + 1)
) | {"\ufeff"}
# Obfuscation is undone in three passes, each only where present. Defanged dots and schemes
# ('twitter[.]com', 'hxxps[:]//') and escaped dots, then invisible characters and fullwidth
# forms, are rare in ordinary text and undone over the whole text; escaped separators ('%2F',
# '\\/', the third pass, ESCAPE) are common in HTML and undone only around candidate hosts.
_DEFANG = re.compile(
    r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\[:\]|hxxp|%2e|\\u002e|&#0*46;|&#x0*2e;", re.I
)
_DEFANG_BYTES = re.compile(_DEFANG.pattern.encode())
# A literal every _DEFANG match holds (lower-cased): where none occurs, no search.
_DEFANG_LITERALS = (
    b"[.]", b"(.)", b"{.}", b"[dot]", b"(dot)", b"[:]", b"hxxp", b"%2e", b"\\u002e", b"&#"
)  # fmt: skip
_VEILS = re.compile(rf"[{_INVISIBLE}]+|[\uff01-\uff5e\u3002\uff61]")
# The same characters as UTF-8 bytes: a bytes pattern skips ASCII at C speed, where the str
# pattern above walks every character of a non-ASCII text (an em dash is enough) ~5x slower.
_VEIL_BYTES = re.compile(
    rb"\xe2\x80[\x8b-\x8f\xaa-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]|\xef\xbb\xbf"
    rb"|\xef\xbc[\x81-\xbf]|\xef\xbd[\x80-\x9e\xa1]|\xe3\x80\x82"
)


def has_veils(text: str) -> bool:
    """Whether ``_VEILS`` matches somewhere in ``text``."""
    if text.isascii():
        return False
    return _VEIL_BYTES.search(text.encode("utf-8", "surrogatepass")) is not None


# Escaped separators inside URLs (%2F, JSON \/ and \u002F, &#47;). Only punctuation is
# decoded: an escaped separator is common, an escaped letter is not.
ESCAPE = re.compile(
    r"%(?:2[1-9a-f]|3[a-f]|40|5[b-f]|60|7[b-e])"
    r"|\\u00(?:2[1-9a-f]|3[a-f]|40|5[b-f]|60|7[b-e])"
    r"|\\/"
    r"|&#(?:x0*(?:2[1-9a-f]|3[a-f]|40|5[b-f]|60|7[b-e])"
    r"|0*(?:3[3-9]|4[0-7]|5[89]|6[0-4]|9[1-6]|12[3-6]));",
    re.I,
)


def _undo(piece: str) -> str:
    """The plain form of one obfuscated piece matched by ``_VEILS``, ``_DEFANG`` or
    ``ESCAPE``."""
    lower = piece.lower()
    if piece[0] in _INVISIBLE_SET:
        return ""
    if len(piece) == 1:
        return "." if piece in "\u3002\uff61" else unicodedata.normalize("NFKC", piece)
    if lower == "hxxp":
        return piece[0] + "tt" + piece[3]
    if lower == "[:]":
        return ":"
    if lower.startswith("%"):
        return chr(int(piece[1:], 16))
    if lower.startswith("\\u"):
        return chr(int(piece[2:], 16))
    if piece == "\\/":
        return "/"
    if lower.startswith("&#x"):
        return chr(int(piece[3:-1], 16))
    if piece.startswith("&#"):
        return chr(int(piece[2:-1]))
    return "."  # a defanged dot


class Normalized:
    """A copy of a string with ``pattern``'s matches undone, mapping offsets back."""

    __slots__ = ("_n_end", "_n_start", "_o_end", "_o_start", "original", "text")

    def __init__(self, original: str, pattern: re.Pattern[str] | None = ESCAPE) -> None:
        self.original = original
        self._n_start: list[int] = []
        self._n_end: list[int] = []
        self._o_start: list[int] = []
        self._o_end: list[int] = []
        parts: list[str] = []
        copied = 0
        length = 0
        for m in pattern.finditer(original) if pattern else ():
            start, end = m.span()
            parts.append(original[copied:start])
            length += start - copied
            replacement = _undo(m.group())
            parts.append(replacement)
            self._n_start.append(length)
            length += len(replacement)
            self._n_end.append(length)
            self._o_start.append(start)
            self._o_end.append(end)
            copied = end
        if not parts:
            self.text = original
            return
        parts.append(original[copied:])
        self.text = "".join(parts)

    def _char(self, pos: int) -> tuple[int, int]:
        """Original (start, end) of normalised character ``pos``."""
        i = bisect_right(self._n_start, pos) - 1
        if i < 0:
            return pos, pos + 1
        if pos < self._n_end[i]:
            return self._o_start[i], self._o_end[i]
        orig = self._o_end[i] + pos - self._n_end[i]
        return orig, orig + 1

    def to_normalized(self, pos: int) -> int:
        """Normalised offset of original offset ``pos``."""
        i = bisect_right(self._o_start, pos) - 1
        if i < 0:
            return pos
        if pos < self._o_end[i]:
            return self._n_start[i]
        return self._n_end[i] + pos - self._o_end[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span of the normalised span ``[start, end)``."""
        if not self._n_start:
            return start, end
        if end <= start:
            pos = self._char(start)[0] if start < len(self.text) else len(self.original)
            return pos, pos
        return self._char(start)[0], self._char(end - 1)[1]


def _lowered(text: str) -> bytes:
    # One byte per character (non-ASCII becomes '?'), so offsets equal the text's.
    return text.encode("ascii", "replace").lower()


class Literals:
    """Where literals occur in one text, found case-insensitively.

    Python's ``re`` tries every position of a pattern that starts with a lookbehind or a
    class; a literal search is ~100x faster, so detectors only run near their literals. The
    first literal asked of a text looks up every literal of ``literal_index.INDEX`` in one
    pass; one it does not hold is found with ``bytes.find`` (and noted for it). There, a
    literal that contains a base literal is found by checking the base's offsets, so each base
    is scanned once per text however many detectors ask.
    """

    _BASES = (b"twitter", b"tweet", b"t.co", b"x.com", b" x", b"bird")
    # Which base a literal is found through, and at what shift, depends on the literal alone:
    # look it up once per process.
    _BASE_OF: ClassVar[dict[bytes, tuple[bytes, int] | None]] = {}

    def __init__(self, text: str) -> None:
        self.low = _lowered(text)
        self._found: dict[bytes, list[int]] = {}
        self._merged: dict[tuple[bytes, ...], list[int]] = {}
        self._indexed: frozenset[bytes] | None = None  # what INDEX found, once asked

    def __contains__(self, literal: bytes) -> bool:
        return bool(self._of(literal))

    def positions(self, literals: tuple[bytes, ...]) -> list[int]:
        """Sorted offsets of every occurrence of any of ``literals`` (do not modify)."""
        merged = self._merged.get(literals)
        if merged is None:
            if self._index().issuperset(literals):  # all found already: no call per literal
                known = self._found
                found = [known[literal] for literal in literals if known.get(literal)]
            else:
                found = [hits for hits in map(self._of, literals) if hits]
            if len(found) <= 1:
                merged = found[0] if found else _NOWHERE
            else:
                merged = sorted(set().union(*found))
            self._merged[literals] = merged
        return merged

    def _index(self) -> frozenset[bytes]:
        """The literals ``INDEX`` answered for this text, in one pass when first asked."""
        if self._indexed is None:
            self._indexed = INDEX.find_all(self.low, self._found)
        return self._indexed

    def _of(self, literal: bytes) -> list[int]:
        if literal in self._index():
            return self._found.setdefault(literal, _NOWHERE)
        found = self._found.get(literal)
        if found is not None:
            return found
        INDEX.note(literal)
        try:
            base = self._BASE_OF[literal]
        except KeyError:
            base = self._BASE_OF[literal] = _base_of(literal, self._BASES)
        low = self.low
        if base is None:
            found = []
            i = low.find(literal)
            while i >= 0:
                found.append(i)
                i = low.find(literal, i + 1)
        else:
            name, shift = base
            starts = [p - shift for p in self._of(name) if p >= shift]
            found = [p for p in starts if low.startswith(literal, p)]
        self._found[literal] = found
        return found


_NOWHERE: list[int] = []  # shared: callers only read what positions() returns


def _base_of(literal: bytes, bases: tuple[bytes, ...]) -> tuple[bytes, int] | None:
    """The base literal found inside ``literal``, and its offset there."""
    for base in bases:
        if base in literal and base != literal:
            return base, literal.find(base)
    return None


class Unveiled:
    """``text`` with defanged dots, invisible characters and fullwidth forms undone (the first
    two passes), mapping offsets back; free when there is nothing to undo."""

    def __init__(self, text: str, literals: Literals | None = None) -> None:
        self.passes: list[Normalized] = []
        literals = Literals(text) if literals is None else literals
        if literals.positions(_DEFANG_LITERALS) and _DEFANG_BYTES.search(literals.low):
            self.passes.append(Normalized(text, _DEFANG))
            text = self.passes[-1].text
        if has_veils(text):
            self.passes.append(Normalized(text, _VEILS))
            text = self.passes[-1].text
        self.text = text
        self.literals = Literals(text) if self.passes else literals

    def span(self, start: int, end: int) -> tuple[int, int]:
        for plain in reversed(self.passes):
            start, end = plain.span(start, end)
        return start, end
