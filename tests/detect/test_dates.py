"""Embed dates in every language of X's widget, and the attribution lines that end with them.

The HTML cases are attribution lines exactly as the widget's fallback markup prints them,
copied from embeds in public blog posts (GitHub-hosted sites); each names the embedded post,
whose URL is part of the case. The text cases are what an HTML-to-text extractor leaves.
"""

from __future__ import annotations

import datetime
import subprocess
import sys

import pytest
from babel import Locale
from babel.dates import format_date

from xfilter.detect import dates, embeds
from xfilter.detect.text import analyze_text

# (data-lang, attribution markup after the post's </p>, author). Sources: the embedded posts.
REAL_ATTRIBUTIONS = [
    (  # blog post embedding https://twitter.com/gam0022/status/1003274796895895554
        "ja",
        '&mdash; がむ🌷🌴 (@gam0022) <a href="https://twitter.com/gam0022/status/'
        '1003274796895895554?ref_src=twsrc%5Etfw">2018年6月3日</a>',
        "gam0022",
    ),
    (  # https://twitter.com/dailylyricbot/status/1201277326262190080
        "ko",
        '&mdash; 랜덤 가사 봇 (@dailylyricbot) <a href="https://twitter.com/dailylyricbot/'
        'status/1201277326262190080?ref_src=twsrc%5Etfw">2019년 12월 1일</a>',
        "dailylyricbot",
    ),
    (  # https://twitter.com/vesti_news/status/754222264241926144
        "ru",
        '&mdash; Вести.Ru (@vesti_news) <a href="https://twitter.com/vesti_news/status/'
        '754222264241926144">16 июля 2016 г.</a>',
        "vesti_news",
    ),
    (  # https://twitter.com/moscowjs/status/768864246952230916
        "ru",
        '&mdash; MoscowJS (@moscowjs) <a href="https://twitter.com/moscowjs/status/'
        '768864246952230916">25 августа 2016 г.</a>',
        "moscowjs",
    ),
    (  # https://twitter.com/frontend_rm/status/1030357210721935362
        "de",
        '&mdash; Frontend RheinMain (@frontend_rm) <a href="https://twitter.com/frontend_rm/'
        'status/1030357210721935362?ref_src=twsrc%5Etfw">17. August 2018</a>',
        "frontend_rm",
    ),
    (  # https://twitter.com/denkspuren/status/973886410796224512
        "de",
        '&mdash; Dominikus Herzberg (@denkspuren) <a href="https://twitter.com/denkspuren/'
        'status/973886410796224512?ref_src=twsrc%5Etfw">14. März 2018</a>',
        "denkspuren",
    ),
    (  # https://twitter.com/FxPlusplus/status/752447667469443076 (right-to-left)
        "he",
        '&mdash; FxPlus+ (@FxPlusplus) <a href="https://twitter.com/FxPlusplus/status/'
        '752447667469443076">11 ביולי 2016</a>',
        "FxPlusplus",
    ),
    (  # https://twitter.com/iamdevloper/status/435555976687923200
        "he",
        '&mdash; I Am Devloper (@iamdevloper) <a href="https://twitter.com/iamdevloper/status/'
        '435555976687923200?ref_src=twsrc%5Etfw">17 בפברואר 2014</a>',
        "iamdevloper",
    ),
    (  # https://twitter.com/martindonato/status/910019348953223169
        "es",
        '&mdash; Martín Donato✴\n(@martindonato) <a href="https://twitter.com/martindonato/'
        'status/910019348953223169?ref_src=twsrc%5Etfw">19 de septiembre de 2017</a>',
        "martindonato",
    ),
    (  # https://twitter.com/ovh_support_fr/status/948564866276585472
        "fr",
        '&mdash; OVH Support FR (@ovh_support_fr) <a href="https://twitter.com/ovh_support_fr/'
        'status/948564866276585472?ref_src=twsrc%5Etfw">3 janvier 2018</a>',
        "ovh_support_fr",
    ),
    (  # https://twitter.com/jamstatic_fr/status/809514418656710658 (a literal em dash)
        "fr",
        '— Jamstatic-fr (@jamstatic_fr) <a href="https://twitter.com/jamstatic_fr/status/'
        '809514418656710658">15 décembre 2016</a>',
        "jamstatic_fr",
    ),
    (  # https://twitter.com/lucianoratamero/status/947291620109639680
        "pt",
        '— luciano ratamero (@lucianoratamero) <a href="https://twitter.com/lucianoratamero/'
        'status/947291620109639680?ref_src=twsrc%5Etfw">31 de dezembro de 2017</a>',
        "lucianoratamero",
    ),
    (  # https://twitter.com/thomasfuchs/status/708675139253174273 (spaces inside the link)
        "pt",
        '&mdash; Thomas Fuchs (@thomasfuchs) <a href="https://twitter.com/thomasfuchs/status/'
        '708675139253174273"> 12 de março de 2016 </a>',
        "thomasfuchs",
    ),
    (  # https://twitter.com/CbdFocus/status/1309487092657922048
        "zh-cn",
        '&mdash; CbdFocus (@CbdFocus) <a href="https://twitter.com/CbdFocus/status/'
        '1309487092657922048?ref_src=twsrc%5Etfw">2020年9月25日</a>',
        "CbdFocus",
    ),
]


