"""Tests for `bot.ingest.clean`: boilerplate goes, article paragraphs stay, never more text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ingest.clean import clean_text, tidy_quotes

SAMPLES = Path(__file__).parents[2].parent / "shared" / "samples"

NEWS = [
    "The city council approved the new budget on Monday after a six-hour debate.",
    "Spending on schools will rise by 4%, while road repairs get an extra $2 million a year.",
    "Opposition members said the plan relied on optimistic tax forecasts.",
]


def _normalized(text: str) -> list[str]:
    """Lines with whitespace folded, blank lines dropped."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _with(*boilerplate: str, at: int = 1) -> str:
    """The news paragraphs with boilerplate lines inserted at position `at`."""
    lines = [*NEWS[:at], *boilerplate, *NEWS[at:]]
    return "\n\n".join(lines)


def test_sample_cleans_to_the_hand_cleaned_version() -> None:
    raw = SAMPLES / "moscow-times-russia-china.txt"
    expected = SAMPLES / "moscow-times-russia-china.clean.txt"
    if not raw.exists() or not expected.exists():
        pytest.skip("shared samples not available")
    cleaned = clean_text(raw.read_text(encoding="utf-8"))
    assert _normalized(cleaned) == _normalized(expected.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "line",
    [
        # appeals and widgets
        "Donate now",
        "Please support our journalism.",
        "Become a subscriber today!",
        "Subscribe to our weekly newsletter",
        "Maybe later",
        "No thanks",
        # cross-links
        "Read also: Floods close schools in the south",
        "Related: The 10 biggest storms of the decade",
        "See also",
        "READ MORE",
        # credits
        "Photo: Jane Doe / City Herald",
        "(Photo by John Smith/Getty Images)",
        "AP Photo/Evan Vucci",
        "Reuters/Maxim Shemetov",
        "Ivan Petrov / Kommersant",
        "© 2024 City Herald",
        # cookies, paywall, sharing
        "We use cookies to give you the best experience on our site.",
        "Accept all",
        "Already a subscriber? Log in",
        "This article is only available to subscribers.",
        "Subscribe now to continue reading.",
        "Share this article",
        "Follow us on Instagram",
        # navigation
        "Skip to content",
        "Sign in",
        "Home > World > Asia",
        "Next article",
        "* * *",
        "World | Business | Sport | Opinion",
        # Russian
        "Подпишитесь на наш канал в Telegram",
        "Поддержите нас",
        "Читайте также: Как изменятся цены на бензин",
        "Фото: Иван Иванов / ТАСС",
        "Мы используем файлы cookie, чтобы сайт работал лучше.",
        "Главная > Новости > Политика",
        "Если вы нашли ошибку, выделите фрагмент текста и нажмите Ctrl+Enter.",
    ],
)
def test_boilerplate_line_is_removed_and_news_stays(line: str) -> None:
    assert _normalized(clean_text(_with(line))) == NEWS


def test_menu_flattened_to_lines_is_removed() -> None:
    text = "\n".join(["Politics", "Energy & Environment", "Obituaries", "Crosswords", *NEWS])
    assert _normalized(clean_text(text)) == NEWS


def test_appeal_paragraph_in_other_words_is_removed() -> None:
    appeal = (
        "Independent reporting like ours costs money. We rely on readers like you to fund "
        "our newsroom. Any contribution, big or small, keeps our journalism free for all."
    )
    assert _normalized(clean_text(_with(appeal))) == NEWS


def test_trailing_appeal_run_is_removed() -> None:
    tail = [
        "Before you go: our newsroom depends on readers like you, not on advertisers.",
        "If you value our work, please consider a donation: every gift helps us report.",
        "Choose an amount",
        "Thank you.",
    ]
    assert _normalized(clean_text(_with(*tail, at=3))) == NEWS


def test_russian_appeal_block_is_removed() -> None:
    news = [
        "Правительство утвердило новый бюджет на следующий год.",
        "Расходы на образование вырастут на 4%, сообщил министр финансов.",
    ]
    appeal = (
        "Мы работаем для вас каждый день. Наша редакция существует только на средства "
        "читателей. Поддержите нас — ваша помощь помогает нам оставаться независимыми."
    )
    text = "\n\n".join([*news, appeal, "Напомнить позже"])
    assert _normalized(clean_text(text)) == news


