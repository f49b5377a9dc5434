"""Extractive summarization: offline tokenizers, a name → method registry, and the service.

The default single-article method is NewsLead (newslead.py), the lead without its defects;
topic summaries over many articles group same-text stories and pick sentences across them
(topic.py, stories.py).
Handlers use `Summarizer`; everything else here is for tests, benchmarks and the CLI.
"""

from __future__ import annotations

from bot.summarize.language import SUPPORTED, detect_language, pipeline_language
from bot.summarize.lexicon import make_stemmer, stop_words
from bot.summarize.newsrank import NewsRankSummarizer
from bot.summarize.registry import (
    DEFAULT_METHOD,
    METHODS,
    LeadSummarizer,
    Length,
    available_methods,
    build_summarizer,
    parse_length,
    resolve_method,
)
from bot.summarize.service import Summarizer
from bot.summarize.tokenizer import OfflineTokenizer, make_tokenizer

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "SUPPORTED",
    "LeadSummarizer",
    "Length",
    "NewsRankSummarizer",
    "OfflineTokenizer",
    "Summarizer",
    "available_methods",
    "build_summarizer",
    "detect_language",
    "make_stemmer",
    "make_tokenizer",
    "parse_length",
    "pipeline_language",
    "resolve_method",
    "stop_words",
]
