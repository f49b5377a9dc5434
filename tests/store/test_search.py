"""Tests for Store.search: stemming, safe query parsing and ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.models import Article
from bot.store import Store, fts, open_store

NOW = datetime.now(UTC)
_numbers = iter(range(1_000_000))


def _article(title: str, text: str, **fields: Any) -> Article:
    """An article with a unique URL, published a day ago unless `fields` say otherwise."""
    defaults: dict[str, Any] = {
        "url": f"https://example.org/{next(_numbers)}",
        "published": NOW - timedelta(days=1),
    }
    return Article(title=title, text=text, **{**defaults, **fields})


async def _add(store: Store, *articles: Article) -> list[int]:
    """Store the articles; their ids in order."""
    return [(await store.add_article(article)).article_id for article in articles]


@pytest.fixture
async def news(store: Store) -> dict[str, int]:
    """A small mixed-language collection; name → id."""
    ids = await _add(
        store,
        _article("Экономика", "Рост экономики Китая замедлился.\nЭкспорт упал."),
        _article("Погода", "В Москве ожидается снег."),
        _article("Vote count", "The election ended with a narrow win."),
        _article("Trade", "China and the United States signed a deal."),
        _article("经济", "中国经济增长放缓。"),
    )
    return dict(
        zip(["ru_china", "ru_weather", "en_election", "en_china", "zh_economy"], ids, strict=True)
    )


async def _ids(store: Store, query: str, limit: int = 5) -> list[int | None]:
    """Ids of the search results."""
    return [article.id for article in await store.search(query, limit)]


async def test_russian_query_finds_inflected_forms(store: Store, news: dict[str, int]) -> None:
    assert await _ids(store, "Китай") == [news["ru_china"]]
    assert await _ids(store, "КИТАЮ") == [news["ru_china"]]
    assert await _ids(store, "китая") == [news["ru_china"]]
    assert await _ids(store, "Москва") == [news["ru_weather"]]


async def test_russian_noun_found_in_forms_with_and_without_its_fleeting_vowel(
    store: Store,
) -> None:
    oblique, base = await _add(
        store,
        _article("Нефть", "Цены на нефтяном рынке выросли.\nНа рынке ждут решения ОПЕК."),
        _article("Акции", "Фондовый рынок упал. Конец года близок.\nИнвесторы ждут."),
    )
    for query in ("рынок", "рынке", "РЫНКОМ"):
        assert set(await _ids(store, query)) == {oblique, base}, query
    assert await _ids(store, "конца") == [base]


async def test_english_query_is_stemmed(store: Store, news: dict[str, int]) -> None:
    assert await _ids(store, "elections") == [news["en_election"]]
    assert await _ids(store, "signing deals") == [news["en_china"]]


async def test_chinese_text_is_searchable(store: Store, news: dict[str, int]) -> None:
    assert await _ids(store, "中国经济") == [news["zh_economy"]]
    assert await _ids(store, "美国") == []


async def test_chinese_words_of_one_query_may_stand_apart(store: Store) -> None:
    """A query of two words written without a space, 台湾旅游 (Taiwan + tourism), finds a
    story on Taiwan's tourism that never writes the two words side by side."""
    (found,) = await _add(store, _article("旅游泡泡", "据报台湾与帕劳的“旅游泡泡”有重大进展。"))
    assert await _ids(store, "台湾旅游") == [found]
    assert await _ids(store, "台湾旅馆") == []  # every word is still needed


async def test_a_place_finds_its_adjective_and_the_adjective_the_place(store: Store) -> None:
    """News writes "the Ukrainian presidential elections" and «российской экономики»: a
    reader asking for "Ukraine election" or «экономика России» means that story."""
    ukraine, russia, median = await _add(
        store,
        _article("Yushchenko claims victory", "The Ukrainian presidential elections ended."),
        _article("Рубль", "Рост российской экономики замедлился."),
        _article("Prices", "The median price rose, the media said."),
    )
    assert await _ids(store, "Ukraine election") == [ukraine]
    assert await _ids(store, "ukrainian elections") == [ukraine]
    assert await _ids(store, "экономика России") == [russia]
    assert await _ids(store, "Brazil election") == []  # every word is still needed
    assert await _ids(store, "median price") == [median]
    assert await _ids(store, "media price") == [median]  # no suffix rule: "media" is only itself
    assert [t for t in fts.query_terms("media") if "median" in t] == []


