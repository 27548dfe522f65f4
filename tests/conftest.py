"""Shared fixtures: real SQLite files and a real PostgreSQL cluster, never a mocked database."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import httpx
import pytest
import sqlalchemy as sa

from akhbar.store import Store

if TYPE_CHECKING:
    from portal_fixtures import PortalData

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data"
SEED = SHARED / "seed"
_counter = itertools.count()


def pytest_report_header() -> str:
    return f"shared data: {SHARED} ({'found' if SHARED.is_dir() else 'MISSING'})"


def pytest_configure(config: pytest.Config) -> None:
    """Each pytest-xdist worker gets a runtime directory of its own, so the embedding service a test
    kills or times out is its worker's, never one another worker's test is using at that moment.
    (Each worker also starts its own PostgreSQL cluster: ``postgres_cluster`` is per session.)"""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        import tempfile

        runtime = Path(tempfile.gettempdir()) / f"akhbar-tests-{os.getuid()}-{os.getppid()}-{worker}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
        config.add_cleanup(lambda: shutil.rmtree(runtime, ignore_errors=True))


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose inputs this machine lacks; under CI (``CI`` set) fail it: CI has them all."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: nothing may be skipped for want of it)", pytrace=False)
    pytest.skip(reason)


def needs_shared(*paths: Path) -> pytest.MarkDecorator:
    """Mark tests that read these files or folders of ../shared (``DATA / "parallel-news"``, ...).

    Where one is missing the test skips, and under CI it fails (:func:`unavailable`).
    """
    return pytest.mark.shared_data(*paths)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("shared_data"):
        missing = [str(path) for path in mark.args if not Path(path).exists()]
        if missing:
            unavailable(f"shared data not found: {', '.join(missing)} (../shared beside the repository)")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[object]:
    import pgcluster

    try:
        cluster = pgcluster.start()
    except (RuntimeError, OSError) as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()


def new_postgres_database(cluster: Any) -> str:
    """The URL of a brand-new, empty database on the test cluster."""
    name = f"akhbar_t{os.getpid()}_{next(_counter)}"
    admin = sa.create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return str(cluster.url(name))


def _postgres_url(request: pytest.FixtureRequest) -> str:
    return new_postgres_database(request.getfixturevalue("postgres_cluster"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A brand-new, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'akhbar.db'}"
    return _postgres_url(request)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store(database_url)
    yield opened
    opened.close()


@pytest.fixture
def pg_store(postgres_cluster: Any) -> Iterator[Store]:
    """A brand-new, empty database on PostgreSQL only (Procrastinate, PostgreSQL search)."""
    opened = Store(new_postgres_database(postgres_cluster))
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(f"sqlite:///{tmp_path / 'akhbar.db'}")
    yield opened
    opened.close()


class AsgiClient:
    """A synchronous in-process HTTP client over ``httpx.ASGITransport`` (no sockets, real app)."""

    def __init__(self, app: object, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = headers or {}

    def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)  # type: ignore[arg-type]  # any ASGI app
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver", headers=self.headers
            ) as client:
                return await client.request(method, path, **kwargs)  # type: ignore[arg-type]  # passthrough

        return asyncio.run(send())

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        return self.request("POST", path, **kwargs)


def app_client(store: Store, headers: dict[str, str] | None = None, **options: Any) -> AsgiClient:
    """The whole web app over ``store`` in process, sending ``headers`` with every request.

    ``options`` go to ``create_app``; ``cache_ttl`` is 0 unless given, so a test sees its own writes
    at once.
    """
    from akhbar.web import create_app

    options.setdefault("cache_ttl", 0)
    return AsgiClient(create_app(store, **options), headers)


@pytest.fixture
def data(store: Store) -> PortalData:
    """The portal data set (``portal_fixtures.populate``) in ``store``; modules may add to it."""
    from portal_fixtures import populate

    return populate(store)


@pytest.fixture
def client(store: Store, data: object) -> AsgiClient:
    """The web app over ``store`` once ``data`` (the portal data set, unless a module says otherwise) is in."""
    return app_client(store)
