"""Photos akhbar keeps (``/media/images/<key>-<width>.webp``), served as immutable files.

A copy's name is its content's (akhbar.services.images writes each file once), so browsers and
proxies may keep it for a year without asking again. Only names of that exact shape reach the disk.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from akhbar.services import images

router = APIRouter(include_in_schema=False)
IMMUTABLE = "public, max-age=31536000, immutable"


@router.get(images.MEDIA_PREFIX + "{name}")
async def image_copy(request: Request, name: str) -> Response:
    directory: Path | None = request.app.state.images_dir
    path = images.file_for(directory, name) if directory is not None else None
    if path is None or not path.is_file():
        raise HTTPException(404, "No such image")
    return FileResponse(path, media_type="image/webp", headers={"Cache-Control": IMMUTABLE})
