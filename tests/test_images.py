"""Photos: checked with Pillow, stripped of metadata, kept as WebP copies by content, fetched as jobs
with the guarded fetcher from a real 127.0.0.1 server, served by akhbar (never hotlinked), and shown
only with the article they belong to."""

from __future__ import annotations

import asyncio
import io
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from akhbar import images as stage
from akhbar.config import Settings
from akhbar.errors import HostBusy
from akhbar.jobs.inline import InlineRunner
from akhbar.jobs.tasks import run_image, schedule_due
from akhbar.models import Rejected
from akhbar.services import images, ingest
from akhbar.services import sources as sources_service
from akhbar.services.fetching import open_runtime
from akhbar.services.stories import Grouping
from akhbar.store import Store, hosts
from akhbar.store import images as image_rows
from akhbar.store.tables import article_images, fetch_hosts
from akhbar.text.urls import host_of
from conftest import app_client
from image_fixtures import IMAGES, PHOTO, SECRET, ImageServer, page_html
from test_sources_refresh import make_settings


@pytest.fixture(scope="module")
def server() -> Iterator[ImageServer]:
    running = ImageServer().start()
    yield running
    running.stop()


def settings_for(store: Store, tmp_path: Path, **more: object) -> Settings:
    return make_settings(store.url, data_dir=str(tmp_path / "data"), **{"images": True, **more})


# --- the stage ---------------------------------------------------------------------------------


def test_a_photo_is_turned_upright_resized_and_stripped_of_every_metadata() -> None:
    done = stage.process(PHOTO, where="photo.jpg")
    assert not isinstance(done, Rejected), done
    assert (done.width, done.height) == (1000, 1600), "EXIF orientation 6 is applied to the pixels"
    assert [v.width for v in done.variants] == [400, 800, 1000], "never enlarged, the original width kept"
    for variant in done.variants:
        copy = Image.open(io.BytesIO(variant.data))
        assert copy.format == "WEBP"
        assert copy.size == (variant.width, variant.height)
        assert variant.height == round(1600 * variant.width / 1000)
        assert not copy.getexif(), "no EXIF (GPS, author, camera) survives"
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(copy.info)
        assert SECRET.encode() not in variant.data and b"SecretCam" not in variant.data
    assert done.key == stage.content_key(PHOTO)


@pytest.mark.parametrize(
    ("size", "widths"),
    [
        ((300, 200), [300]),
        ((500, 300), [400, 500]),
        ((1200, 675), [400, 800, 1200]),
        ((1600, 900), [400, 800, 1200]),
    ],
)
def test_each_copy_is_kept_once_at_its_width(size: tuple[int, int], widths: list[int]) -> None:
    """A photo wider than the widest copy gives that copy once (a srcset with one width twice is invalid)."""
    data = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(data, "JPEG")
    done = stage.process(data.getvalue(), where="wide.jpg")
    assert not isinstance(done, Rejected), done
    assert [v.width for v in done.variants] == widths


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/img/fake.jpg", "not a JPEG, PNG, GIF or WebP"),
        ("/img/vector.jpg", "not a JPEG, PNG, GIF or WebP"),
        ("/img/page.png", "not a JPEG, PNG, GIF or WebP"),
        ("/img/bomb.png", "too many pixels"),
        ("/img/over.png", "6000x6000 pixels (limit 30,000,000"),
        ("/img/pixel.gif", "too small to be a photo"),
        ("/img/cut.jpg", "unreadable"),
    ],
)
def test_what_is_not_a_photo_is_refused_with_its_reason(path: str, reason: str) -> None:
    done = stage.process(IMAGES[path][0], where=path)
    assert isinstance(done, Rejected)
    assert reason in done.reason and done.location == path


def test_empty_and_oversized_inputs_are_refused() -> None:
    assert isinstance(stage.process(b""), Rejected)
    refused = stage.process(PHOTO, limits=stage.Limits(max_bytes=1000))
    assert isinstance(refused, Rejected) and "limit 1000" in refused.reason


# --- the service: store_image ------------------------------------------------------------------


