"""Sentences users see are whole: datelines, credits and dangling colons (bot.summarize.hygiene)."""

from __future__ import annotations

import pytest

from bot.models import Article
from bot.summarize import Summarizer
from bot.summarize.hygiene import clean_sentence


@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        (
            "Thursday, May 7, 2015 On Tuesday, the New Zealand government announced a vote.",
            "On Tuesday, the New Zealand government announced a vote.",
        ),
        (
            "OSLO — The 2004 Nobel Peace Prize was awarded today to Dr Wangari Maathai.",
            "The 2004 Nobel Peace Prize was awarded today to Dr Wangari Maathai.",
        ),
        (
            "BRASÍLIA, Brazil – Mr. Lula da Silva met the President of South Korea.",
            "Mr. Lula da Silva met the President of South Korea.",
        ),
        (
            "December 29 United States - According to NASA, the asteroid is safe.",
            "According to NASA, the asteroid is safe.",
        ),
        (
            "Redwood City, California - The jury suggested the death penalty for Peterson.",
            "The jury suggested the death penalty for Peterson.",
        ),
        (
            "Preston, Victoria, Australia On Saturday, Wikinews interviewed Tina McKenzie.",
            "On Saturday, Wikinews interviewed Tina McKenzie.",
        ),
        (
            "(CNN) -- A man was arrested on Tuesday in Ohio.",
            "A man was arrested on Tuesday in Ohio.",
        ),
        (
            "Scroll down for video Guilty: The former teacher pleaded guilty on Wednesday.",
            "Guilty: The former teacher pleaded guilty on Wednesday.",
        ),
        (
            "Watch the video: A professor explains why the bridge swayed in the wind.",
            "A professor explains why the bridge swayed in the wind.",
        ),
        ("Talks resume at 10:30 GMT.", "Talks resume at 10:30 GMT."),
        # Sentences that keep their dashes and commas.
        ("The U.S. - China talks resumed on Monday.", "The U.S. - China talks resumed on Monday."),
        (
            "Mr Smith, the mayor - who resigned - spoke.",
            "Mr Smith, the mayor - who resigned - spoke.",
        ),
        ("It was 5 - 3 at half time in Madrid.", "It was 5 - 3 at half time in Madrid."),
        (
            "Smith, Jones and Brown On Monday met the board.",
            "Smith, Jones and Brown On Monday met the board.",
        ),
        ("Paris, Texas is a small town.", "Paris, Texas is a small town."),
        (
            "By the end of the day, markets had recovered most of their losses.",
            "By the end of the day, markets had recovered most of their losses.",
        ),
    ],
)
def test_datelines_are_stripped_and_sentences_kept(sentence: str, shown: str) -> None:
    assert clean_sentence(sentence) == shown


@pytest.mark.parametrize(
    "sentence",
    [
        "MOSCOW, 1 Dec — RIA Novosti.",
        "МОСКВА, 1 дек — РИА Новости.",
        "The minister told reporters:",
        "Photo: Reuters",
        "(AP Photo/Evan Vucci)",
        "By Jane Doe, Political Correspondent",
        "Фото: пресс-служба министерства",
        "Follow us on Twitter @BBCNews",
        "Click here to read the full report.",
        "기사입력 :[ 2018-08-25 15:24 ]",
        "Updated 2019-11-18 10:02 GMT",
    ],
)
def test_datelines_credits_and_lead_ins_are_never_shown(sentence: str) -> None:
    assert clean_sentence(sentence) is None


def test_a_summary_never_shows_a_glued_dateline_or_a_credit() -> None:
    text = (
        "Thursday, May 7, 2015 On Tuesday, the New Zealand government announced a review of "
        "the national flag.\n"
        "Photo: Government House\n"
        "The prime minister said:\n"
        "A panel will travel the country to hear what citizens think of the current design.\n"
        "Two referendums will follow, the first choosing among new designs."
    )
    article = Article(title="New Zealand to review its flag", text=text, id=1)
    summary = Summarizer().summarize_article(article, 3)
    assert summary.sentences[0].startswith("On Tuesday, the New Zealand government")
    assert not any(s.endswith(":") or s.startswith("Photo") for s in summary.sentences)
