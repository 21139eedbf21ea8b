"""Dates as X's embed widget prints them, in every language the widget supports.

The attribution line of an embedded post ends with the post's date, written in the widget's
language (``data-lang``): "May 5, 2014", "28. Mai 2016", "16 мая 2018 г.", "2016年5月28日",
"٢٨ مايو ٢٠١٦". The widget follows CLDR's long (and for some languages medium) date formats, so
the month names and the order of the parts come from CLDR through Babel, not from a
hand-written table.

Public API (stable; other detectors build on it):

``pattern()``
    Regex source (no capturing groups, case-insensitive by a scoped ``(?i:…)``) for one
    embed date in any supported language. Embed it in a larger pattern compiled without
    ``re.ASCII``: ``\\d`` must match Arabic-Indic, Persian, Devanagari, Bengali and Thai digits.
``month_pattern()``
    Regex source for one month name (wide or abbreviated, format or stand-alone form) in any
    supported language.
``match(text, pos=0, endpos=None)`` / ``search(text, pos=0, endpos=None)``
    The compiled ``pattern()``'s ``match``/``search``.
``LANGUAGES``
    The widget's language codes (X for Websites "Language Support"), in its own spelling.

Everything is built on first use and cached: importing this module does not import Babel.
Right-to-left dates may carry bidi marks (U+200E, U+200F, U+061C) between their parts; CJK
dates use 年月日 / 년월일; Urdu separates the year with '،'. All of these are accepted, as are
spaces an extractor adds or drops between the parts.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from xfilter.detect.textmatch import SP

if TYPE_CHECKING:
    from babel import Locale

# The widget's languages, as X for Websites lists them.
LANGUAGES: tuple[str, ...] = (
    "en", "ar", "bn", "cs", "da", "de", "el", "es", "fa", "fi", "fil", "fr", "he", "hi", "hu",
    "id", "it", "ja", "ko", "msa", "nl", "no", "pl", "pt", "ro", "ru", "sv", "th", "tr", "uk",
    "ur", "vi", "zh-cn", "zh-tw",
)  # fmt: skip
# Where X's code differs from the CLDR locale identifier.
_CLDR_LOCALE = {"msa": "ms", "no": "nb", "zh-cn": "zh_Hans", "zh-tw": "zh_Hant", "en-gb": "en_GB"}
# Publishers and extractors re-render English embed dates in British order ("3 June 2020").
_ALSO = ("en-gb",)
# CLDR date formats the widget's dates follow: 'long' ("May 5, 2014"); 'medium' adds the
# abbreviated-month forms ("Mar 5, 2014") that extractors and older widgets print.
_FORMATS = ("long", "medium")

_BIDI = "\u200e\u200f\u061c"
# Between two parts of a date: nothing, or spaces (any Unicode space, &nbsp;) and bidi marks.
_SPACE = rf"(?:{SP}|[{_BIDI}])"
_GAP = rf"{_SPACE}{{0,3}}"
_BLANK = rf"{_SPACE}{{1,4}}"
# Separator characters and the forms they take in other scripts.
_EQUIVALENT = {",": "[,،，]", "،": "[,،，]", ".": r"\.?", "/": "[/／]", "-": "[-‐‑–]"}
_DAY = r"\d{1,2}"
_YEAR = r"\d{4}"
_NUMERIC_MONTH = r"\d{1,2}"
# English ordinals some renditions add ("May 5th, 2014").
_ORDINAL = "(?:st|nd|rd|th)?"
# Thai dates count years in the Buddhist era ('28 พฤษภาคม พ.ศ. 2559'); CLDR's Gregorian data
# holds only the Christian-era names, so the Buddhist one is added to them.
_BUDDHIST_ERA = "พ.ศ."
# Languages written without spaces between the parts of a date, where extractors add some.
_UNSPACED = frozenset({"ja", "ko", "zh"})


def _locale(code: str) -> Locale:
    from babel import Locale

    return Locale.parse(_CLDR_LOCALE.get(code, code))


def _names(locale: Locale, width: str) -> set[str]:
    """Month names of one width, in the format (inflected) and stand-alone contexts."""
    out = set()
    for context in ("format", "stand-alone"):
        out.update(locale.months[context][width].values())
    return {n.strip(_BIDI + " .") for n in out if n.strip(_BIDI + " .")}


def _alternation(names: set[str]) -> str:
    """Longest name first, so 'Sept' is not cut to 'Sep'; a trailing '.' stays optional."""
    parts = []
    for name in sorted(names, key=lambda n: (-len(n), n)):
        escaped = re.escape(name).replace(r"\ ", _BLANK)
        parts.append(escaped)
    return "(?:" + "|".join(parts) + r")\.?"


def _literal(text: str) -> str:
    """A literal run of a CLDR pattern: its spaces become blanks, separators their kin."""
    out: list[str] = []
    for ch in text:
        if ch.isspace():
            if not out or out[-1] != _BLANK:
                out.append(_BLANK)
        elif ch in _BIDI:
            continue
        else:
            out.append(_EQUIVALENT.get(ch, re.escape(ch)))
    return _GAP.join(p for p in out)


def _tokens(cldr: str) -> list[tuple[str, str]]:
    """Split a CLDR date pattern into ('field', letters) and ('text', literal) tokens."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(cldr):
        ch = cldr[i]
        if ch == "'":
            end = cldr.find("'", i + 1)
            end = len(cldr) if end < 0 else end
            tokens.append(("text", cldr[i + 1 : end] or "'"))
            i = end + 1
        elif ch.isascii() and ch.isalpha():
            j = i
            while j < len(cldr) and cldr[j] == ch:
                j += 1
            tokens.append(("field", cldr[i:j]))
            i = j
        else:
            tokens.append(("text", ch))
            i += 1
    return tokens


