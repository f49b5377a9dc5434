"""Compiled boilerplate patterns (English, Russian, some Chinese) used by `clean.py`.

Each pattern describes a *kind* of site furniture (a call to action, a credit, a menu item),
not a phrase from one site, so the cleaner generalises to sites it has never seen.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# Calls to action specific enough to mark any sentence that contains them as an appeal.
CALL_TO_ACTION_BRANCHES = (
    # Donation / membership / subscription appeals.
    r"\bsupport ((?-i:[uU]s)|our (work|journalism|newsroom|reporting|mission|site))\b",
    r"\b(make|give) (a )?(donation|contribution|gift) (to|today|now)\b",
    r"\bdonate (now|today|here|to (?-i:[uU]s)|to our)\b",
    r"\bbecome an? (member|subscriber|supporter|patron|sponsor|insider)\b",
    r"\b(subscribe|sign up|register) (to|for) (our|the|a) "
    r"(free )?(daily |weekly )?(newsletter|mailing list|digest|briefing)\b",
    r"\bnot ready to (support|donate|subscribe|give|contribute)\b",
    r"\b(consider|by|please) (supporting|donating to|subscribing to) ((?-i:[uU]s)|our)\b",
    r"\b(one[- ]time|monthly|annual|recurring) (donation|contribution|gift)\b",
    r"\bplease\b.{0,40}\b(donat|support|subscri|contribut|gift|chip in)",
    # Paywall prompts.
    r"\b(subscribe|log in|sign in|register)\b.{0,30}\bto (continue|keep) reading\b",
    r"\b(already|are you) an? (subscriber|member)\b",
    r"\b(log|sign) in to (continue|read|keep reading|comment)\b",
    r"\bthis (article|content|story|page) is (only )?(available |reserved )?"
    r"(for|to) (paying |premium )?(subscribers|members)\b",
    r"\byou('ve| have) (reached|read) (your|all|\d+)\b.*\b(free )?(articles?|limit)\b",
    r"\bfree articles? (left|remaining)\b",
    r"\bunlock (this|full|unlimited) (article|access|story)\b",
    # Cookie prompts.
    r"\b(we|this (web)?site|our (web)?site) uses? cookies\b",
    r"\bcookie (policy|settings|preferences|consent)\b",
    r"\bmanage (cookies|preferences|consent)\b",
    # Sharing and following.
    r"^share (this|on|via|to|the)\b",
    r"^(follow|like|find|join) (?-i:[uU]s) (on|at|in)\b",
    r"\bclick here to\b",
    r"\bctrl\s*\+\s*enter\b",
    r"\ball rights reserved\b",
    # Russian.
    r"\b(подпишитесь|подписывайтесь)\b",
    r"\bподписаться на (наш|рассылк|канал|новост)",
    r"\bподдерж(ите|ать) (нас|наш|редакци|проект|журналист)",
    r"\bпомогите (нам|нашей|нашему|проекту|редакции)\b",
    r"\b(сделать|сделайте|отправить|отправьте) (пожертвование|донат)",
    r"\bмы используем (файлы )?cookie",
    r"\bнапомнить (мне )?позже\b",
    r"\bвсе права защищены\b",
    r"\bчтобы (продолжить|дочитать) (чтение|статью)\b",
    r"^поделиться\b",
    # Chinese.
    r"(责任编辑|相关阅读|延伸阅读|点击关注|扫码关注|扫描二维码|分享到|版权所有)",
)
# `\b(?:a|b)` rather than `\ba|\bb`: the engine tests the word boundary once per position,
# not once per branch (2.3x faster on the extraction pages' sentences).
_AT_WORD = [branch.removeprefix(r"\b") for branch in CALL_TO_ACTION_BRANCHES if branch[:2] == r"\b"]
CALL_TO_ACTION = re.compile(
    "|".join(
        [f"\\b(?:{'|'.join(_AT_WORD)})"]
        + [branch for branch in CALL_TO_ACTION_BRANCHES if branch[:2] != r"\b"]
    ),
    _I,
)

# Every branch above begins with one of these words, except the Chinese one (matched by
# CALL_TO_ACTION_CJK): a sentence with none of them cannot match CALL_TO_ACTION, the
# costliest pattern, so it is not run (tests/ingest/test_patterns.py keeps the list whole).
_CALL_TO_ACTION_TEXT = """
    support make give donate become subscribe sign register not consider by please one
    monthly annual recurring log already are you this free unlock we our cookie manage share
    follow like find join click ctrl all подпишитесь подписывайтесь подписаться поддержите
    поддержать помогите сделать сделайте отправить отправьте мы напомнить все чтобы
    поделиться