async def test_an_acronym_finds_it_written_with_dots_and_spelt_out(store: Store) -> None:
    """ "U.S." is indexed as two one-letter words, "US" as one: a reader typing either finds
    both, and "United States" too; "WHO" is the organization, not the stop word."""
    dotted, plain, spelt, health = await _add(
        store,
        _article("Jobs report", "The U.S. economy added jobs in May."),
        _article("Markets", "The US economy grew faster than expected."),
        _article("Trade deficit", "The United States economy slowed as imports rose."),
        _article("Pandemic", "The World Health Organization declared a pandemic."),
    )
    for query in ("US economy", "U.S. economy", "us economy"):
        assert set(await _ids(store, query)) == {dotted, plain, spelt}, query
    assert await _ids(store, "WHO pandemic") == [health]
    assert await _ids(store, "who declared a pandemic") == [health]  # "who": a stop word


async def test_chinese_is_found_in_either_script(store: Store) -> None:
    """Traditional characters (Taiwan, Hong Kong) and simplified ones (mainland) are one text
    to search: a reader finds a story whichever script either of them is written in."""
    traditional, simplified = await _add(
        store,
        _article("臺灣經濟", "臺灣經濟成長率上修。"),
        _article("香港经济", "香港经济增长放缓。"),
    )
    assert await _ids(store, "台湾经济") == [traditional]
    assert await _ids(store, "臺灣經濟") == [traditional]
    assert await _ids(store, "香港經濟") == [simplified]


async def test_fts_syntax_is_plain_words(store: Store, news: dict[str, int]) -> None:
    for query in ['"china" AND NEAR(', '"', "china*", "NOT china", "title:china", "(china",
                  "^china", "-china", "NEAR"]:  # fmt: skip
        found = await _ids(store, query)
        assert found in ([news["en_china"]], []), query


@pytest.mark.parametrize(
    "query", ["", "   ", "🙂🔥", "?!…", "\"'", "the and of", "שלום עולם", "مرحبا"]
)
async def test_queries_without_matches_return_nothing(
    store: Store, news: dict[str, int], query: str
) -> None:
    assert await store.search(query) == []


async def test_rtl_text_is_searchable(store: Store) -> None:
    (article_id,) = await _add(store, _article("חדשות", "שלום עולם"))
    assert await _ids(store, "שלום") == [article_id]


async def test_very_long_query_does_not_raise(store: Store, news: dict[str, int]) -> None:
    query = ("china (AND* " * 500)[:5000]
    assert news["en_china"] in await _ids(store, query)


async def test_limit_is_respected(store: Store) -> None:
    await _add(store, *(_article(f"Flood {n}", f"Flood report number {n}.") for n in range(8)))
    assert len(await store.search("flood", limit=3)) == 3
    assert await store.search("flood", limit=0) == []


async def test_newer_article_ranks_first_among_equals(store: Store) -> None:
    old, new, middle = await _add(
        store,
        _article("Storm", "A storm hit the coast.", published=NOW - timedelta(days=300)),
        _article("Storm", "A storm hit the coast today.", published=NOW - timedelta(hours=2)),
        _article(
            "Storm",
            "A storm hit the coast again.",
            published=None,
            fetched=NOW - timedelta(days=20),
        ),
    )
    assert await _ids(store, "storm coast") == [new, middle, old]


async def test_much_more_relevant_old_article_still_wins(store: Store) -> None:
    await _add(store, *(_article(f"Filler {n}", f"Unrelated story {n}.") for n in range(20)))
    relevant, passing = await _add(
        store,
        _article(
            "Volcano erupts", "The volcano erupted. Volcano ash.", published=NOW - timedelta(days=5)
        ),
        _article(
            "Travel",
            "Flights resumed; one mention of a volcano.",
            published=NOW - timedelta(days=1),
        ),
    )
    assert await _ids(store, "volcano") == [relevant, passing]


