"""Suggestions for misspelt topics ("Did you mean …?"), measured on the judged topics.

Run: python benchmarks/spelling.py   (the bundled sample in a fresh SQLite file; ~10 s)

Every judged topic (benchmarks/data/retrieval_qrels*.jsonl, English and Russian) that has an
answer gets one typo in its longest word (a letter dropped, two neighbours swapped, one
replaced or one added; a fixed seed); the topics the typo leaves answered are set aside. For
the others it prints how many get a suggestion (`bot.usecases.news.did_you_mean`, as the bot
answers "Nothing stored"), how many of those are the topic itself, and how many find the same
articles as the topic (another form of its words: «Младич» for «Младича»). Then news words the
sample lacks ("bitcoin", "Brexit", «пандемия»): none should get a suggestion. Last, names of
the sample's stories typed in the other script ("Putin" for «Путин», «Боинг» for "Boeing"):
how many get the headlines' name suggested. No constant here is fitted (`bot.spelling`).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import sys
import tempfile
import time
from pathlib import Path

from common import exit_code

from bot.answer_cache import AnswerCache
from bot.context import Resources
from bot.ingest import load_bundled_sample
from bot.spelling import TITLES
from bot.store import open_store
from bot.usecases import news

DATA = Path(__file__).resolve().parent / "data"
ABSENT = (
    "bitcoin", "Brexit", "Ebola", "wildfire", "blockchain", "Zelensky", "Tesla", "pandemic",
    "Netflix", "hurricane", "Kardashian", "cryptocurrency", "ceasefire", "Gaza", "Instagram",
    "TikTok", "vaccine", "Formula", "биткоин", "Навальный", "Зеленский", "пандемия", "вакцина",
    "Олимпиада",
)  # fmt: skip
LETTERS = {"en": "abcdefghijklmnopqrstuvwxyz", "ru": "абвгдежзийклмнопрстуфхцчшщыьэюя"}
# Names of the sample's stories written in the other script, as a reader would type them,
# with the name as the stories' headlines write it (written down from the headlines before
# the suggestions were run).
NAMES = (
    ("Putin", "Путин"), ("Mandela", "Мандела"), ("Berlusconi", "Берлускони"),
    ("Mladic", "Младич"), ("Skripal", "Скрипаля"), ("Morsi", "Мурси"), ("Chavez", "Чавес"),
    ("Castro", "Кастро"), ("Lennon", "Леннона"), ("Chaplin", "Чаплина"), ("Beckham", "Бекхэм"),
    ("Huntsman", "Хантсмена"), ("Neruda", "Неруды"), ("Usyk", "Усик"), ("Bogle", "Богл"),
    ("Watanabe", "Ватанабэ"), ("Amano", "Амано"), ("Popov", "Попов"), ("Lidstrom", "Лидстрём"),
    ("Kinski", "Кински"), ("Fisher", "Фишер"), ("Zuckerberg", "Цукерберг"),
    ("Rousseff", "Руссефф"), ("Primakov", "Примаков"), ("Tikhonov", "Тихонов"),
    ("Klitschko", "Кличко"), ("Penderecki", "Пендерецкий"), ("Maezawa", "Маэдзава"),
    ("Tsarnaev", "Царнаева"), ("Форд", "Ford"), ("Боинг", "Boeing"), ("Крайслер", "Chrysler"),
    ("Эйрбас", "Airbus"), ("Мозилла", "Mozilla"),
)  # fmt: skip


def misspelt(word: str, letters: str, rng: random.Random) -> str:
    """`word` with one typo: a letter dropped, two neighbours swapped, replaced or added."""
    at, kind = rng.randrange(len(word)), rng.choice("dtsi")
    if kind == "d":
        return word[:at] + word[at + 1 :]
    if kind == "t" and at < len(word) - 1:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "s":
        return word[:at] + rng.choice(letters) + word[at + 1 :]
    return word[:at] + rng.choice(letters) + word[at:]


def share(count: int, total: int) -> str:
    """count of total, with the share and its standard error."""
    p = count / total if total else 0.0
    se = math.sqrt(p * (1 - p) / total) if total else 0.0
    return f"{count} of {total} ({p:.0%} ± {se:.0%})"


async def main() -> int:
    """Print the figures; exit 1 if a word the sample lacks gets a suggestion."""
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as folder:
        resources = Resources()
        resources.store = open_store(f"sqlite:///{folder}/spelling.db")
        resources.spelling = AnswerCache(size=1, ttl=news.SPELLING_SECONDS)
        store = resources.store
        await store.open()
        await load_bundled_sample(store)
        typos = suggested = exact = same = 0
        seconds: list[float] = []
        for path in sorted(DATA.glob("retrieval_qrels*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                judged = json.loads(line)
                query, language = judged["query"], judged["lang"]
                if language not in LETTERS or not (wanted := await store.search(query, 5)):
                    continue
                words = query.split()
                longest = max(range(len(words)), key=lambda i: len(words[i]))
                if len(words[longest]) < 4:
                    continue
                words[longest] = misspelt(words[longest], LETTERS[language], rng)
                typed = " ".join(words)
                if await store.search(typed, 1):
                    continue  # the typo is still answered: nothing to suggest
                typos += 1
                started = time.perf_counter()
                suggestion = await news.did_you_mean(resources, typed)
                seconds.append(time.perf_counter() - started)
                if suggestion is None:
                    continue
                suggested += 1
                exact += suggestion.casefold() == query.casefold()
                found = await store.search(suggestion, 5)
                same += [a.id for a in found] == [a.id for a in wanted]
                if suggestion.casefold() != query.casefold():
                    print(f"  {typed!r} -> {suggestion!r} (the topic: {query!r})")
        crossed = right = 0
        for typed, written in NAMES:
            if await store.search(typed, 1):
                continue  # answered as it is
            crossed += 1
            suggestion = await news.did_you_mean(resources, typed)
            headlines = [a.id for a in await store.search(written, 5)]
            offered = [a.id for a in await store.search(suggestion, 5)] if suggestion else []
            right += bool(headlines) and offered == headlines
            print(f"  {typed} -> {suggestion} (headlines: {written})")
        false = [word for word in ABSENT if await news.did_you_mean(resources, word)]
        await store.close()
    print(f"judged topics with a typo that leaves them unanswered: {typos}")
    print(f"  a suggestion: {share(suggested, typos)}")
    print(f"  of those, the topic itself: {share(exact, suggested)}")
    print(f"  of those, the same articles as the topic: {share(same, suggested)}")
    seconds.sort()
    median, slowest = 1000 * seconds[len(seconds) // 2], 1000 * seconds[-1]
    print(f"  time a suggestion takes (vocabulary of up to {TITLES:,} headlines, built once): "
          f"median {median:.1f} ms, max {slowest:.1f} ms")  # fmt: skip
    print(f"names in the other script, unanswered as typed: {crossed}; the headlines' name "
          f"suggested: {share(right, crossed)}")  # fmt: skip
    print(f"news words the sample lacks: {len(ABSENT)}, suggested for: {false or 'none'}")
    return exit_code(not false)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
