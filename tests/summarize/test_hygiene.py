"""Sentences users see are whole: datelines, credits and dangling colons (bot.summarize.hygiene)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.models import Article
from bot.summarize import Summarizer
from bot.summarize.hygiene import clean_sentence, whole_quotes


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
        # Picture credits before the sentence, picture asides inside it.
        (
            "Barry Brecheisen/Getty Images There is no question that voters are frustrated.",
            "There is no question that voters are frustrated.",
        ),
        (
            "(AP Photo/Michael Probst, File) When you weigh all life on Earth, trees win.",
            "When you weigh all life on Earth, trees win.",
        ),
        ("| AP Photo Trump threatens to upend the policy.", "Trump threatens to upend the policy."),
        (
            "Prisoner Carlos Boente (pictured) was jailed for five years.",
            "Prisoner Carlos Boente was jailed for five years.",
        ),
        (
            "Police released an image (Photo: Metropolitan Police) of the suspect.",
            "Police released an image of the suspect.",
        ),
        # ... and sentences about pictures, which stay.
        (
            "This photo has been shared widely on social media, officials said.",
            "This photo has been shared widely on social media, officials said.",
        ),
        (
            "In this case, the court found that the photos were taken illegally.",
            "In this case, the court found that the photos were taken illegally.",
        ),
        (
            "John Smith/AP reported that the vote failed.",
            "John Smith/AP reported that the vote failed.",
        ),
        # Chinese datelines and bylines, the agency's or the paper's.
        ("新华社北京12月8日电（记者王明）国务院总理今天会见了客人。", "国务院总理今天会见了客人。"),
        (
            "中新网12月8日电 据报道，台湾与帕劳的旅游泡泡有进展。",
            "据报道，台湾与帕劳的旅游泡泡有进展。",
        ),
        ("本报北京讯 （记者 李华）今年全国粮食产量再创新高。", "今年全国粮食产量再创新高。"),
        ("【环球网报道】美国总统今天发表讲话。", "美国总统今天发表讲话。"),
        ("电视台今天播出了新节目。", "电视台今天播出了新节目。"),
        ("据路透社12月8日报道，油价上涨。", "据路透社12月8日报道，油价上涨。"),
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
        # Captions in the agencies' style, whatever their length.
        "In this Oct. 27, 2012 file photo, Christopher Lawford appears at a luncheon in Beverly "
        "Hills, Calif.",
        "This August 2012 photo shows four shallow chops to an incomplete skull excavated in "
        "Jamestown, Va., by William Kelso of the Jamestown Rediscovery Project.",
        "In this Nov 13, 2012 file photo Jill Kelley leaves her home in Tampa, Fla.",
        "File-This Aug. 5, 1966, file photo shows members of the Trapp family at their lodge.",
        "In these images, released by police, the suspect is seen running.",
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


@pytest.mark.parametrize(
    ("shown", "whole"),
    [
        (
            ['"This is a major milestone, and I thank all parties.'],
            ['"This is a major milestone, and I thank all parties."'],
        ),
        (['We need help now," he added.'], ['"We need help now," he added.']),
        (["Он сказал: «Мост откроют."], ["Он сказал: «Мост откроют.»"]),
        (
            ["陈章太透露，“据联合国一个决定，中文一律使用简体字。"],
            ["陈章太透露，“据联合国一个决定，中文一律使用简体字。”"],
        ),
        (["done,” she said."], ["“done,” she said."]),
        # the next sentence shown goes on with the quote: both as they are
        (
            ['He said "the river rose.', "It will fall,” he added."],
            ['He said "the river rose.', "It will fall,” he added."],
        ),
        (
            ['He said "the river rose.', "The dam held."],
            ['He said "the river rose."', "The dam held."],
        ),
        # balanced, inches, apostrophes: untouched
        (
            ['He is 6\'2" tall and said "yes".', "It “works” well.", "«Да», — сказал он."],
            ['He is 6\'2" tall and said "yes".', "It “works” well.", "«Да», — сказал он."],
        ),
    ],
)
def test_quotations_shown_are_whole(shown: list[str], whole: list[str]) -> None:
    assert whole_quotes(tuple(shown)) == tuple(whole)


@given(st.lists(st.text(alphabet="ab .,\"“”«»「」1'", max_size=30), max_size=4))
def test_whole_quotes_only_adds_marks_and_is_stable(shown: list[str]) -> None:
    """It adds marks at the ends of sentences and changes nothing else; applied again, it
    changes nothing more."""
    once = whole_quotes(tuple(shown))
    assert all(original in result for original, result in zip(shown, once, strict=True))
    assert whole_quotes(once) == once
