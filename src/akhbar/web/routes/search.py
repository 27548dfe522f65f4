"""``GET /api/v1/search`` (JSON) and ``GET /opensearch.xml`` (so browsers can add akhbar as a search engine).

The portal's search page links the description with
``<link rel="search" type="application/opensearchdescription+xml" href="/opensearch.xml">``.
"""

from __future__ import annotations

from typing import Annotated, Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, HTTPException, Query
from starlette.requests import Request
from starlette.responses import Response

from akhbar.search import Filters, QueryProblem
from akhbar.services import search
from akhbar.services.languages import check_language
from akhbar.web import schemas
from akhbar.web.api import ISO_DATE, LANGUAGE, PREFIX, real_day
from akhbar.web.dependencies import AppStore

OPENSEARCH = """<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>akhbar</ShortName>
  <Description>akhbar news search — أخبار</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Url type="text/html" template="{base}/search?q={{searchTerms}}"/>
  <Url type="application/json" template="{base}/api/v1/search?q={{searchTerms}}"/>
</OpenSearchDescription>
"""

# Dates are checked by real_day (an impossible one is a 400 with the reason); documented as dates.
DAY: dict[str, Any] = {"json_schema_extra": {"format": "date"}}

router = APIRouter()


@router.get(
    f"{PREFIX}/search",
    tags=["v1"],
    response_model=schemas.SearchResults,
    responses=schemas.refusals(400, 422),
    summary="Search articles (Arabic, French, English)",
)
def search_articles(
    store: AppStore,
    q: Annotated[str, Query(description='words, "a phrase", -word, a OR b')],
    language: str | None = Query(None, min_length=2, max_length=8, pattern=LANGUAGE),
    source: int | None = Query(None, ge=1),
    story: int | None = Query(None, ge=1),
    since: Annotated[str | None, Query(pattern=ISO_DATE, description="published on or after", **DAY)] = None,
    until: Annotated[str | None, Query(pattern=ISO_DATE, description="published on or before", **DAY)] = None,
    limit: int = Query(20, ge=1, le=search.MAX_LIMIT),
    offset: int = Query(0, ge=0, le=10_000),
) -> dict[str, Any]:
    """Ranked results, a story's articles together; a query that cannot be searched, or a date that
    does not exist, is refused (400)."""
    since_day, until_day = real_day("since", since), real_day("until", until)
    filters = Filters(check_language(language), source, story, since_day, until_day)  # "xx": 400
    results = search.search(store, q, filters=filters, limit=limit, offset=offset)
    if isinstance(results, QueryProblem):
        raise HTTPException(400, results.reason)
    return results.to_json()


@router.get("/opensearch.xml", include_in_schema=False)
def opensearch(request: Request) -> Response:
    base = escape(str(request.base_url).rstrip("/"))
    return Response(OPENSEARCH.format(base=base), media_type="application/opensearchdescription+xml")