@pytest.mark.parametrize(("lang", "markup", "author"), REAL_ATTRIBUTIONS)
def test_real_attribution_lines_in_markup(lang: str, markup: str, author: str) -> None:
    html = f'<blockquote class="x" data-lang="{lang}"><p>Post text.</p>{markup}</blockquote>'
    found = embeds.attributions(html)
    assert [e.rule for e in found] == ["text.attribution"]
    assert author.lower() in found[0].authors
    covered = html[found[0].span[0] : found[0].span[1]]
    assert "Post text." in covered and covered.endswith("</a>")


@pytest.mark.parametrize(("lang", "markup", "author"), REAL_ATTRIBUTIONS)
def test_real_attribution_lines_as_extracted_text(lang: str, markup: str, author: str) -> None:
    """What a text extractor leaves: the entity decoded, the tags gone."""
    line = " ".join(markup.replace("&mdash;", "—").split())
    line = line[: line.index("<a ")] + line[line.index('">') + 2 : line.index("</a>")]
    text = f"Some article.\n\nThe post text here.{line}\n\nMore article."
    found = [e for e in analyze_text(text) if e.rule == "text.attribution"]
    assert found, text
    assert author.lower() in found[0].authors


def _native(text: str, locale: Locale) -> str:
    """``text`` with its ASCII digits in the locale's default numbering system."""
    zero = locale.number_symbols.get(locale.default_numbering_system, {})
    digits = {"arab": "٠", "arabext": "۰", "beng": "০", "deva": "०", "thai": "๐"}
    base = digits.get(locale.default_numbering_system)
    if base is None or not zero:
        return text
    return "".join(chr(ord(base) + int(c)) if c.isdigit() and c.isascii() else c for c in text)


_CLDR = {"msa": "ms", "no": "nb", "zh-cn": "zh_Hans", "zh-tw": "zh_Hant"}
_DAY = datetime.date(2016, 5, 28)


@pytest.mark.parametrize("lang", dates.LANGUAGES)
@pytest.mark.parametrize("width", ["long", "medium"])
def test_every_widget_language_in_cldr_form(lang: str, width: str) -> None:
    """The widget's own date format for each language, in Latin and native digits."""
    locale = Locale.parse(_CLDR.get(lang, lang))
    for day in (_DAY, datetime.date(2023, 9, 3), datetime.date(2009, 12, 31)):
        printed = format_date(day, width, locale=locale)
        for form in {printed, _native(printed, locale)}:
            m = dates.match(form)
            assert m is not None and m.end() == len(form), (lang, form)


@pytest.mark.parametrize(
    "date",
    [
        "٢٨ مايو ٢٠١٦",  # Arabic, Arabic-Indic digits
        "\u200f28 مايو\u200f 2016",  # Arabic with right-to-left marks between the parts
        "۲۸ مه ۲۰۱۶",  # Persian, Persian digits
        "28 مئی، 2016",  # Urdu: Arabic comma before the year
        "28\u061c مئی\u061c، 2016",  # Urdu with Arabic letter marks
        "২৮ মে, ২০১৬",  # Bengali digits
        "२८ मई २०१६",  # Hindi, Devanagari digits
        "28 พฤษภาคม พ.ศ. 2559",  # Thai, Buddhist era
        "๒๘ พฤษภาคม ๒๕๕๙",  # Thai digits, no era
        "2016 年 5 月 28 日",  # CJK with spaces an extractor added
        "2016년5월28일",  # Korean without spaces
        "2016. május 28.",  # Hungarian year-first order
        "28 tháng 5, 2016",  # Vietnamese
        "28. toukokuuta 2016",  # Finnish inflected (format) month
        "28 maja 2016",  # Polish genitive
        "May 5th, 2014",  # an English ordinal some renditions add
        "3 June 2020",  # English re-rendered in British order
        "Mar\u00a05,\u00a02014",  # no-break spaces
    ],
)
def test_scripts_digits_marks_and_punctuation(date: str) -> None:
    m = dates.match(date)
    assert m is not None and m.end() == len(date), date


@pytest.mark.parametrize(
    "text",
    [
        "Mayday 5, 2014",  # not a month name
        "X11 5 2014",
        "28 apples 2016",
        "version 2016.5.28",
        "12345 de mayo de 2016",  # the day has at most two digits
        "28 de mayo de 20161",  # nor does the year run on
    ],
)
def test_non_dates(text: str) -> None:
    m = dates.search(text)
    assert m is None or m.group() not in text.split(" ", 1)[0], text
    assert dates.match(text) is None


def test_search_finds_the_first_date_and_honours_bounds() -> None:
    text = "Posted in 1999; embed of 28. Mai 2016 and of May 5, 2014."
    first = dates.search(text)
    assert first is not None and first.group() == "28. Mai 2016"
    second = dates.search(text, first.end())
    assert second is not None and second.group() == "May 5, 2014"
    assert dates.search(text, first.end(), second.end() - 1) is None


def test_pattern_embeds_in_other_patterns() -> None:
    import re

    source = dates.pattern()
    assert re.compile(source).groups == 0  # no groups to clash with a caller's
    line = re.compile(rf"\(@(\w+)\) ({source})")
    m = line.search("— Name (@someone) 16 мая 2018 г.")
    assert m is not None and m.group(1) == "someone" and m.group(2) == "16 мая 2018 г."
    assert re.fullmatch(dates.month_pattern(), "septiembre")
    assert re.fullmatch(dates.month_pattern(), "Sept.")


def test_attribution_without_a_real_date_is_not_an_embed() -> None:
    text = "Post text — Name (@someone) Mayday 5, 2014"
    assert not [e for e in embeds.attributions(text) if e.rule == "text.attribution"]


def test_importing_the_text_detector_does_not_load_babel() -> None:
    code = "import sys, xfilter.detect.text; print('babel' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