def test_store_image_keeps_copies_by_content_once(store: Store, tmp_path: Path) -> None:
    settings = settings_for(store, tmp_path)
    first = images.store_image(store, settings, PHOTO, alt="Le port", caption="Au port", credit="Moi")
    assert isinstance(first, images.StoredImage)
    again = images.store_image(store, settings, PHOTO, alt="autre")
    assert again == first, "the same bytes are one image"
    files = sorted(p.name for p in images.directory(settings).rglob("*.webp"))
    assert files == [f"{first.key}-{w}.webp" for w in (1000, 400, 800)]
    refused = images.store_image(store, settings, IMAGES["/img/vector.jpg"][0], source_url="x.svg")
    assert isinstance(refused, Rejected) and refused.location == "x.svg"
    assert len(list(images.directory(settings).rglob("*"))) == 4, "a refused file leaves nothing on disk"


def test_only_names_of_copies_reach_the_disk(tmp_path: Path) -> None:
    for name in (
        "../akhbar.db",
        "a" * 32 + "-400.png",
        "A" * 32 + "-400.webp",
        "x/../y.webp",
        "0" * 32 + "-0.webp",
    ):
        assert images.file_for(tmp_path, name) is None, name
    assert images.file_for(tmp_path, "ab" + "0" * 30 + "-400.webp") == tmp_path / "ab" / (
        "ab" + "0" * 30 + "-400.webp"
    )


# --- fetched as jobs from a real server ------------------------------------------------------------


def follow(store: Store, server: ImageServer, path: str) -> None:
    opml = f'<opml><body><outline text="x" xmlUrl="{server.url(path)}"/></body></opml>'
    results = sources_service.import_opml(store, make_settings(store.url), opml.encode())
    assert [r.status for r in results] == ["added"]


def refresh_all(store: Store, settings: Settings, *, photos: bool = False) -> InlineRunner:
    async def run() -> InlineRunner:
        async with open_runtime(store, settings, Grouping()) as runtime:
            runner = InlineRunner(runtime, concurrency=2)
            await schedule_due(store, runner, photos=photos)
            await runner.run_until_idle()
            return runner

    return asyncio.run(run())


def article_ids(store: Store) -> dict[str, int]:
    from akhbar.services import portal

    found = portal.latest(store, portal.Filters(), limit=100)
    return {item.url.rsplit("/", 1)[-1].removesuffix(".html"): item.id for item in found if item.url}


def test_refresh_fetches_each_photo_as_a_job_and_shows_only_real_ones(
    store: Store, server: ImageServer, tmp_path: Path
) -> None:
    settings = settings_for(store, tmp_path)
    follow(store, server, "/feed.xml")
    runner = refresh_all(store, settings)
    outcomes = {r.article_id: r for r in runner.outcomes.images}
    ids = article_ids(store)
    assert set(ids) == set(server.names)
    status = {name: outcomes[i].status for name, i in ids.items()}
    assert status == {name: ("stored" if name == "photo" else "failed") for name in server.names}
    assert "HTTP 503" in (outcomes[ids["busy"]].reason or "")
    assert "robots.txt" in (outcomes[ids["private"]].reason or "")
    assert "HTTP 404" in (outcomes[ids["missing"]].reason or "")
    assert server.hits["/private/photo.jpg"] == 0, "robots.txt is obeyed for photos too"
    shown = images.pictures(store, ids.values())
    assert set(shown) == {ids["photo"]}, "a failed photo leaves the article without one"
    picture = shown[ids["photo"]]
    assert (picture.width, picture.height) == (800, 1280)
    assert picture.caption == "Légende de la photo photo"
    assert picture.credit == "Le Quotidien de Test"
    assert picture.srcset.count(" ") == 5 and picture.src.startswith("/media/images/")
    # nothing is fetched again on the next refresh: the outcome of each address is recorded; the
    # photo that failed for a passing reason (503) is tried again when due, three tries in all
    before = sum(server.hits[p] for p in IMAGES)
    refresh_all(store, settings)
    assert sum(server.hits[p] for p in IMAGES) == before
    assert images.due_photos(store) == [], "a retry waits its turn"
    with store.transaction() as connection:
        later = datetime.now(UTC) + timedelta(days=1)
        assert image_rows.claim_due(connection, later, lambda _n: timedelta(minutes=10), 10) == [ids["busy"]]
        image_rows.set_status(connection, ids["busy"], "retry")
    busy = server.hits["/img/busy.jpg"]
    for tries in (2, 3):
        with store.transaction() as connection:
            connection.execute(
                sa.update(article_images).values(updated_at=datetime.now(UTC) - timedelta(days=1))
            )
        done = refresh_all(store, settings, photos=True).outcomes.images
        assert [r.article_id for r in done] == [ids["busy"]], tries
    assert server.hits["/img/busy.jpg"] > busy
    with store.reading() as connection:
        final = connection.execute(
            sa.select(article_images.c.status, article_images.c.attempts).where(
                article_images.c.article_id == ids["busy"]
            )
        ).one()
    assert tuple(final) == ("failed", 3)
    assert images.due_photos(store) == []