async def test_only_the_newest_matches_are_ranked(store: Store) -> None:
    """Search cost is bounded: of a word's matches, only the newest `search_pool` stored are
    ranked, so an older, more relevant article is not found once enough newer ones exist."""
    best = (await _add(store, _article("Glacier glacier", "Glacier glacier glacier melt.")))[0]
    newer = await _add(
        store, *(_article(f"Report {n}", f"A glacier was measured, site {n}.") for n in range(4))
    )
    assert await _ids(store, "glacier", limit=1) == [best]  # all ranked: the best first
    store.search_pool = len(newer)  # type: ignore[attr-defined]
    (found,) = await _ids(store, "glacier", limit=1)
    assert found in newer


async def test_on_topic_articles_behind_passing_mentions_are_found(store: Store) -> None:
    """Articles are read `limit` at a time as the topic check asks: when the best-ranked
    candidates only mention the topic, the answer is filled from the candidates behind them."""
    (about,) = await _add(
        store,
        _article("Volcano", "The volcano erupted.", published=NOW - timedelta(days=200)),
    )
    passing = await _add(
        store,
        *(
            _article(
                f"Daily brief {n}",
                f"Markets rose, item {n}.\nThe volcano erupted; the volcano erupted again.",
                published=NOW - timedelta(hours=n + 1),
            )
            for n in range(2)
        ),
    )
    match = store.dialect.match_any(fts.query_terms("volcano erupted"))  # type: ignore[attr-defined]
    ranking = await store._ranked(match, 3, store.recency_days)  # type: ignore[attr-defined]
    assert [article.id for article in ranking] == [*passing, about]  # mentions rank first ...
    assert await _ids(store, "volcano erupted", limit=1) == [about]  # ... the answer is about it


async def test_a_longer_topic_is_filled_with_articles_about_half_its_words(
    store: Store,
) -> None:
    """In a topic of three words or more, an answer the rule leaves short is filled, after
    the articles about every word, with those that have every word and are about at least
    half of them (rounded up): of three words two, of four two. An article about fewer is
    left out, and so is one that only mentions a word of a two-word topic."""
    about, one_mention, two_mentions = await _add(
        store,
        _article("Auto industry bailout agreed", "The auto industry bailout was agreed."),
        _article(
            "Automaker bailout fails in the Senate",
            "The auto bailout deal failed.\nIt was a blow to the industry, analysts said.",
            published=NOW - timedelta(hours=1),
        ),
        _article(
            "Auto sales fall",
            "Auto sales fell again.\nThe industry hopes for a bailout, dealers said.",
            published=NOW - timedelta(hours=2),
        ),
    )
    assert await _ids(store, "auto industry bailout") == [about, one_mention]
    assert two_mentions not in await _ids(store, "auto industry bailout")
    assert await _ids(store, "industry bailout") == [about]  # two words: no mere mention
    # four words: about "auto" and "bailout", "industry" and "analysts" mentioned once
    assert await _ids(store, "auto industry bailout analysts") == [one_mention]
    assert await _ids(store, "auto sales industry dealers") == [two_mentions]
    assert await _ids(store, "auto sales bailout dealers") == [two_mentions]
    assert await _ids(store, "auto industry bailout dealers") == []  # about "auto" alone


async def test_recent_titles_are_the_last_stored_first(store: Store) -> None:
    """The headlines a misspelt topic is compared with: the last `limit` stored, by id."""
    await _add(store, *(_article(f"Headline {n}", f"Story {n} text.") for n in range(4)))
    assert await store.recent_titles(3) == ["Headline 3", "Headline 2", "Headline 1"]
    assert await store.recent_titles(0) == []


