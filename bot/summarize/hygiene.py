"""Sentences a user sees are whole: no dateline glued on, no credits, no dangling colons.

Articles open with datelines ("Thursday, May 7, 2015", "OSLO —", "MOSCOW, 1 Dec — RIA
Novosti.", "新华社北京12月8日电"), carry photo captions, credits and bylines ("In this 2010 file
photo, ...", "Photo: Reuters", "By Jane Doe"), and introduce quotations with a colon.
Sentence splitting keeps these as, or inside, sentences; a summary that picks one shows a
fragment. `clean_sentence` strips a leading dateline or picture credit from a sentence and
a picture aside ("(pictured)") from inside it, and returns None for a sentence that is
nothing else, a caption, a credit or byline, or a lead-in whose quotation would be left out
(it ends with ":"), and for page chrome ("Follow us on Twitter"); a prompt before a sentence
("Scroll down for video") is cut off like a dateline.
"""

from __future__ import annotations

import re

from bot.summarize.tokenizer import word_count

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    "(?:янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек)[а-я]*"
)
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)"
_DAY_MONTH = rf"(?:(?:{_MONTHS})\.?\s+\d{{1,2}}|\d{{1,2}}\s+(?:{_MONTHS})\.?)"
_DATE = rf"(?:{_WEEKDAY}?{_DAY_MONTH}(?:,?\s+\d{{4}})?)"
_DASH = r"\s*[-–—]+\s*"
_CAPS_PLACE = r"[A-ZÀ-ÞА-ЯЁ][A-ZÀ-ÞА-ЯЁ.'\- ]{2,30}"  # OSLO, NEW YORK, МОСКВА
_PLACE = r"[A-ZÀ-ÞА-ЯЁ][\w.'\-]*(?:\s[A-ZÀ-ÞА-ЯЁ][\w.'\-]*){0,3}"  # Redwood City

