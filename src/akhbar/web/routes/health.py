"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: the database answers and its
schema is the one this code needs; 503 with the reason otherwise), for load balancers and systemd."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from akhbar.services.status import readiness
from akhbar.store import Store

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    store: Store = request.app.state.store
    found = await run_in_threadpool(readiness, store.engine)
    body = {
        "status": "ok" if found.ready else "unavailable",
        "database": "ok" if found.database else "unreachable",
        "revision": found.revision,
        "head": found.head,
    }
    if found.problem:
        body["problem"] = found.problem
    return JSONResponse(body, status_code=200 if found.ready else 503, headers={"Cache-Control": "no-store"})