async def test_closest_ignores_numbers_beside_words(store: Store) -> None:
    """Offered instead of an answer, the closest articles share a word of the query, not
    just a number; a query of numbers alone still finds them."""
    numbered, worded = await _add(
        store,
        _article("Cup final 1 May", "The final was played on 1 May."),
        _article("Council news", "The climate plan was discussed."),
    )
    ranked = [article.id for article in await store.closest("climate change 1", limit=2)]
    assert ranked == [worded]
    assert [article.id for article in await store.closest("1", limit=2)] == [numbered]


async def test_closest_ranks_by_relevance_not_by_date(store: Store) -> None:
    """The closest article shares the query's telling word, however old: a new story that
    shares only a common word of the query ("trial") does not come first."""
    old = NOW - timedelta(days=20 * 365)
    on_pinochet, *_ = await _add(
        store,
        _article("Pinochet arrested", "Pinochet was arrested in Santiago.", published=old),
        *(
            _article(f"Court report {n}", f"The trial of case {n} went on.", published=old)
            for n in range(3)
        ),
        *(_article(f"Weather {n}", f"Rain in town {n}.", published=old) for n in range(12)),
        _article("Jury sits", "The trial opened today.", published=NOW - timedelta(hours=1)),
    )
    ranked = [article.id for article in await store.closest("Pinochet trial verdict", limit=1)]
    assert ranked == [on_pinochet]


async def test_title_hits_weigh_more_than_body_hits(store: Store) -> None:
    # Two body hits would beat one hit in a five-word title if both fields weighed the same.
    in_body, in_title = await _add(
        store,
        _article("Local council news today", "The harbour budget; the harbour needs repairs."),
        _article("Harbour works begin this week", "The council discussed the roads."),
    )
    assert await _ids(store, "harbour") == [in_title, in_body]


async def test_articles_missing_a_query_word_are_not_shown(store: Store) -> None:
    """No padding: "football final" is not answered with a football story without a final."""
    one, both = await _add(
        store,
        _article(
            "Football",
            "Football football football match report.",
            published=NOW - timedelta(hours=1),
        ),
        _article(
            "Cup final", "The football cup final was played.", published=NOW - timedelta(days=3)
        ),
    )
    assert await _ids(store, "football final") == [both]
    assert await _ids(store, "football") == [one, both]  # the newer and more about it first


async def test_search_returns_full_articles(store: Store, news: dict[str, int]) -> None:
    (found,) = await store.search("снег в Москве")
    assert (found.id, found.title, found.text) == (
        news["ru_weather"],
        "Погода",
        "В Москве ожидается снег.",
    )


async def test_the_newest_matches_are_the_same_found_in_a_window_or_in_all(store: Store) -> None:
    """PostgreSQL looks for the pool among the newest `search_window` articles first, then in
    all when the window holds too few matches: the answers must not change either way."""
    (best,) = await _add(store, _article("Harbour harbour", "The harbour harbour harbour."))
    older = await _add(
        store, *(_article(f"Harbour {n}", f"The harbour reopened, site {n}.") for n in range(5))
    )
    await _add(store, *(_article(f"Storm {n}", f"A storm hit, site {n}.") for n in range(4)))
    newer = await _add(
        store, *(_article(f"Harbour news {n}", f"The harbour grew, dock {n}.") for n in range(6))
    )
    store.search_pool = 6  # type: ignore[attr-defined]  # = 2 answers' candidates
    answers = {}
    for window in (1_000_000, 6, 7, 12, 3):  # all; the 6 newest; more; too few: all again
        store.search_window = window  # type: ignore[attr-defined]
        answers[window] = await _ids(store, "harbour", limit=2)
    assert set(answers[1_000_000]) <= set(newer)  # only the newest `pool` matches are ranked
    assert all(found == answers[1_000_000] for found in answers.values()), answers
    store.search_pool = 12  # type: ignore[attr-defined]  # = 4 answers' candidates
    everything = []
    for window in (1_000_000, 6):  # the window holds 6 matches of the 12 asked for: all read
        store.search_window = window  # type: ignore[attr-defined]
        everything.append(await _ids(store, "harbour", limit=4))
    assert everything[0] == everything[1]
    assert everything[0][0] == best and set(everything[0]) <= {best, *older, *newer}