"""
CALL_TO_ACTION_WORDS = frozenset(_CALL_TO_ACTION_TEXT.split())
# Of those, the words common in any news sentence ("you", "this", "by", "one": 30% of the
# extraction pages' sentences hold one). Where one of them is a sentence's only listed word,
# the pattern can match only if the word is followed by its next word in a branch, one of
# `CALL_TO_ACTION_PAIRS` (tests/ingest/test_patterns.py derives the pairs from the branches).
_CALL_TO_ACTION_COMMON_TEXT = """
    you this by are not one all we like make our find already follow join give become share
    consider free все мы чтобы
"""
CALL_TO_ACTION_COMMON = frozenset(_CALL_TO_ACTION_COMMON_TEXT.split())
_CALL_TO_ACTION_PAIRS_TEXT = """
    you ve|you have|this article|this content|this story|this page|this website|this site
    by supporting|by donating|by subscribing|are you|not ready|one time|all rights|we use
    we uses|like us|make a|make donation|make contribution|make gift|our website|our site
    find us|already a|already an|follow us|join us|give a|give donation|give contribution
    give gift|become a|become an|share this|share on|share via|share to|share the
    consider supporting|consider donating|consider subscribing|free article|free articles
    все права|мы используем|чтобы продолжить|чтобы дочитать
"""
_PAIRS = _CALL_TO_ACTION_PAIRS_TEXT.replace("\n", "|").split("|")
CALL_TO_ACTION_PAIRS = frozenset(pair.strip() for pair in _PAIRS if pair.strip())
CALL_TO_ACTION_CJK = re.compile(CALL_TO_ACTION_BRANCHES[-1])

# Widget labels: boilerplate when they make up most of a very short line.
WIDGET = re.compile(
    r"\b(remind me later|maybe later|no,? thanks|not now|accept (all|cookies)|reject all"
    r"|donate|subscribe|support us|sign up|payment (methods?|options?)|ad[- ]free"
    r"|continue reading|advertisement|sponsored( content)?"
    r"|напомнить позже|принять( все)?|подписка|подписаться|без рекламы|реклама)\b",
    _I,
)

# "Read more", "Related:", "See also" lines (cross-links, always boilerplate when short).
CROSS_LINK = re.compile(
    r"^(read|see|watch|listen) (more|also|next|the full (story|article))\b"
    r"|^(read|see|watch|listen)\s*:"
    r"|^related( (articles?|stories|news|content|coverage|topics|links))?\s*[:\-–—]?"
    r"|^(more|also) (on|from|about|in) (this|the|our)\b"
    r"|^(recommended|suggested)( (for you|reading|articles|stories))?\s*[:\-–—]?"
    r"|^(читайте|читать) (также|еще|ещё|далее|подробнее|дальше)\b"
    r"|^(смотрите|см\.) также\b|^по теме\s*:|^подробнее\b",
    _I,
)

# A picture credit: "Photo: X", "(Photo by X)", "AP Photo/X", "Getty Images", "Фото: X".
PHOTO_CREDIT = re.compile(
    r"^\(?\s*(photo|image|picture|illustration|video|credit|source|фото|иллюстрация|источник"
    r"|кадр|скриншот)s?(graph)?\s*(by|credit|:|/|©|—|-)"
    r"|\b(getty images|shutterstock|ap photo|afp|epa(-efe)?|reuters|associated press|pixabay"
    r"|unsplash|pexels|wikimedia commons|tass|ria novosti|итар-тасс|риа новости|тасс)\b"
    r"|©",
    _I,
)

# Two or more name-like parts joined by slashes: "Pixabay / MT", "AP Photo/Evan Vucci".
SLASH_CREDIT = re.compile(r"^[^\W\d_][\w.&'’ -]{0,40}(\s*/\s*[\w.&'’ -]{1,40})+$")

# A breadcrumb trail: "Home > World > Asia", "News » Politics".
BREADCRUMB = re.compile(r"^[^.!?>»›]{1,40}(\s*[>»›]\s*[^.!?>»›]{1,40}){1,}$")

# Words that make up site menus; a short line made only of them is navigation.
_MENU_TEXT = """
    home news menu search skip to main content sign in log login logout out register
    subscribe next previous prev article story back top close more print email share tweet
    comments comment advertisement advertising sponsored ad ads world business politics
    sport sports tech technology science health opinion culture entertainment lifestyle
    video videos podcasts podcast weather travel economy markets contact about us
    newsletter newsletters latest live trending popular most read the and of & all sections
    privacy policy terms cookies accessibility help faq jobs careers shop account my use
    service conditions notice advertise events international features finance columnists
    photos games topics archives blog magazine local national feedback forum rss
    facebook twitter x linkedin instagram youtube pinterest whatsapp telegram reddit tiktok
    vk vkontakte messenger flipboard
    главная новости меню поиск войти вход выход регистрация далее назад наверх реклама
    поделиться комментарии политика экономика общество спорт культура наука технологии
    происшествия мнения видео фото в мире россия контакты о нас проекте все
