"""The newsroom's media library: uploads through the image pipeline (checked, metadata stripped,
resized), alt text required, caption and credit kept, search, one image shown by two articles."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from akhbar.services import drafts, editorial, media
from akhbar.services.stories import Grouping
from akhbar.store import Store
from conftest import AsgiClient, app_client
from image_fixtures import SECRET, photo_jpeg
from test_newsroom_drafts import DRAFT
from test_sources_refresh import make_settings

PASSWORD = "a long enough password"


@pytest.fixture
def newsroom(sqlite_store: Store, tmp_path: Path) -> AsgiClient:
    editorial.add_user(sqlite_store, "sara@example.org", "editor", PASSWORD)
    settings = make_settings(sqlite_store.url, data_dir=str(tmp_path))
    return app_client(sqlite_store, {"accept-language": "fr"}, settings=settings)


def _sign_in(client: AsgiClient) -> tuple[dict[str, str], str]:
    done = client.post("/admin/login", data={"email": "sara@example.org", "password": PASSWORD})
    token = re.search(r"akhbar_session=([^;]+)", done.headers["set-cookie"])
    assert token is not None
    headers = {"cookie": f"akhbar_session={token.group(1)}"}
    page = client.get("/admin/media", headers=headers)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    return headers, csrf.group(1)


def _upload(client: AsgiClient, headers: dict[str, str], data: bytes, **fields: str) -> httpx.Response:
    return client.post(
        "/admin/media", data=fields, files={"file": ("photo.jpg", data, "image/jpeg")}, headers=headers
    )


def test_an_upload_is_checked_stripped_resized_described_and_reused(
    newsroom: AsgiClient, sqlite_store: Store, tmp_path: Path
) -> None:
    headers, csrf = _sign_in(newsroom)
    photo = photo_jpeg()
    nameless = _upload(newsroom, headers, photo, csrf=csrf, alt=" ", caption="Le tramway")
    assert nameless.status_code == 400 and "texte alternatif" in nameless.text
    assert 'value="Le tramway"' in nameless.text, "what was typed is kept"
    fake = _upload(newsroom, headers, b"<svg onload=alert(1)>", csrf=csrf, alt="x")
    assert fake.status_code == 400 and "image" in fake.text
    assert _upload(newsroom, headers, photo, csrf="forged", alt="x").status_code == 403
    done = _upload(
        newsroom, headers, photo, csrf=csrf, alt="الترامواي في محطة سلا", caption="Le tramway", credit="Omar"
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin/media?done=uploaded"
    (item,) = media.library(sqlite_store)
    assert (item.alt, item.caption, item.credit, item.uses) == (
        "الترامواي في محطة سلا",
        "Le tramway",
        "Omar",
        0,
    )
    assert [i.id for i in media.library(sqlite_store, "TRAMWAY")] == [item.id]
    assert media.library(sqlite_store, "autobus") == []
    copies = list((tmp_path / "images").rglob("*.webp"))
    assert len(copies) >= 2, "resized copies"
    assert all(SECRET.encode() not in copy.read_bytes() for copy in copies), "metadata stripped"
    served = newsroom.get(item.src)
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"

    sara = editorial.list_users(sqlite_store)[0]
    with_photo = DRAFT.__class__(
        **{**DRAFT.__dict__, "image_url": item.src, "body": DRAFT.body + f"\n\n{item.markdown}"}
    )
    other = DRAFT.__class__(
        **{
            **DRAFT.__dict__,
            "title": "صورة الترامواي مرة أخرى في مقال ثان",
            "body": "نص آخر تماما.",
            "image_url": item.src,
        }
    )
    first = drafts.publish(sqlite_store, Grouping(), sara, drafts.save(sqlite_store, sara, with_photo).id)
    second = drafts.publish(sqlite_store, Grouping(), sara, drafts.save(sqlite_store, sara, other).id)
    assert media.library(sqlite_store)[0].uses == 2, "one image, two articles"
    page = newsroom.get(f"/ar/articles/{first.article_id}")
    assert f'src="{item.src}"' in page.text and 'alt="الترامواي في محطة سلا"' in page.text
    assert "Le tramway" in newsroom.get(f"/ar/articles/{second.article_id}").text
    form = newsroom.get(f"/admin/articles/{first.id}/edit", headers=headers)
    assert f'data-photo="{item.src}"' in form.text and "utilisée dans 2 articles" in form.text