def _field(letters: str, locale: Locale) -> str:
    kind, width = letters[0], len(letters)
    if kind in "ML":
        if width <= 2:
            return _NUMERIC_MONTH
        return _alternation(_names(locale, "wide") | _names(locale, "abbreviated"))
    if kind == "d":
        return _DAY + (_ORDINAL if locale.language == "en" else "")
    if kind in "yu":
        return _YEAR
    if kind == "G":  # Thai prints the era: 'พ.ศ.' (Buddhist) or 'ค.ศ.'
        eras = {e for w in ("abbreviated", "wide") for e in locale.eras[w].values()}
        eras.add(_BUDDHIST_ERA)
        return "(?:" + _alternation(eras) + ")?"
    return ""  # weekday and other fields never appear in the long and medium formats


def _date_regex(cldr: str, locale: Locale) -> str:
    """Regex source for one CLDR date pattern in one locale."""
    parts: list[str] = []
    for kind, value in _tokens(cldr):
        source = _field(value, locale) if kind == "field" else _literal(value)
        if source:
            parts.append(source)
    joined = _GAP.join(parts)
    return joined.replace(_BLANK, _GAP) if locale.language in _UNSPACED else joined


@cache
def pattern() -> str:
    """Regex source for one embed date in any supported language (see the module doc)."""
    sources: dict[str, None] = {}  # ordered, deduplicated
    for code in LANGUAGES + _ALSO:
        locale = _locale(code)
        for name in _FORMATS:
            sources[_date_regex(locale.date_formats[name].pattern, locale)] = None
    # Longer alternatives first: "28 de mayo de 2016" before a prefix of it could win.
    ordered = sorted(sources, key=len, reverse=True)
    return f"(?i:[{_BIDI}]{{0,2}}(?:" + "|".join(ordered) + r")(?!\d))"


@cache
def month_pattern() -> str:
    """Regex source for one month name of any supported language."""
    names: set[str] = set()
    for code in LANGUAGES:
        locale = _locale(code)
        names |= _names(locale, "wide") | _names(locale, "abbreviated")
    return "(?i:" + _alternation(names) + ")"


_YEAR_RUN = re.compile(r"(?<!\d)\d{4}(?!\d)")
_WORD_START = re.compile(r"(?<!\w)\w")
# How far before its year a date may start: "28 de septiembre de ", "28 พฤศจิกายน พ.ศ. ".
_REACH = 80


@cache
def _compiled() -> re.Pattern[str]:
    return re.compile(pattern())


def match(text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
    """An embed date starting at ``pos``."""
    return _compiled().match(text, pos, len(text) if endpos is None else endpos)


def search(text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
    """The first embed date in ``text[pos:endpos]``.

    Every date has a four-digit year, so only the word starts shortly before each year (or the
    year itself, for year-first orders) are tried: a plain ``search`` of the large pattern
    would try every position.
    """
    end = len(text) if endpos is None else endpos
    tried = pos  # every start below this has been tried
    for year in _YEAR_RUN.finditer(text, pos, end):
        for start in _WORD_START.finditer(text, max(tried, year.start() - _REACH), year.end()):
            found = _compiled().match(text, start.start(), end)
            if found:
                return found
        tried = year.end()
    return None