def test_images_off_fetches_no_photo(sqlite_store: Store, server: ImageServer, tmp_path: Path) -> None:
    settings = settings_for(sqlite_store, tmp_path, images=False)
    server.listed = ["photo"]
    try:
        hits = server.hits["/img/photo.jpg"]
        follow(sqlite_store, server, "/feed.xml")
        runner = refresh_all(sqlite_store, settings)
    finally:
        server.listed = list(server.names)
    assert runner.outcomes.pages and not runner.outcomes.images
    assert server.hits["/img/photo.jpg"] == hits


def test_a_photo_job_hands_back_a_busy_host_without_recording_a_failure(
    sqlite_store: Store, server: ImageServer, tmp_path: Path
) -> None:
    """With patience (the job runners'), a photo whose host's turn is far off raises HostBusy, sends
    nothing and records nothing: the photo is still wanted, and is fetched once the host is free."""
    settings = settings_for(sqlite_store, tmp_path, images=False)
    server.listed = ["photo"]
    try:
        follow(sqlite_store, server, "/feed.xml")
        refresh_all(sqlite_store, settings)
    finally:
        server.listed = list(server.names)
    article_id = article_ids(sqlite_store)["photo"]
    assert images.request_photo(sqlite_store, article_id)
    url = images.wanted(sqlite_store, article_id)
    assert url is not None
    with sqlite_store.transaction() as connection:
        hosts.reserve_slot(connection, host_of(url), 1.0, time.time() + 30)  # another worker's turn
    hits = server.hits["/img/photo.jpg"]
    photos = settings_for(sqlite_store, tmp_path)

    async def run(patience: float) -> images.ImageResult:
        async with open_runtime(sqlite_store, photos, Grouping()) as runtime:
            return await run_image(runtime, article_id, patience)

    with pytest.raises(HostBusy):
        asyncio.run(run(0.3))
    assert server.hits["/img/photo.jpg"] == hits, "nothing was sent"
    assert images.wanted(sqlite_store, article_id) == url, "the photo is still to be fetched"
    with sqlite_store.transaction() as connection:
        connection.execute(sa.delete(fetch_hosts))
    assert asyncio.run(run(0.3)).status == "stored"


def test_a_photo_is_shown_only_while_its_article_names_it(
    sqlite_store: Store, server: ImageServer, tmp_path: Path
) -> None:
    store = sqlite_store
    settings = settings_for(store, tmp_path)
    page = tmp_path / "page.html"
    page.write_bytes(page_html(server.base, "photo"))
    ingested = list(ingest.ingest_paths(store, [str(page)], grouping=Grouping()))
    article_id = ingested[0].article_id
    assert article_id is not None

    async def fetch() -> images.ImageResult:
        async with open_runtime(store, settings, Grouping()) as runtime:
            return await images.fetch_for_article(runtime, article_id)

    assert asyncio.run(fetch()).status == "stored"
    assert images.picture(store, article_id) is not None
    # the page now names another photo: the old one is not shown with it any more
    page.write_bytes(page_html(server.base, "photo", "/img/other.jpg"))
    list(ingest.ingest_paths(store, [str(page)], grouping=Grouping()))
    assert images.picture(store, article_id) is None
    assert images.wanted(store, article_id) == f"{server.base}/img/other.jpg"
    assert asyncio.run(fetch()).status == "stored"
    now = images.picture(store, article_id)
    assert now is not None and now.width == 800 and now.height == 533


def test_serving_copies_immutable_and_pages_without_hotlinks(
    sqlite_store: Store, server: ImageServer, tmp_path: Path
) -> None:
    store = sqlite_store
    settings = settings_for(store, tmp_path)
    follow(store, server, "/feed.xml")
    refresh_all(store, settings)
    ids = article_ids(store)
    client = app_client(store, settings=settings)
    page = client.get(f"/fr/articles/{ids['photo']}").text
    image = re.search(
        r'<img src="([^"]+)" srcset="([^"]+)" sizes="[^"]+" width="800" height="1280" alt="[^"]+" loading="lazy"',
        page,
    )
    assert image is not None, page
    assert "127.0.0.1:" not in page.split("<main", 1)[1].split('class="original"')[0], (
        "no source address in the body"
    )
    assert "figcaption" in page and "© Le Quotidien de Test" in page
    copy = client.get(image.group(1))
    assert copy.status_code == 200 and copy.headers["content-type"] == "image/webp"
    assert copy.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(copy.content)).size == (800, 1280)
    for url in re.findall(r"(/media/images/\S+) \d+w", image.group(2)):
        assert client.get(url).status_code == 200
    assert "img-src 'self';" in copy.headers["content-security-policy"]
    for name in ("fake", "vector", "missing"):
        broken = client.get(f"/fr/articles/{ids[name]}").text
        assert "<figure" not in broken and "<figcaption" not in broken and "<img" not in broken, name
    assert client.get("/media/images/" + "0" * 32 + "-400.webp").status_code == 404
    assert client.get("/media/images/..%2Fakhbar.db").status_code == 404


