"""Tests for the offline tokenizer: sentence splits, words, and no NLTK data or network."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.summarize import OfflineTokenizer, make_tokenizer, pipeline_language
from bot.summarize.tokenizer import word_count


def test_english_abbreviations_do_not_split() -> None:
    """Dr., U.S., Mr. and e.g. stay inside their sentence."""
    text = (
        "Dr. Jane Smith of the U.S. Department of Energy spoke on Monday. "
        '"We are ready," she added. Mr. Brown disagreed, e.g. on timing.'
    )
    assert make_tokenizer("en").to_sentences(text) == (
        "Dr. Jane Smith of the U.S. Department of Energy spoke on Monday.",
        '"We are ready," she added.',
        "Mr. Brown disagreed, e.g. on timing.",
    )


def test_russian_abbreviations_do_not_split() -> None:
    """ "г.", "т.е." and "Проф." stay inside their sentence."""
    text = (
        "В 2021 г. компания открыла завод в Казани, т.е. в Татарстане. "
        "Проф. Иванов назвал это успехом. «Мы довольны», — сказал он."
    )
    assert make_tokenizer("ru").to_sentences(text) == (
        "В 2021 г. компания открыла завод в Казани, т.е. в Татарстане.",
        "Проф. Иванов назвал это успехом.",
        "«Мы довольны», — сказал он.",
    )


def test_a_quoted_exclamation_or_question_goes_on_in_small_letters() -> None:
    """Punkt cuts after every "!" and "?"; a next word in small letters continues the sentence
    ("asked Smith", "состоялась"), one in capitals or a brand like "iPhone" starts another."""
    english = (
        '"Why?" asked Smith. "Stop!" he shouted. Really? Yes. '
        "Apple's show was a hit! iPhone sales rose."
    )
    assert make_tokenizer("en").to_sentences(english) == (
        '"Why?" asked Smith.',
        '"Stop!" he shouted.',
        "Really?",
        "Yes.",
        "Apple's show was a hit!",
        "iPhone sales rose.",
    )
    russian = "Премьера шоу «Пусть всегда будет солнце!» состоялась в Ростове. Зал был полон."
    assert make_tokenizer("ru").to_sentences(russian) == (
        "Премьера шоу «Пусть всегда будет солнце!» состоялась в Ростове.",
        "Зал был полон.",
    )


def test_chinese_sentences_split_on_full_width_terminators() -> None:
    """。！？ end sentences; a closing quote stays with its sentence; a tail without one is kept."""
    text = "北京今天下雪了。市民纷纷出门赏雪！“你见过这么大的雪吗？”天气预报说明天转晴"
    assert make_tokenizer("zh").to_sentences(text) == (
        "北京今天下雪了。",
        "市民纷纷出门赏雪！",
        "“你见过这么大的雪吗？”",
        "天气预报说明天转晴",
    )


def test_words_keep_intra_word_apostrophes_hyphens_and_decimals() -> None:
    """Punctuation and quotes are dropped; contractions, compounds and numbers stay whole."""
    words = make_tokenizer("en").to_words("Don't stop: the COVID-19 test costs $4.50 — 'cheap'.")
    assert words == ("Don't", "stop", "the", "COVID-19", "test", "costs", "4.50", "cheap")


def test_russian_words() -> None:
    """Cyrillic compounds and decimal commas are single words."""
    words = make_tokenizer("ru").to_words("Нью-Йорк принял 1,5 млн гостей!")
    assert words == ("Нью-Йорк", "принял", "1,5", "млн", "гостей")


def test_chinese_words_are_single_ideographs_and_latin_runs() -> None:
    """Each CJK ideograph is a word; Latin words and numbers inside Chinese stay whole."""
    words = make_tokenizer("zh").to_words("苹果发布了iPhone 15，售价5.5万元。")
    assert words == ("苹", "果", "发", "布", "了", "iPhone", "15", "售", "价", "5.5", "万", "元")


def test_empty_and_blank_paragraphs_give_no_sentences() -> None:
    """Whitespace never becomes a sentence."""
    assert make_tokenizer("en").to_sentences("   ") == ()
    assert make_tokenizer("en").to_words(" — ! ") == ()


@pytest.mark.parametrize(
    ("code", "pipeline"),
    [
        ("en", "english"),
        ("EN-us", "english"),
        ("ru", "russian"),
        ("russian", "russian"),
        ("zh", "chinese"),
        ("zh-CN", "chinese"),
        ("zh_TW", "chinese"),
        ("de", "english"),
        ("", "english"),
    ],
)
def test_languages_map_to_pipelines(code: str, pipeline: str) -> None:
    """Known codes get their pipeline; anything else falls back to English."""
    assert pipeline_language(code) == pipeline
    assert make_tokenizer(code).language == pipeline


def test_tokenizers_are_cached_per_pipeline() -> None:
    """One tokenizer object per pipeline language, whatever the spelling of the code."""
    assert make_tokenizer("ru") is make_tokenizer("RU")
    assert make_tokenizer("fr") is make_tokenizer("en")
    assert isinstance(make_tokenizer("zh"), OfflineTokenizer)


_OFFLINE_SCRIPT = textwrap.dedent(
    """
    import socket

    import nltk.data

    def forbidden(*args, **kwargs):
        raise AssertionError("NLTK data or the network was touched")

    nltk.data.path[:] = []
    nltk.data.find = nltk.data.load = forbidden
    socket.socket = socket.create_connection = forbidden

    from bot.summarize import Summarizer, available_methods

    texts = {
        "en": "Dr. Lee spoke today. The plan was approved by the U.S. Senate. "
        "Markets rose sharply after the vote. Analysts expect more gains soon.",
        "ru": "В 2020 г. завод открылся. Рабочие получили новые станки. "
        "Выпуск вырос вдвое за год. Директор доволен итогами года.",
        "zh": "北京今天下雪了。市民纷纷出门赏雪。交通部门提醒司机注意安全。预计明天转晴。",
    }
    for method in available_methods():
        for language, text in texts.items():
            summary = Summarizer(method, 2).summarize_text(text, language=language)
            assert len(summary) == 2, (method, language, summary)
    print("offline ok")
    """
)


def test_works_without_nltk_data_or_network(tmp_path: Path) -> None:
    """Every method in every language runs with NLTK data and sockets made unreachable."""
    env = {**os.environ, "NLTK_DATA": str(tmp_path / "nonexistent"), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", _OFFLINE_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "offline ok"


def test_word_count_counts_two_ideographs_as_a_word() -> None:
    """Budgets count words: spaces split English and Russian, two ideographs make a Chinese
    word, and words in Latin letters inside Chinese text count as words."""
    sentence = "The plan was approved by the U.S. Senate on Tuesday, 12 votes to 3."
    assert word_count(sentence) == len(sentence.split())
    assert word_count("В 2020 г. завод открылся.") == 5
    assert word_count("北京今天下雪了。") == 4  # 7 ideographs, rounded up
    assert word_count("苹果发布 iPhone 15 手机。") == 5  # 6 ideographs, "iPhone", "15"
    assert word_count("") == 0
