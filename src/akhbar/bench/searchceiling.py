"""The ceiling of ``akhbar bench web``'s random-word search: its query alone behind the same server.

nginx is the ceiling of a cached page: the same bytes with no work at all. A search cannot skip its
work, so its ceiling is the part no search page on this stack can do without: the request goes
through uvicorn (httptools, uvloop, the access log on, as ``akhbar serve`` runs it) and a FastAPI
route, which parses the reader's words and runs akhbar's own query for them in a worker thread
(the candidates: FTS5's match, bm25 over the newest matches, their story and date), and answers
with the bytes akhbar's search page gave. Ranking, the results' rows, snippets, highlights and the
page's template are what akhbar adds on top; the ceiling tells how much room the machine leaves
for them.

Run as ``python -m akhbar.bench.searchceiling DATABASE_URL BODY_FILE PORT``.
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response

from akhbar.search import Filters, QueryProblem, parse
from akhbar.services import search
from akhbar.store import Store
from akhbar.web.caching import RENDER_SLOTS

PATH = "/ar/search"  # the path akhbar's search page answers, so one wrk script loads either


def _matches(store: Store, words: str) -> int:
    """How many candidates akhbar's query finds for ``words`` (0 for words it cannot search)."""
    parsed = parse(words, None)
    if isinstance(parsed, QueryProblem):
        return 0
    with store.reading() as connection:
        return len(search.candidates(store, connection, parsed, Filters()))


def ceiling_app(store: Store, body: bytes) -> FastAPI:
    """An app answering :data:`PATH` with ``body`` once akhbar's query for ``q`` has run."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    # as many queries at once as akhbar renders pages at once on a SQLite file, in a pool of as many
    # threads: anyio's 40 threads at once cost 2.7 ms of CPU a request where 2 at once took 1.4-1.7
    slots = asyncio.Semaphore(RENDER_SLOTS)
    threads = ThreadPoolExecutor(RENDER_SLOTS, thread_name_prefix="search-ceiling")

    @app.get(PATH)
    async def searched(q: str = "") -> Response:
        async with slots:
            found = await asyncio.get_running_loop().run_in_executor(threads, _matches, store, q)
        return Response(body, media_type="text/html; charset=utf-8", headers={"X-Candidates": str(found)})

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b"ok", media_type="text/plain")

    return app


def main(arguments: list[str]) -> None:
    import uvicorn

    database_url, body_file, port = arguments
    app = ceiling_app(Store(database_url), Path(body_file).read_bytes())
    uvicorn.run(app, host="127.0.0.1", port=int(port), http="httptools", loop="uvloop", access_log=True)


if __name__ == "__main__":
    main(sys.argv[1:])
