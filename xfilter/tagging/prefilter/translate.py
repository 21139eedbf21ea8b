"""Translate an RE2 prefilter into Hyperscan expressions that scan a whole column at once.

The engine scans a column's rows as one stream with a byte that never occurs in UTF-8 (0xFF,
``SENTINEL``) before and after every row. So ``^`` and ``$`` become that byte, no match can
span two rows, and every match lies in one row. Expressions are in Hyperscan's byte mode: each
set of code points is spelled out as UTF-8 byte sequences (``utf8``), with case folding as RE2
does it (``casefold``). Each top-level alternative is one expression (a long alternation also
exceeds Hyperscan's pattern length limit as one), and a leading ``(?:^|…)`` or trailing
``(?:…|$)`` is distributed into separate ones.

With ``split_rare`` (the fast plan), code points that are rare in text are taken out of the
expressions into one extra, inexact expression (see ``_RARE``), so the rest keeps literal
factors for Hyperscan to search. Rows it flags are re-checked with the exact plan
(``split_rare=False``). Syntax outside the covered set raises ``Untranslatable``: the engine
keeps RE2 for that pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

from xfilter.tagging.prefilter import utf8
from xfilter.tagging.prefilter.casefold import Ranges, fold_closure
from xfilter.tagging.prefilter.re2_syntax import (
    Alternate,
    AnyChar,
    Assertion,
    CharClass,
    Concat,
    Literal,
    Node,
    Repeat,
    Untranslatable,
    complement,
    merge_ranges,
    parse,
)

_START, _END = frozenset({"^", "A"}), frozenset({"$", "z"})


SENTINEL = 0xFF  # the byte around every row; never part of UTF-8
_NEWLINE: Ranges = ((0x0A, 0x0A),)


@dataclass(frozen=True)
class Expression:
    """One Hyperscan expression; ``exact``: its match in a row is an RE2 match of the pattern
    (else it only makes the row a candidate)."""

    text: str
    exact: bool = True


def translate(pattern: str, split_rare: bool = True) -> tuple[Expression, ...]:
    """Hyperscan expressions for ``pattern`` (RE2 syntax, matched case-insensitively)."""
    expressions = []
    rare: list[tuple[int, int]] = []
    sentinel = utf8.byte(SENTINEL)
    for branch in _alternatives(parse(pattern)):
        for start, end, items in _split_anchors(_flatten(branch)):
            if any(_has_anchor(item) for item in items):
                raise Untranslatable("an anchor inside an alternative, not at its start or end")
            node = Concat(0, 0, tuple(items))
            if _nullable(node):
                raise Untranslatable("an alternative that can match the empty string")
            emitter = _HyperscanEmitter(split_rare)
            text = emitter.emit(node)
            expressions.append(Expression(sentinel * start + text + sentinel * end))
            rare.extend(emitter.rare)
    if rare:  # any row holding a rare character is a candidate for the exact plan
        expressions.append(Expression(_hs_set(merge_ranges(rare), negated=False), exact=False))
    return tuple(expressions)


def _alternatives(node: Node) -> list[Node]:
    if isinstance(node, Alternate):
        return [leaf for item in node.items for leaf in _alternatives(item)]
    return [node]


def _flatten(node: Node) -> list[Node]:
    """The items of a concatenation, with nested concatenations (groups) dissolved."""
    if isinstance(node, Concat):
        return [leaf for item in node.items for leaf in _flatten(item)]
    return [node]


def _anchor_choice(node: Node, kinds: frozenset[str]) -> list[Node] | None:
    """For a lone assertion of ``kinds``, or an alternation with such an alternative: the
    other alternatives. None when ``node`` is neither."""
    if isinstance(node, Assertion) and node.kind in kinds:
        return []
    if isinstance(node, Alternate):
        anchored = [i for i in node.items if isinstance(i, Assertion) and i.kind in kinds]
        if anchored:
            return [i for i in node.items if i not in anchored]
    return None


def _split_anchors(items: list[Node]) -> list[tuple[bool, bool, list[Node]]]:
    """Distribute a leading ``(?:^|…)`` and a trailing ``(?:…|$)`` into separate cases:
    (anchored at the start, anchored at the end, items)."""
    heads: list[tuple[bool, list[Node]]] = [(False, items)]
    others = _anchor_choice(items[0], _START) if items else None
    if others is not None:
        heads = [(True, items[1:])]
        if others:
            heads.append((False, [Alternate(0, 0, tuple(others)), *items[1:]]))
    out: list[tuple[bool, bool, list[Node]]] = []
    for start, rest in heads:
        others = _anchor_choice(rest[-1], _END) if rest else None
        if others is None:
            out.append((start, False, rest))
            continue
        out.append((start, True, rest[:-1]))
        if others:
            out.append((start, False, [*rest[:-1], Alternate(0, 0, tuple(others))]))
    return out


def _has_anchor(node: Node) -> bool:
    if isinstance(node, Assertion):
        return node.kind in _START | _END
    if isinstance(node, (Concat, Alternate)):
        return any(_has_anchor(i) for i in node.items)
    if isinstance(node, Repeat):
        return _has_anchor(node.item)
    return False


def _nullable(node: Node) -> bool:
    """Whether ``node`` can match the empty string (assertions count as empty)."""
    if isinstance(node, (Literal, CharClass, AnyChar)):
        return False
    if isinstance(node, Concat):
        return all(_nullable(i) for i in node.items)
    if isinstance(node, Alternate):
        return any(_nullable(i) for i in node.items)
    if isinstance(node, Repeat):
        return node.min == 0 or _nullable(node.item)
    return True


# -- Hyperscan (byte mode; no HS_FLAG_CASELESS: folding is explicit) -------------------------

# Code points rare in real text that the prefilters accept for evasion or by case folding:
# format characters (zero-width, bidi marks, BOM), fullwidth forms, and the non-ASCII case
# partners of ASCII letters (ſ, K, Å) and of Cyrillic (ᲀ–ᲈ). Interleaved with every letter
# (``t[\u200b…]*w[\u200b…]*…``) they leave Hyperscan no literal to search for, and scanning
# slows to RE2's speed. So the fast plan takes them out, and one extra expression finds any
# row that holds one of them (the exact plan then decides): the same rows, found fast.
_RARE: Ranges = (
    (0x017F, 0x017F), (0x1C80, 0x1C88), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x2069), (0x212A, 0x212B), (0xFEFF, 0xFEFF),
    (0xFF01, 0xFF5E),
)  # fmt: skip


def _split_rare(ranges: Ranges) -> tuple[Ranges, Ranges]:
    """(the common part, the rare part) of a set of code points."""
    common, rare = [], []
    for lo, hi in ranges:
        position = lo
        for rare_lo, rare_hi in _RARE:
            if rare_hi < position or rare_lo > hi:
                continue
            if rare_lo > position:
                common.append((position, rare_lo - 1))
            rare.append((max(position, rare_lo), min(hi, rare_hi)))
            position = rare_hi + 1
        if position <= hi:
            common.append((position, hi))
    return tuple(common), tuple(rare)


class _HyperscanEmitter:
    """Emits one expression at a time; collects the rare code points it leaves out."""

    def __init__(self, split_rare: bool) -> None:
        self.split_rare = split_rare
        self.rare: list[tuple[int, int]] = []

    def emit(self, node: Node) -> str:
        if isinstance(node, Literal):
            return self.positive(fold_closure(((node.code_point, node.code_point),)))
        if isinstance(node, CharClass):
            closure = fold_closure(node.ranges)
            return _hs_set(closure, negated=True) if node.negated else self.positive(closure)
        if isinstance(node, AnyChar):  # any character but newline, as RE2's default
            return _hs_set(_NEWLINE, negated=True)
        if isinstance(node, Assertion):  # only \b, \B get here: ASCII in both, as is 0xFF
            return "\\" + node.kind
        if isinstance(node, Concat):
            return "".join(self.group(i) for i in node.items)
        if isinstance(node, Alternate):
            return "(?:" + "|".join(self.emit(i) for i in node.items) + ")"
        if isinstance(node, Repeat):
            rare = _rare_star(node) if self.split_rare else None
            if rare:  # ``[\u200b…]*`` is empty unless a rare character is there
                self.rare.extend(rare)
                return ""
            return self.group(node.item) + _quantifier(node.min, node.max)
        raise Untranslatable(f"unexpected node {type(node).__name__}")

    def positive(self, closure: Ranges) -> str:
        common, rare = _split_rare(closure)
        if not common or not self.split_rare:  # only rare members: nothing could stand in
            return _hs_set(closure, negated=False)
        self.rare.extend(rare)
        return _hs_set(common, negated=False)

    def group(self, node: Node) -> str:
        text = self.emit(node)
        return f"(?:{text})" if isinstance(node, (Concat, Alternate)) else text


def _rare_star(node: Repeat) -> Ranges | None:
    """For ``[\\u200b…]*``, a starred class of rare code points only (which the fast plan
    drops), its code points; else None."""
    if node.min or not isinstance(node.item, CharClass) or node.item.negated:
        return None
    closure = fold_closure(node.item.ranges)
    common, _ = _split_rare(closure)
    return None if common else closure


def _hs_set(ranges: Ranges, negated: bool) -> str:
    """One character of ``ranges`` (or of their complement) as UTF-8 byte sequences."""
    wanted = complement(ranges) if negated else ranges
    if not wanted:
        raise Untranslatable("an empty character class")
    return utf8.pattern(wanted)


def _quantifier(low: int, high: int | None) -> str:
    if high is None:
        return {0: "*", 1: "+"}.get(low, f"{{{low},}}")
    if (low, high) == (0, 1):
        return "?"
    return f"{{{low}}}" if low == high else f"{{{low},{high}}}"