"""
MENU_WORDS = frozenset(_MENU_TEXT.split())

# The site speaking about itself ("we", "our newsroom").
SITE_VOICE = re.compile(
    r"\b(we|we're|we've|our|ours|(?-i:[uU]s))\b|(?<!\w)(мы|нас|нам|нами|наш\w*)(?!\w)", _I
)

# The site addressing its reader; with `READER_ASK` it is an appeal.
READER_VOICE = re.compile(r"\b(you|you're|your|yours)\b|(?<!\w)(вы|вас|вам|вами|ваш\w*)(?!\w)", _I)
# A sentence can match SITE_VOICE / READER_VOICE only if it holds one of these words (lower-
# cased) or the stem: the cleaner runs the patterns on the few that do (tests/ingest/
# test_patterns.py derives the words from the patterns).
SITE_VOICE_WORDS = frozenset({"we", "our", "ours", "us", "мы", "нас", "нам", "нами"})
SITE_VOICE_STEM = "наш"
READER_VOICE_WORDS = frozenset({"you", "your", "yours", "вы", "вас", "вам", "вами"})
READER_VOICE_STEM = "ваш"

# What a site asks of its reader in the second person ("your support", "help us").
READER_ASK = re.compile(
    r"\byour (support|donation|contribution|generosity|help|subscription|membership|gift)\b"
    r"|\b(support|help|fund|join) (?-i:[uU]s)\b|\bby (supporting|subscribing|donating)\b"
    r"|\bplease (support|donate|subscribe|consider|help)\b"
    r"|(?<!\w)ваш\w* (поддержк|помощ|пожертвов|подписк)|(?<!\w)(поддержите|помогите)(?!\w)",
    _I,
)

# What an appeal asks for.
APPEAL_TOPIC = re.compile(
    r"\b(support\w*|donat\w*|contribut\w*|subscri\w*|members?(hip)?|fund\w*|sponsor\w*"
    r"|patron\w*|journalis\w*|independen\w*|newsroom|favou?r|ads|advertis\w*|paywall"
    r"|commitment|mission|afford|costs?|help|site|website|browsing|cookies|inbox|reader)\b"
    r"|[$€£₽]\s?\d|\d\s?(₽|руб|usd|eur)"
    r"|(?<!\w)(поддерж|пожертв|подпис|донат|помо[гщч]|журналист|независим|реклам|редакци)",
    _I,
)

# Reported speech: a quoted or attributed sentence is news, not the site's own appeal.
REPORTED = re.compile(
    r"\b(said|says|told|according to|added|stated|wrote|urged|asked)\b"
    r"|(?<!\w)(сказал|заявил|сообщил|отметил|добавил|написал|по словам|призвал)\w*"
    r"|^[\"“«„'‘]",
    _I,
)

SENTENCE_END = re.compile(r"[.!?…。！？]['\"”’»)\]]*$")
# Chinese, Japanese and Korean characters: text without spaces between words.
CJK_CHARS = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CHARS}]")
SENTENCE_SPLIT = re.compile(r"(?<=[.!?…。！？])['\"”’»)\]]*\s+(?=\S)")
SEPARATORS_ONLY = re.compile(r"^[\W_]+$")
LIST_ITEM = re.compile(r"^([-*•–]|\d+[.)])\s")
