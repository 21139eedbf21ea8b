"""A parser for the RE2 syntax the prefilters use, into a small tree other engines can emit.

It covers literals, ``\\x{...}`` escapes, classes with ranges and Perl classes, groups,
alternation, repetition and the zero-width assertions. Anything else (flag groups that change
meaning, Unicode property classes, ``\\Q...\\E``, backreference-like escapes) raises
``Untranslatable``, so the caller keeps RE2 for that pattern instead of guessing.

Every node keeps its ``start``/``end`` in the source, so a piece of the original pattern can be
handed back to RE2 verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_CODE_POINT = 0x10FFFF
# RE2's Perl classes are ASCII-only, whatever the text encoding.
PERL_CLASSES: dict[str, tuple[tuple[int, int], ...]] = {
    "d": ((0x30, 0x39),),
    "s": ((0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)),
    "w": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
}
_SIMPLE_ESCAPES = {"n": 0x0A, "t": 0x09, "r": 0x0D, "f": 0x0C, "v": 0x0B, "a": 0x07}
ASSERTIONS = frozenset({"^", "$", "A", "z", "b", "B"})


class Untranslatable(ValueError):
    """The pattern uses RE2 syntax this translator does not reproduce exactly."""


@dataclass(frozen=True)
class Node:
    start: int
    end: int


@dataclass(frozen=True)
class Literal(Node):
    code_point: int


@dataclass(frozen=True)
class CharClass(Node):
    """A set of code points as sorted, merged ranges; ``negated`` as written in the source."""

    ranges: tuple[tuple[int, int], ...]
    negated: bool = False


@dataclass(frozen=True)
class AnyChar(Node):
    """``.``: any character but newline (RE2's default, which Arrow keeps)."""


@dataclass(frozen=True)
class Assertion(Node):
    kind: str  # one of ASSERTIONS: ^ $ A z b B


@dataclass(frozen=True)
class Concat(Node):
    items: tuple[Node, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Alternate(Node):
    items: tuple[Node, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Repeat(Node):
    item: Node
    min: int
    max: int | None  # None: unbounded


def merge_ranges(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def complement(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out, next_lo = [], 0
    for lo, hi in ranges:
        if lo > next_lo:
            out.append((next_lo, lo - 1))
        next_lo = hi + 1
    if next_lo <= MAX_CODE_POINT:
        out.append((next_lo, MAX_CODE_POINT))
    return tuple(out)


def parse(pattern: str) -> Node:
    """The tree of ``pattern``; raises ``Untranslatable`` on syntax outside the covered set."""
    parser = _Parser(pattern)
    node = parser.alternation()
    if parser.pos != len(pattern):
        raise Untranslatable(f"unbalanced ')' at {parser.pos}")
    return node


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.pos = 0

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.src[index] if index < len(self.src) else ""

    def alternation(self) -> Node:
        start = self.pos
        items = [self.concatenation()]
        while self.peek() == "|":
            self.pos += 1
            items.append(self.concatenation())
        if len(items) == 1:
            return items[0]
        return Alternate(start, self.pos, tuple(items))

    def concatenation(self) -> Node:
        start = self.pos
        items: list[Node] = []
        while self.pos < len(self.src) and self.peek() not in "|)":
            items.append(self.repetition(self.atom()))
        if len(items) == 1:
            return items[0]
        return Concat(start, self.pos, tuple(items))

    def repetition(self, item: Node) -> Node:
        while True:
            char = self.peek()
            if char in ("*", "+", "?") and char:
                self.pos += 1
                low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
            elif char == "{" and (bounds := self._bounds()) is not None:
                low, high = bounds
            else:
                return item
            if isinstance(item, (Assertion, Repeat)):
                raise Untranslatable("repeated assertion or nested repetition operator")
            if self.peek() == "?":  # lazy: the same set of matching texts
                self.pos += 1
            item = Repeat(item.start, self.pos, item, low, high)

    def _bounds(self) -> tuple[int, int | None] | None:
        """``{n}``, ``{n,}``, ``{n,m}``; anything else is a literal ``{`` in RE2."""
        close = self.src.find("}", self.pos)
        if close < 0:
            return None
        body = self.src[self.pos + 1 : close]
        low_text, comma, high_text = body.partition(",")
        if not low_text.isdigit() or (high_text and not high_text.isdigit()):
            return None
        low = int(low_text)
        high = int(high_text) if high_text else (None if comma else low)
        if (high is not None and high < low) or max(low, high or 0) > 1000:
            raise Untranslatable(f"bad repetition {{{body}}}")
        self.pos = close + 1
        return low, high

    def atom(self) -> Node:
        start = self.pos
        char = self.peek()
        if char == "(":
            return self.group()
        if char == "[":
            return self.char_class()
        self.pos += 1
        if char == ".":
            return AnyChar(start, self.pos)
        if char in ("^", "$"):
            return Assertion(start, self.pos, char)
        if char in ("*", "+", "?"):
            raise Untranslatable(f"missing argument to repetition operator at {start}")
        if char == "\\":
            return self.escape(start)
        return Literal(start, self.pos, ord(char))

    def group(self) -> Node:
        start = self.pos
        self.pos += 1
        if self.peek() == "?":
            if self.src.startswith("?:", self.pos):
                self.pos += 2
            elif self.src.startswith(("?P<", "?<"), self.pos):
                close = self.src.find(">", self.pos)
                if close < 0:
                    raise Untranslatable("unterminated group name")
                self.pos = close + 1
            else:  # flag groups: (?i) is what the engine applies anyway; others change meaning
                raise Untranslatable(f"flag group at {start}")
        inner = self.alternation()
        if self.peek() != ")":
            raise Untranslatable(f"missing ')' for group at {start}")
        self.pos += 1
        # A group only delimits: keep the inner node, widened to the parentheses.
        return _respan(inner, start, self.pos)

    def escape(self, start: int) -> Node:
        char = self.peek()
        if not char:
            raise Untranslatable("trailing backslash")
        self.pos += 1
        if char in ASSERTIONS:
            return Assertion(start, self.pos, char)
        if char.lower() in PERL_CLASSES:
            ranges = PERL_CLASSES[char.lower()]
            return CharClass(start, self.pos, ranges, negated=char.isupper())
        return Literal(start, self.pos, self.escaped_code_point(char))

    def escaped_code_point(self, char: str) -> int:
        """The code point of an escape whose backslash and ``char`` were just consumed."""
        if char == "x":
            if self.peek() == "{":
                close = self.src.find("}", self.pos)
                digits = self.src[self.pos + 1 : close] if close > 0 else ""
                self.pos = close + 1
            else:
                digits = self.src[self.pos : self.pos + 2]
                self.pos += 2
            try:
                value = int(digits, 16)
            except ValueError:
                raise Untranslatable(f"bad \\x escape {digits!r}") from None
            if not 0 <= value <= MAX_CODE_POINT:
                raise Untranslatable(f"bad \\x escape {digits!r}")
            return value
        if char in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[char]
        if char.isalnum() or char == "_":  # \p, \Q, \C, \1, \0 … : not reproduced
            raise Untranslatable(f"escape \\{char}")
        return ord(char)

    def char_class(self) -> Node:
        start = self.pos
        self.pos += 1
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        ranges: list[tuple[int, int]] = []
        first = True
        while True:
            char = self.peek()
            if not char:
                raise Untranslatable(f"missing ']' for class at {start}")
            if char == "]" and not first:
                self.pos += 1
                break
            first = False
            if char == "[" and self.peek(1) == ":":
                raise Untranslatable("POSIX class")
            if char == "\\" and self.peek(1).lower() in PERL_CLASSES:
                letter = self.peek(1)
                self.pos += 2
                perl = PERL_CLASSES[letter.lower()]
                ranges.extend(complement(perl) if letter.isupper() else perl)
                continue
            low = self.class_char()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                high = self.class_char()
                if high < low:
                    raise Untranslatable(f"bad range in class at {start}")
                ranges.append((low, high))
            else:
                ranges.append((low, low))
        return CharClass(start, self.pos, merge_ranges(ranges), negated)

    def class_char(self) -> int:
        char = self.peek()
        self.pos += 1
        if char != "\\":
            return ord(char)
        escaped = self.peek()
        if not escaped:
            raise Untranslatable("trailing backslash in class")
        self.pos += 1
        if escaped in ASSERTIONS - {"^", "$"}:
            raise Untranslatable(f"\\{escaped} in class")
        return self.escaped_code_point(escaped)


def _respan(node: Node, start: int, end: int) -> Node:
    """``node`` with the span of the parentheses around it (so slicing keeps them)."""
    kind = type(node)
    values = {name: getattr(node, name) for name in node.__dataclass_fields__}
    values.update(start=start, end=end)
    return kind(**values)