@pytest.mark.slow
def test_ingesting_files_fetches_no_photo_unless_asked(
    sqlite_store: Store, server: ImageServer, tmp_path: Path
) -> None:
    from test_cli import akhbar

    page = tmp_path / "page.html"
    page.write_bytes(page_html(server.base, "photo", "/img/other.jpg"))
    hits = server.hits["/img/other.jpg"]
    env = {"AKHBAR_FETCH_ALLOW_NETWORKS": "127.0.0.0/8", "AKHBAR_FETCH_HOST_DELAY": "0"}
    done = akhbar("ingest", str(page), data_dir=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert server.hits["/img/other.jpg"] == hits, "a file's photo is not fetched by default"
    other = tmp_path / "other.html"
    other.write_bytes(page_html(server.base, "fake", "/img/other.jpg"))
    done = akhbar("ingest", "--fetch-images", str(other), data_dir=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "photos: 1 stored, 0 failed" in done.stderr
    assert server.hits["/img/other.jpg"] == hits + 1
    assert len(list((tmp_path / "images").rglob("*.webp"))) == 3


@pytest.mark.postgres
def test_the_procrastinate_worker_fetches_photos_as_jobs(
    pg_store: Store, server: ImageServer, tmp_path: Path
) -> None:
    from akhbar.jobs.distributed import ProcrastinateQueue, build_app, ensure_schema, run_worker
    from test_jobs import pending_jobs

    settings = settings_for(pg_store, tmp_path)
    server.listed = ["photo", "vector"]
    try:
        follow(pg_store, server, "/feed.xml")
        ensure_schema(pg_store.engine)
        app = build_app(pg_store.url)

        async def run() -> None:
            async with open_runtime(pg_store, settings, Grouping()) as runtime, app.open_async():
                await schedule_due(pg_store, ProcrastinateQueue(app))
                for _ in range(8):  # pages defer photos: run until no akhbar job is left
                    await run_worker(app, runtime, concurrency=2, wait=False)
                    if not await asyncio.to_thread(pending_jobs, pg_store):
                        break

        asyncio.run(run())
    finally:
        server.listed = list(server.names)
    with pg_store.reading() as connection:
        jobs = connection.execute(sa.text("SELECT task_name, status FROM procrastinate_jobs")).all()
    photo_jobs = [job for job in jobs if job.task_name == "akhbar.fetch_image"]
    assert len(photo_jobs) == 2 and all(job.status == "succeeded" for job in photo_jobs), jobs
    ids = article_ids(pg_store)
    assert set(images.pictures(pg_store, ids.values())) == {ids["photo"]}


def test_a_newsroom_photo_is_fetched_by_the_job_sweep(
    sqlite_store: Store, server: ImageServer, tmp_path: Path
) -> None:
    from akhbar.extract.editorial import Draft
    from akhbar.services import editorial

    store = sqlite_store
    settings = settings_for(store, tmp_path)
    editor = editorial.add_user(store, "sara@example.org", "editor", "a long enough password")
    draft = Draft(
        title="Le port se prépare à la saison",
        body="Les pêcheurs réparent leurs filets avant la saison.",
        language="fr",
        site_name="akhbar",
        image_url=server.url("/img/other.jpg"),
        image_caption="Le port au matin",
    )
    article_id = editorial.write(store, Grouping(), editor, draft)
    assert images.picture(store, article_id) is None
    runner = refresh_all(store, settings, photos=True)
    assert [(r.article_id, r.status) for r in runner.outcomes.images] == [(article_id, "stored")]
    picture = images.picture(store, article_id)
    assert picture is not None and picture.caption == "Le port au matin" and picture.credit == "akhbar"
    assert images.due_photos(store) == []