async def test_a_window_holding_enough_matches_answers_alone(store: Store) -> None:
    """In a store larger than `search_window`, a topic with as many matches among the newest
    `search_window` articles as the search asks for is answered from them (both stores);
    older matches are ranked only when the window holds fewer."""
    (best,) = await _add(store, _article("Harbour harbour", "The harbour harbour harbour."))
    await _add(store, *(_article(f"Storm {n}", f"A storm hit, site {n}.") for n in range(4)))
    newer = await _add(
        store, *(_article(f"Harbour news {n}", f"The harbour grew, dock {n}.") for n in range(6))
    )
    store.search_pool = 100  # type: ignore[attr-defined]  # every match, were it not for the window
    answers = {}
    for window in (1_000_000, 11, 6, 5):  # all; all; 6 matches = 2 answers' candidates; fewer
        store.search_window = window  # type: ignore[attr-defined]
        answers[window] = await _ids(store, "harbour", limit=2)
    assert answers[1_000_000][0] == best and answers[11] == answers[1_000_000]
    assert set(answers[6]) <= set(newer), answers
    assert answers[5] == answers[1_000_000]


async def test_articles_another_instance_stores_are_found_at_once(
    store: Store, store_url: str
) -> None:
    """A store reads the highest article id (where the search window ends) only every few
    seconds unless it writes itself: what another instance stored since is still searched,
    in a store within the window and in one beyond it (both stores)."""
    await _add(
        store, *(_article(f"Harbour {n}", f"The harbour reopened, site {n}.") for n in range(4))
    )
    other = open_store(store_url)
    await other.open()
    try:
        for window in (1_000_000, 3):
            store.search_window = window  # type: ignore[attr-defined]
            await store.search("harbour")  # the highest id is read here, then kept
            (newest,) = await _add(other, _article("Harbour news", "The harbour grew again."))
            assert newest in await _ids(store, "harbour", limit=3), window
    finally:
        await other.close()


async def test_an_index_row_stored_before_paragraph_breaks_were_kept_is_read_right(
    sqlite_store: Store, db_path: Path
) -> None:
    """SQLite's topic check reads the index's stored analysis, whose newlines show where the
    lead ends; a row stored without them (before `index_body`) is analyzed afresh, or a word
    met once in a later paragraph would count as in the lead."""
    import sqlite3

    from bot.store import fts

    text = "Markets rose on Monday.\nA volcano erupted far away."
    about, passing = await _add(
        sqlite_store,
        _article("Volcano erupts", "Lava flowed.", published=NOW - timedelta(days=30)),
        _article("Markets", text),
    )
    assert await _ids(sqlite_store, "volcano") == [about]
    with sqlite3.connect(db_path) as raw:
        old_style = fts.index_text(text)
        raw.execute("UPDATE article_fts SET body = ? WHERE rowid = ?", (old_style, passing))
    assert await _ids(sqlite_store, "volcano") == [about]


async def test_postgresql_plans_every_search_for_its_own_words(pg_url: str) -> None:
    """Searches are prepared on the server after a few runs; each run must still be planned
    for its own words (a generic plan cannot tell a common word from a rare one), and the
    schema named in the URL's own `options` must still be the one used."""
    store = open_store(pg_url, auto_migrate=True)
    await store.open()
    try:
        rare, *common = await _add(
            store,
            _article("Lighthouse", "The lighthouse keeper retired."),
            *(_article(f"Harbour {n}", f"The harbour reopened, dock {n}.") for n in range(6)),
        )
        for _ in range(8):  # past psycopg's prepare threshold (5)
            assert await _ids(store, "lighthouse") == [rare]
            assert set(await _ids(store, "harbour", limit=6)) == set(common)
        mode = await store._run(  # type: ignore[attr-defined]
            lambda c: c.exec_driver_sql("SHOW plan_cache_mode").scalar(), "read", heavy=True
        )
        assert mode == "force_custom_plan"
    finally:
        await store.close()
