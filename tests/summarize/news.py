"""Made-up news articles for the topic and story tests (no real text is copied here)."""

from __future__ import annotations

from bot.models import Article

FLOOD = [
    "Flood waters forced hundreds of families from their homes in the river valley on Sunday.",
    "Rescue teams used boats to reach families trapped by the rising water overnight.",
    "The river rose two metres in six hours after days of heavy rain, officials said.",
    "Emergency shelters in three schools took in the families who lost their homes.",
    "Forecasters expect more rain in the valley until Wednesday.",
    "The regional government promised money to repair homes damaged by the flood.",
]
FLOOD_FOLLOW_UP = [
    "Clean-up crews began clearing mud from streets in the river valley on Tuesday.",
    "Insurers said claims for flood damage could reach forty million euros.",
    "Farmers reported that whole fields of wheat were lost under the water.",
    "Engineers are inspecting two bridges that were closed after the flood.",
    "Volunteers from nearby towns brought food and blankets to the shelters.",
]
BUDGET = [
    "The city council approved a new budget for public transport on Tuesday.",
    "The budget adds forty electric buses and two new tram lines by next year.",
    "Council members argued for hours about the cost of the tram lines.",
    "The mayor said electric buses would cut pollution in the city centre.",
    "Ticket prices for buses and trams will stay the same until next year.",
]
RUSSIAN = [
    "В 2023 г. городская дума утвердила новый бюджет на общественный транспорт.",
    "Бюджет предусматривает закупку сорока электробусов, т.е. половины парка.",
    "Депутаты долго спорили о стоимости новых трамвайных линий.",
    "Мэр заявил, что электробусы снизят загрязнение воздуха в центре города.",
]
CHINESE = [
    "北京市政府今天宣布了新的公共交通预算。",
    "预算包括购买四十辆电动公交车和修建两条有轨电车线路。",
    "市长表示电动公交车将减少市中心的空气污染。",
    "一些居民担心施工期间的噪音问题。",
]


def article(
    title: str, lines: list[str], *, source: str = "Test Wire", ident: int = 1, language: str = "en"
) -> Article:
    """An article with one paragraph per line."""
    return Article(title=title, text="\n".join(lines), source=source, id=ident, language=language)


def repost(original: Article, *, source: str, ident: int) -> Article:
    """Another site's copy: the last sentence cut, a boilerplate line added."""
    lines = [*original.text.splitlines()[:-1], "Follow us on social media for more news."]
    return article(original.title, lines, source=source, ident=ident)