@pytest.mark.parametrize(
    "paragraph",
    [
        "Stores close.",
        "Support for the measure fell to 40%.",
        "Not now, he said.",
        "Reuters reported the story first.",
        '"We need your help, and we need your donations now," the mayor said.',
        "The charity urged residents to donate blood and to support the victims' families.",
        "The paper moved behind a paywall last year and asked readers to subscribe.",
        "Read the full report on the ministry's website, officials said.",
    ],
)
def test_short_or_reported_news_paragraph_stays(paragraph: str) -> None:
    assert _normalized(clean_text(_with(paragraph))) == [NEWS[0], paragraph, *NEWS[1:]]


@pytest.mark.parametrize(
    "headline",
    [
        "Council Approves Budget After Six-Hour Debate",
        "Millions Sign Up for Vaccine",
        "Support Grows for Climate Bill",
        "Russia / Ukraine: Talks Resume in Istanbul",
    ],
)
def test_headline_without_punctuation_stays(headline: str) -> None:
    assert clean_text("\n\n".join([headline, *NEWS])).split("\n")[0] == headline


def test_one_paragraph_per_line_with_whitespace_and_invisible_characters_normalized() -> None:
    text = "  First\u00a0 para\u200bgraph\tof the story.\r\n\r\n\x07Second   paragraph here.\u2028"
    assert clean_text(text) == "First paragraph of the story.\nSecond paragraph here."


@pytest.mark.parametrize("char", ["\u200b", "\u00ad", "\ufeff", "\x07", "\x1f", "\x9f"])
def test_each_invisible_character_alone_is_removed(char: str) -> None:
    """Texts without any of them skip the translation: one such character is enough for it."""
    assert clean_text(f"The council app{char}roved the budget on Monday.") == (
        "The council approved the budget on Monday."
    )


@pytest.mark.parametrize("char", ["\r", "\u2028", "\x0b", "\x85"])
def test_each_newline_variant_alone_splits_paragraphs(char: str) -> None:
    assert clean_text(f"The council met on Monday.{char}{char}It approved the budget.") == (
        "The council met on Monday.\nIt approved the budget."
    )


def test_hard_wrapped_paragraph_is_joined() -> None:
    text = "The council approved the budget\nafter a long debate on Monday.\n\nNext one."
    assert (
        clean_text(text)
        == "The council approved the budget after a long debate on Monday.\nNext one."
    )


def test_empty_and_blank_inputs() -> None:
    assert clean_text("") == ""
    assert clean_text(" \n\t\n ") == ""


@given(st.text())
def test_never_raises_and_never_grows(text: str) -> None:
    cleaned = clean_text(text)
    assert len(cleaned) <= len(text)
    assert "\n\n" not in cleaned


@given(st.lists(st.sampled_from([*NEWS, "Donate", "Read more", "Support us", "", "Home"])))
def test_mixed_lines_keep_every_news_paragraph(lines: list[str]) -> None:
    kept = _normalized(clean_text("\n".join(lines)))
    assert kept == [line for line in lines if line in NEWS]


def test_backtick_quotes_become_typographic_ones() -> None:
    """As the bundled Wikinews sample and TeX write them; a `code` span is left alone."""
    assert tidy_quotes("tumble on ` Black Monday' anniversary") == (
        "tumble on ‘Black Monday’ anniversary"
    )
    assert tidy_quotes("findings that don`t have") == "findings that don't have"
    assert tidy_quotes("`` double '' quotes") == "“double” quotes"
    assert tidy_quotes("saying, ` well, we are close,' he said") == (
        "saying, ‘well, we are close,’ he said"
    )
    assert tidy_quotes("the Jones' car") == "the Jones' car"
    assert tidy_quotes("code `x = 1` here") == "code `x = 1` here"
    assert "‘Black Monday’" in clean_text("It is known as ` Black Monday'.\nThe crash began.")


@given(st.text("ab `'\n.“‘’", max_size=14))
def test_tidying_quotes_twice_changes_nothing_more(text: str) -> None:
    """Whatever the backticks and quotes, a second pass finds nothing left to change."""
    once = tidy_quotes(text)
    assert tidy_quotes(once) == once
