"""Local files → Articles: `.txt`, `.html`/`.htm`, `.jsonl`, and directories of them.

Every problem with one file (or one JSONL line) becomes a `LoadResult` with an error; nothing
raises out of the loader, so one bad file never stops the others.
"""

from __future__ import annotations

import codecs
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.errors import IngestError
from bot.ingest.clean import clean_text
from bot.ingest.extract import extract_html
from bot.ingest.records import article_from_record, language_code, source_name
from bot.ingest.region import split_page
from bot.models import Article

log = logging.getLogger(__name__)

SUFFIXES = frozenset({".txt", ".html", ".htm", ".jsonl"})
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LoadResult:
    """One article loaded from a file, or why it could not be."""

    path: str
    article: Article | None = None
    error: str | None = None
    line: int | None = None  # the JSONL line, when the result is about one line

    @property
    def where(self) -> str:
        """The file, with the line number for a JSONL record ("a.jsonl:3")."""
        return self.path if self.line is None else f"{self.path}:{self.line}"


def load_paths(paths: Iterable[Path | str]) -> Iterator[LoadResult]:
    """Load every file named, recursing into directories, in a stable order."""
    for path in list_files(paths):
        yield from load_file(path)


def list_files(paths: Iterable[Path | str]) -> list[Path]:
    """The files to load: given files as they are, directories expanded (sorted, recursive)."""
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files.extend(_walk(path))
        else:
            files.append(path)
    return files


def _walk(directory: Path) -> list[Path]:
    """Supported files under a directory, hidden files and folders skipped."""
    found = (
        path
        for path in directory.rglob("*")
        if path.is_file()
        and path.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )
    return sorted(found)


def load_file(path: Path) -> list[LoadResult]:
    """The articles in one file; a failure is returned as a result, never raised."""
    name = str(path)
    try:
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            raise IngestError(f"unsupported file type {suffix or '(none)'!r}")
        data = _read_bytes(path)
        if suffix == ".jsonl":
            return list(_load_jsonl(path, decode_text(data)))
        if suffix == ".txt":
            return [LoadResult(name, article=_load_txt(path, decode_text(data)))]
        return [LoadResult(name, article=_load_html(path, data))]
    except IngestError as exc:
        return [LoadResult(name, error=str(exc))]
    except Exception as exc:  # a loader bug must not stop the other files
        log.exception("skipped %s: unexpected error", name)
        return [LoadResult(name, error=f"unexpected error: {exc!r}")]


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing missing, oversized, empty and binary files."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise IngestError(f"file too large (over {MAX_FILE_BYTES // 2**20} MiB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError("no such file") from None
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror or exc}") from None
    if not data.strip():
        raise IngestError("empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data  # UTF-16 text has NUL bytes; `decode_text` handles it
    if b"\x00" in data:
        raise IngestError("binary file (contains NUL bytes), not text")
    return data


def decode_text(data: bytes) -> str:
    """Text of UTF-8 (with or without BOM) or BOM-marked UTF-16 bytes; else IngestError."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise IngestError("wrong encoding: invalid UTF-16") from None
    try:
        return data.decode("utf-8-sig")  # UTF-8, with its BOM removed if there is one
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"wrong encoding: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save the file as UTF-8"
        ) from None


def _load_txt(path: Path, raw: str) -> Article:
    """A plain-text article: cleaned, cut to its article (`split_page`), headline first."""
    title, body = split_page(clean_text(raw))
    if not title:
        raise IngestError("no text left after removing boilerplate")
    if not body:
        raise IngestError("no article text after the headline")
    return Article(
        title=title,
        text=body,
        source=source_name(None, path),
        language=language_code(None, f"{title}\n{body}"),
    )


def _load_html(path: Path, data: bytes) -> Article:
    """An HTML page: main text and metadata by trafilatura, then cleaned."""
    page = extract_html(data)
    title, text = page.title, page.text
    if not title:
        title, _, text = text.partition("\n")
    if not text:
        raise IngestError("no article text after the headline")
    return Article(
        title=title,
        text=text,
        url=page.url,
        source=page.sitename or source_name(page.url, path),
        published=page.published,
        language=language_code(page.language, f"{title}\n{text}"),
        tags=page.tags,
    )


def _load_jsonl(path: Path, raw: str) -> Iterator[LoadResult]:
    """One result per non-blank line of a JSONL file; a bad line does not stop the rest."""
    fallback = source_name(None, path)
    # Split on "\n" only: JSON strings may hold raw U+2028, which `splitlines` would cut.
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            article = article_from_record(record, fallback_source=fallback)
        except json.JSONDecodeError as exc:
            yield LoadResult(str(path), error=f"invalid JSON: {exc.msg}", line=number)
        except IngestError as exc:
            yield LoadResult(str(path), error=str(exc), line=number)
        else:
            yield LoadResult(str(path), article=article, line=number)
