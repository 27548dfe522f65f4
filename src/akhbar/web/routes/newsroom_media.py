"""``/admin/media``: the media library. Upload an image (with its alt text, caption and credit),
find one, and copy what puts it in an article (the article form lists the library too).

The upload is the newsroom's one multipart form: it is checked like the others (sent from this
site, with the session's form token) and its file is read up to the fetcher's size cap.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from akhbar.errors import InputError
from akhbar.services import editorial, media
from akhbar.web.dependencies import AppStore, Editor, FetchSettings, NewsroomPages, same_origin

router = APIRouter(prefix="/admin", include_in_schema=False)


@router.get("/media")
def library(
    request: Request, store: AppStore, pages: NewsroomPages, session: Editor, settings: FetchSettings
) -> Response:
    query = (request.query_params.get("q") or "").strip()[:200]
    return pages.page(
        request,
        "admin_media.html",
        session=session,
        items=media.library(store, query or None),
        query=query,
        uploads=settings is not None,
        done=request.query_params.get("done"),
    )


async def _upload_form(
    request: Request, session: editorial.Session, limit: int
) -> tuple[dict[str, str], bytes]:
    """The upload's fields and file, from this site with the session's form token; else 403/413/400."""
    if not same_origin(request):
        raise HTTPException(403, "This form was sent from another site")
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + 64 * 1024:
        raise HTTPException(413, "The image is too large")
    async with request.form(max_files=1, max_fields=10, max_part_size=limit) as form:
        fields = {name: value for name, value in form.items() if isinstance(value, str)}
        upload = form.get("file")
        data = await upload.read(limit + 1) if isinstance(upload, UploadFile) else b""
    if not hmac.compare_digest(fields.get("csrf", "").encode(), session.csrf.encode()):
        raise HTTPException(403, "The form has expired; reload the page and send it again")
    if len(data) > limit:
        raise HTTPException(413, "The image is too large")
    return fields, data


@router.post("/media")
async def upload(
    request: Request, store: AppStore, pages: NewsroomPages, session: Editor, settings: FetchSettings
) -> Response:
    if settings is None:
        raise HTTPException(403, "This server keeps no images")
    fields, data = await _upload_form(request, session, settings.fetch_max_bytes)
    try:
        await run_in_threadpool(  # Pillow decodes and resizes: not on the event loop
            lambda: media.upload(
                store,
                settings,
                session.user,
                data,
                alt=fields.get("alt", ""),
                caption=fields.get("caption"),
                credit=fields.get("credit"),
            )
        )
    except InputError as exc:
        return pages.page(
            request,
            "admin_media.html",
            400,
            session=session,
            items=media.library(store),
            query="",
            uploads=True,
            problem=exc,
            typed=fields,
        )
    return RedirectResponse("/admin/media?done=uploaded", status_code=303)
