"""End-to-end ingestion throughput: fetch from a local server, extract, clean, dedup, store.

Run: python benchmarks/ingest_speed.py [--rounds N] [--workers N]
     (serves ../shared/extraction's 85 pages; skips when they are absent)

A local aiohttp server on 127.0.0.1 serves the pages; `WebIngest` fetches each one through
the real fetcher (address checks, caps), extracts it in worker processes (one per core by
default), cleans it, runs the dedup layers and stores it in a fresh SQLite file. One warm-up
round starts the workers; each timed round ingests every page into a new store. Prints
pages per second per round and overall. Target (issue 4): at least 40 pages/s on 2 cores.

The floor (issue 19): trafilatura alone, `trafilatura.extract(html)` with its defaults on
the same pages, in as many worker processes (`--workers 0`: in this process, as the running
bot's thread mode), timed in the same run; newsbot's end-to-end pages/s must be at least
0.67x of it.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from aiohttp import web
from common import child_pids, cpu_of, exit_code, table_row

from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.safety import AddressPolicy
from bot.ingest.web import Extractor, WebIngest
from bot.netaddr import parse_networks
from bot.store import open_store

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "extraction"
IN_FLIGHT = 16  # pages being worked on at once


async def serve(pages: dict[str, bytes]) -> tuple[web.AppRunner, str]:
    """Serve every page as text/html at /<id>; the runner and the base URL."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(body=pages[request.match_info["id"]], content_type="text/html")

    app = web.Application()
    app.router.add_get("/{id}", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


def cpu_seconds() -> tuple[float, float] | None:
    """CPU time of this process and of its live children (the workers); None off Linux."""
    if not Path("/proc/self/task").is_dir():
        return None
    return time.process_time(), sum(cpu_of(child) for child in child_pids())


async def one_round(base: str, ids: list[str], extractor: Extractor) -> tuple[float, int]:
    """Ingest every page into a fresh store; seconds taken and articles stored."""
    limits = FetchLimits(per_host=IN_FLIGHT)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/speed.db")
        await store.open()
        web_ingest = WebIngest(store, Fetcher(AddressPolicy(parse_networks("127.0.0.1")), limits))
        web_ingest.extractor = extractor
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def ingest(page_id: str) -> str:
            async with gate:
                return (await web_ingest.ingest_url(f"{base}/{page_id}")).status

        started = time.perf_counter()
        statuses = await asyncio.gather(*(ingest(page_id) for page_id in ids))
        seconds = time.perf_counter() - started
        await web_ingest.fetcher.aclose()
        await store.close()
    return seconds, sum(status == "added" for status in statuses)


FLOOR_RATIO = 0.67


def extract_alone(body: bytes) -> int:
    """trafilatura's text of one page with its defaults (the floor); its length."""
    import trafilatura

    return len(trafilatura.extract(body.decode("utf-8", "replace")) or "")


def trafilatura_rate(bodies: list[bytes], workers: int, rounds: int) -> float:
    """Pages/s of `extract_alone` over every page, `rounds` times, after a warm-up round."""
    if workers <= 0:
        for body in bodies[:20]:
            extract_alone(body)
        started = time.perf_counter()
        for _ in range(rounds):
            for body in bodies:
                extract_alone(body)
        return rounds * len(bodies) / (time.perf_counter() - started)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(extract_alone, bodies[:20]))
        started = time.perf_counter()
        for _ in range(rounds):
            list(pool.map(extract_alone, bodies))
        return rounds * len(bodies) / (time.perf_counter() - started)


async def main() -> int:
    """Print pages/s per round and overall; exit 1 under 40 pages/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if not (DATA / "html").is_dir():
        print(f"skipped: {DATA} is not present")
        return 0
    pages = {path.stem: path.read_bytes() for path in sorted((DATA / "html").glob("*.html"))}
    runner, base = await serve(pages)
    extractor = Extractor(workers=args.workers)
    ids = list(pages)
    try:
        await one_round(base, ids[:20], extractor)  # warm-up: start the worker processes
        total_seconds = total_pages = 0.0
        cpu_before = cpu_seconds()
        for number in range(1, args.rounds + 1):
            seconds, stored = await one_round(base, ids, extractor)
            total_seconds += seconds
            total_pages += len(ids)
            print(f"round {number}: {len(ids)} pages ({stored} stored) in {seconds:.2f} s, "
                  f"{len(ids) / seconds:.1f} pages/s")  # fmt: skip
        cpu_after = cpu_seconds()
    finally:
        extractor.close()
        await runner.cleanup()
    rate = total_pages / total_seconds
    print(f"throughput: {rate:.1f} pages/s end to end ({args.workers} workers, "
          f"{os.cpu_count()} cores)")  # fmt: skip
    cpu = ""
    if cpu_before is not None and cpu_after is not None:
        spent = zip(cpu_after, cpu_before, strict=True)
        main_cpu, workers_cpu = ((after - before) / total_pages for after, before in spent)
        per_page, cores = main_cpu + workers_cpu, os.cpu_count() or 1
        print(f"CPU per page: {1000 * per_page:.1f} ms (server, fetch, dedup, store "
              f"{1000 * main_cpu:.1f} ms; extraction and cleaning {1000 * workers_cpu:.1f} ms),"
              f" so {cores / per_page:.1f} pages/s on {cores} otherwise idle cores")  # fmt: skip
        cpu = f", {1000 * per_page:.0f} ms of CPU a page"
    floor = trafilatura_rate(list(pages.values()), args.workers, args.rounds)
    ratio = rate / floor
    print(f"trafilatura alone (extract, defaults, {args.workers} workers): {floor:.1f} pages/s;"
          f" newsbot / trafilatura: {ratio:.2f}x (target >= {FLOOR_RATIO}x)")  # fmt: skip
    ok = rate >= 40
    print("target (>= 40 pages/s):", "met" if ok else "MISSED")
    table_row(
        f"ingestion vs trafilatura alone on the same pages, {args.workers} workers",
        f"{rate:.1f} vs {floor:.1f} pages/s = {ratio:.2f}x",
        f"≥ {FLOOR_RATIO}x",
        ratio >= FLOOR_RATIO,
    )
    table_row(
        f"ingestion of {len(ids)} local pages (fetch, extract, clean, dedup, store), "
        f"{args.workers} workers",
        f"{rate:.1f} pages/s{cpu}",
        "≥ 40 pages/s",
        ok,
    )
    return exit_code(ok)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