# A date alone before the sentence proper: "Thursday, May 7, 2015 On Tuesday, ...".
_LEADING_DATE = re.compile(rf"^{_DATE}\s+(?=[A-ZА-ЯЁ\"“«])")
# A dateline before a dash: "OSLO — ", "BRASÍLIA, Brazil – ", "United States - " (after its
# date), "November 17, Brisbane, Australia - ", "MOSCOW, 1 Dec — ", "Redwood City,
# California - ", "LONDON, England (Reuters) -- ", "(CNN) -- ". A mixed-case place needs a
# comma ("The U.S. - China talks" is a sentence).
_AGENCY = r"(?:\s*\([\w .&'\-]{2,25}\))"
_DATELINE = re.compile(
    rf"^(?:{_CAPS_PLACE}(?:,\s*{_PLACE})*(?:,\s*{_DATE})?{_AGENCY}?"
    rf"|{_DATE}(?:,?\s*{_PLACE})*{_AGENCY}?|{_PLACE}(?:,\s*{_PLACE})+{_AGENCY}?|{_AGENCY})"
    rf"{_DASH}(?=[A-ZА-ЯЁ\"“«0-9])"
)
# A place dateline glued to the sentence without a dash, where the source lost it: "Preston,
# Victoria, Australia On Saturday, ...". Only a place of two or more parts before a word
# that starts a news lead ("Paris, Texas In ..." is no sentence).
_GLUED_PLACE = re.compile(
    rf"^{_PLACE}(?:,\s*{_PLACE})+\s+(?=(?:On|In|At|The|A|An|Yesterday|Today|Tonight|Last|"
    r"This|Earlier|After|Before|During|According|Officials|Police)\b)"
)
# Nothing but a dateline and a news agency: "MOSCOW, 1 Dec — RIA Novosti."
_DATELINE_ONLY = re.compile(
    rf"^(?:{_CAPS_PLACE}(?:,\s*{_PLACE})*,?\s*(?:{_DATE})?|{_DATE}){_DASH}"
    r"[\w .&'\-]{2,40}\.?$"
)
# Credits and bylines, short ones only.
_CREDIT = re.compile(
    r"^\(?(?:photo|image|picture|video|credit|credits|source|pictured|by|фото|автор|источник)"
    r"\b\s*[:/]?\s",
    re.IGNORECASE,
)
_CREDIT_INSIDE = re.compile(
    r"\b(?:AP Photo|Getty Images|AFP/Getty|Reuters/|EPA/|Photo by|Image by)\b", re.IGNORECASE
)
CREDIT_MAX_WORDS = 12
# A time stamp with a label ("기사입력 :[ 2018-08-25 15:24 ]", "Updated 2019-11-18 10:02"):
# a numeric date or a clock time in a short line that does not end like a sentence.
_STAMP = re.compile(
    r"\b(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}|\d{1,2}:\d{2})\b"
)
STAMP_MAX_WORDS = 6
# Page chrome the text kept: a prompt before a sentence is cut off, a sentence that is one
# is never shown.
_CHROME_PREFIX = re.compile(
    r"^(?:scroll down (?:for|to see) (?:the |more )?(?:videos?|pictures?|more)|watch the video)"
    r"\s*[:.]?\s+",
    re.IGNORECASE,
)
_CHROME = re.compile(
    r"^(?:click here|follow us on|read more\b|sign up for|subscribe to our)", re.IGNORECASE
)
# A Chinese dateline or byline before the lead, the agency's or the paper's: "新华社北京12月8日电
# （记者 王明）", "中新网12月8日电", "本报北京讯", "【环球网报道】", "（记者 李华）".
_CJK_BYLINE = r"[（(](?:记者|通讯员)[^）)]{0,30}[）)]"
_CJK_DATELINE = re.compile(
    r"^(?:(?:【[^】]{1,24}】|[\u4e00-\u9fff]{0,12}\d{1,2}月\d{1,2}日[电讯]|本报[\u4e00-\u9fff]{0,6}讯)"
    rf"\s*(?:{_CJK_BYLINE})?|{_CJK_BYLINE})\s*"
)
# Pictures the text kept, which a summary cannot show. A caption, in the agencies' style
# ("In this Oct. 27, 2012 file photo, ...", "This August 2012 photo shows ...", "File-This
# ... file photo shows ...") is never shown, whatever its length.
_CAPTION = re.compile(
    r"^(?:File\s*[-–—:]\s*)?(?:In\s+)?(?:this|these)\s.{0,60}?"
    r"(?:\bfile\s+(?:photo|image|picture)s?\b"
    r"|\b(?:photo(?:graph)?|image|picture)s?\b(?:,|\s+(?:shows?|provided|released|taken|made)\b))",
    re.IGNORECASE,
)
# A picture credit before the sentence proper: "Barry Brecheisen/Getty Images There is ...",
# "(AP Photo/Michael Probst, File) When you ...", "| AP Photo Trump threatens ...".
_AGENCIES = r"(?:Getty Images|AP|AFP|Reuters|EPA|Bloomberg|Shutterstock|Alamy|PA)"
_CREDIT_PREFIX = re.compile(
    r"^(?:\|\s*)?(?:\((?:AP|AFP|Reuters|Getty)\b[^)]{0,60}\)|AP Photo(?:/[^\s/]+(?:\s[^\s/]+)?)?"
    rf"|(?:[A-Z][\w.'-]*\s){{0,3}}[A-Z][\w.'-]*/{_AGENCIES}(?:\s+(?:via|for)\s+Getty Images)?)"
    r"\s+(?=[A-Z\"“‘(])"
)
# Inside a sentence: "(Photo: Reuters)", "(pictured)", "(not pictured)", "(pictured left)".
_PICTURE_ASIDE = re.compile(
    r"\s*\((?:(?:photo|image|picture)s?\s*:[^)]{0,80}|(?:not\s+)?pictured\b[^)]{0,30})\)",
    re.IGNORECASE,
)
# What a text must hold for the rules of reading version 3 (pictures, Chinese datelines) to
# apply: a quick test, `changed_in_version_3`.
_VERSION_3_WORDS = re.compile(
    rf"(?i:photo|image|picture)|/{_AGENCIES}\b|日[电讯]|本报|【|记者|通讯员"
)


# How a sentence ends: final punctuation, then perhaps closing quotes or brackets. A line that
# does not end so is a headline, subheading, label or advertisement that extraction kept
# ("2019 American Music Awards", "Austrian-Inspired Lodging in Beautiful Stowe, VT").
_FINAL = frozenset(".!?。！？…")
_TRAILING_CLOSERS = "\"'”’»)]"


def ends_like_sentence(text: str) -> bool:
    """Whether `text` ends with final punctuation (perhaps inside quotes or brackets)."""
    return text.rstrip().rstrip(_TRAILING_CLOSERS)[-1:] in _FINAL


def changed_in_version_3(text: str) -> bool:
    """Whether the rules of reading version 3 (pictures: captions, credits, "(pictured)";
    Chinese datelines) could change a sentence of `text`: readings stored before them are
    still right for any other text."""
    return _VERSION_3_WORDS.search(text) is not None


def strip_dateline(sentence: str) -> str:
    """The sentence without a leading dateline or prompt ("OSLO — The prize" → "The prize")."""
    for pattern in (_CJK_DATELINE, _CHROME_PREFIX, _DATELINE, _LEADING_DATE, _GLUED_PLACE):
        stripped = pattern.sub("", sentence, count=1)
        # at least three words left (two Chinese characters count as one: `word_count`)
        if stripped != sentence and word_count(stripped) >= 3:
            sentence = stripped
    return sentence


