"""Tests for HTML extraction's fallbacks: a long review kept whole, not cut to its intro."""

from __future__ import annotations

from bot.ingest.extract import FALLBACK_SHARE, extract_html

INTRO = "".join(
    f"<p>Paragraph {i} of the introduction says the new camera is light, fast and well "
    "built, and that we used it for a week.</p>"
    for i in range(5)
)
FINDINGS = "".join(
    f"<li>Finding {i}: the camera produces sharp images with accurate colours, and the "
    "autofocus keeps up with moving subjects in low light during the test.</li>"
    for i in range(30)
)


def _page(body: str) -> str:
    """A page with navigation and a footer around `body`."""
    return (
        "<html><head><title>Camera review</title></head><body><nav><a href='/'>Home</a>"
        f"</nav>{body}<footer>Copyright 2024 Camera Weekly</footer></body></html>"
    )


def test_a_review_in_list_items_is_not_cut_to_its_introduction() -> None:
    """favor_precision keeps only the five intro paragraphs here (115 words of 865): the
    balanced mode's answer replaces it because the intro is under FALLBACK_SHARE of the page."""
    page = extract_html(
        _page(f"<div><h1>Camera review</h1>{INTRO}<div><ul>{FINDINGS}</ul></div></div>")
    )
    assert "Finding 29: the camera produces sharp images" in page.text
    assert page.text.startswith("Paragraph 0 of the introduction")
    assert len(page.text.split()) > 800 and 0 < FALLBACK_SHARE < 0.5


def test_a_page_whose_article_is_most_of_its_text_keeps_the_precise_answer() -> None:
    """No fallback when the precise answer is most of the page: the footer stays out."""
    page = extract_html(_page(f"<article><h1>Camera review</h1>{INTRO}</article>"))
    assert page.text.count("\n") == 4
    assert "Copyright" not in page.text


def test_extraction_leaves_the_parsed_page_whole() -> None:
    """The page is parsed once: its metadata, its links, both extraction modes and the count
    of its visible words all read one tree, so trafilatura must work on a copy of it."""
    import trafilatura
    from lxml import etree  # type: ignore[import-untyped]

    from bot.ingest.extract import _body

    tree = trafilatura.load_html(
        _page(f"<div><h1>Camera review</h1>{INTRO}<div><ul>{FINDINGS}</ul></div></div>")
    )
    before = etree.tostring(tree)
    for favor_precision in (True, False):
        assert "Paragraph 0" in _body(tree, None, frozenset(), favor_precision=favor_precision)
        assert etree.tostring(tree) == before


TAXONOMY_PAGES = {
    "tags and a category in the usual places": (
        "<div class='entry-meta'><a href='/category/business/'>Business</a></div>"
        "<div class='tags'><a href='/tag/oil/'>Oil</a><a href='/tags/opec/'>OPEC</a></div>"
    ),
    "only the section in the head": "",
    "links that look like tags but sit in the text": (
        "<p>See <a href='/tag/oil/'>oil</a> and <a href='/categories/world/'>world</a>.</p>"
    ),
    "a tag link and no category link": "<div class='tags'><a href='/tag/oil/'>Oil</a></div>",
}


def test_categories_and_tags_are_trafilaturas_without_scanning_for_absent_links() -> None:
    """`_catstags` skips trafilatura's scans only when no link can be a category or a tag:
    its answer equals `extract_catstags` on pages with, without and with misplaced links,
    and the section `<meta>` still gives the category when no link does."""
    import trafilatura
    from trafilatura.metadata import extract_catstags

    from bot.ingest.extract import _TAXONOMY_HREFS, _catstags

    found = {}
    for name, links in TAXONOMY_PAGES.items():
        html = (
            "<html><head><title>Oil</title><meta property='article:section' content='Markets'>"
            f"</head><body><article><h1>Oil</h1>{INTRO}{links}</article></body></html>"
        )
        tree = trafilatura.load_html(html)
        assert tree is not None
        hrefs = "\n".join(tree.xpath(_TAXONOMY_HREFS))
        for kind in ("category", "tag"):
            assert _catstags(kind, tree, hrefs) == extract_catstags(kind, tree), (name, kind)
        found[name] = extract_html(html).tags
    assert found["tags and a category in the usual places"] == ("Business", "Oil", "OPEC")
    assert found["only the section in the head"] == ("Markets",)
    assert found["a tag link and no category link"] == ("Markets", "Oil")
