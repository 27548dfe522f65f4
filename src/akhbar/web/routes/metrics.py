"""``/metrics``: Prometheus's text format (:mod:`akhbar.web.telemetry`). Put it behind the proxy's
access rules (docs/deploy.md): it names routes and counts, nothing secret, but it is for operators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from akhbar.web.telemetry import CONTENT_TYPE_LATEST, Exposition

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    exposition: Exposition = request.app.state.exposition
    body = await run_in_threadpool(exposition.render)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