def clean_sentence(sentence: str) -> str | None:
    """The sentence as a summary may show it, or None when it must not be shown at all."""
    text = sentence.strip()
    if not text or text.endswith(":"):
        return None  # a lead-in whose quotation (the next paragraph) would be left out
    if _CHROME.match(text):
        return None  # "Follow us on Twitter": the page, not the story
    if _CAPTION.match(text):
        return None  # "In this 2010 file photo, ...": a picture the summary cannot show
    if "ictured" in text or ("(" in text and ":" in text):
        text = _PICTURE_ASIDE.sub("", text)
    uncredited = _CREDIT_PREFIX.sub("", text, count=1)
    if len(uncredited) < len(text) and len(uncredited.split()) >= 3:
        text = uncredited  # "Barry Brecheisen/Getty Images There is ...": the sentence only
    words = len(text.split())
    if words <= STAMP_MAX_WORDS and _STAMP.search(text) and not text.endswith((".", "!", "?")):
        return None  # a time stamp, not a sentence
    if words <= CREDIT_MAX_WORDS and (
        _CREDIT.match(text) or _CREDIT_INSIDE.search(text) or _DATELINE_ONLY.match(text)
    ):
        return None
    return strip_dateline(text)


# Quotation marks a sentence may open and leave for a later sentence to close (single quotes
# are left alone: they are also apostrophes). Curly quotes and guillemets say which way they
# face; straight double quotes only pair up: an odd one out opens a quote when it stands
# where a word starts (after a space, a bracket or a dash, or first), else it closes one
# opened before. In a height (6'2") it is inches, not a quote.
_PAIRS = {"“": "”", "«": "»", "「": "」", "『": "』"}
_CLOSERS = {closer: opener for opener, closer in _PAIRS.items()}
_INCHES = re.compile(r"\d['′]\d{1,2}\"(?=\s)")  # a height, 6'2": no quote
_OPENS_AFTER = frozenset(" \t\n([{—–-/“«「『")


_QUOTE_MARKS = re.compile("[" + "".join(_PAIRS) + "".join(_CLOSERS) + '"]')
_CURLY_MARKS = re.compile("[" + "".join(_PAIRS) + "".join(_CLOSERS) + "]")


def _quotes(sentence: str) -> tuple[list[str], list[str]]:
    """The opening marks a sentence lacks for the quotes it closes, and the closing marks it
    lacks for the quotes it opens (each list in the order the marks appear)."""
    missing: list[str] = []
    owed: list[str] = []  # closing marks of the quotes still open
    if _QUOTE_MARKS.search(sentence) is None:
        return missing, owed  # most sentences quote nobody: no scan
    for char in _CURLY_MARKS.findall(sentence):
        if char in _PAIRS:
            owed.append(_PAIRS[char])
        elif char in _CLOSERS:
            if char in owed:
                owed.remove(char)
            else:
                missing.append(_CLOSERS[char])
    inches = {match.end() - 1 for match in _INCHES.finditer(sentence)}
    straight = [i for i in _straight_quotes(sentence) if i not in inches]
    if len(straight) % 2:
        first = straight[0]
        (owed if first == 0 or sentence[first - 1] in _OPENS_AFTER else missing).append('"')
    return missing, owed


def _straight_quotes(sentence: str) -> list[int]:
    """Where the straight double quotes of a sentence stand."""
    found: list[int] = []
    at = sentence.find('"')
    while at >= 0:
        found.append(at)
        at = sentence.find('"', at + 1)
    return found


def whole_quotes(sentences: tuple[str, ...]) -> tuple[str, ...]:
    """Sentences shown one after another, each quotation whole: a sentence that closes a quote
    opened in a sentence not shown gets the opening mark ('We need help," he said.' →
    '"We need help," he said.'), and one that opens a quote it leaves to a sentence not shown
    gets the closing mark. Quotes that the next shown sentence goes on with are left open."""
    scanned = [_quotes(sentence) for sentence in sentences]
    shown: list[str] = []
    carried = False  # the sentence before left a quote open that this one closes
    for index, (sentence, (missing, open_)) in enumerate(zip(sentences, scanned, strict=True)):
        if missing and not carried:
            sentence = "".join(reversed(missing)) + sentence
        following = scanned[index + 1][0] if index + 1 < len(sentences) else []
        carried = bool(open_) and bool(following)
        if open_ and not carried:
            sentence += "".join(reversed(open_))
        shown.append(sentence)
    return tuple(shown)
