"""The attack itself: every case of tests/hostile/cases.toml sent to a real ``akhbar serve``.

:func:`run_attack` starts the loopback fixture server (which serves the corpus) and ``akhbar serve``
over a fresh data dir, signs an admin in, feeds each case the way its ``via`` says, waits for the
pages to be stored, and returns what came of each case (:class:`Outcome`). tests/test_hostile.py
then checks each outcome against its case and crawls, parses and browses what is stored.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from lxml import html as lxml_html

from akhbar.services import editorial
from akhbar.services import sources as sources_service
from akhbar.store import Store
from httpserver import FixtureServer
from liveserver import LiveServer

HOSTILE = Path(__file__).with_name("hostile")
ADMIN, PASSWORD = "chief@example.org", "a long enough password"
SETTINGS = {
    "fetch_allow_networks": "127.0.0.0/8",
    "fetch_host_delay": "0",
    "fetch_retries": "0",
    "fetch_timeout": "5",
    "fetch_total_timeout": "20",
    "worker_concurrency": "4",
    "log_level": "INFO",  # the server's and the refresh's logs (in the test's temp dir) say what happened
}
AT_ONCE = 4  # sources followed and articles written at once, as a few editors would
SETTLE = 90.0  # seconds the queued pages may take to be stored after the refresh


@dataclass(frozen=True)
class Case:
    """One line of cases.toml."""

    name: str
    via: str
    fixture: str
    expect: str | list[int | str]
    title: str | None = None
    absent: str | None = None
    count: int = 1
    known: str | None = None


def load_cases() -> list[Case]:
    with (HOSTILE / "cases.toml").open("rb") as handle:
        return [Case(**row) for row in tomllib.load(handle)["cases"]]


@dataclass
class Outcome:
    """What came of one case: ``result`` is stored, rejected, refused, lost, or an HTTP status."""

    result: str
    detail: str = ""
    articles: list[dict[str, Any]] = field(default_factory=list)
    answer: bytes = b""


@dataclass
class Attack:
    server: LiveServer
    fixtures: FixtureServer
    newsroom: httpx.Client
    outcomes: dict[str, Outcome]
    rss_before: float
    rss_peak: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[phase] = round(time.monotonic() - started, 1)


# -- feeding ----------------------------------------------------------------------------------------


def _sign_in(base: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=60, headers={"Accept-Language": "en"})
    answer = client.post("/admin/login", data={"email": ADMIN, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    page = client.get("/admin/sources").text
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no form token on the sources page"
    return client, found.group(1)


def _alert(page: str) -> str:
    """The refusal a newsroom page shows."""
    tree = lxml_html.fromstring(page)
    return " ".join(" ".join(" ".join(e.itertext()).split()) for e in tree.xpath("//*[@role='alert']"))


def _follow(attack: Attack, csrf: str, case: Case, url: str) -> Outcome | None:
    """Follow ``url`` as the case says; an Outcome when it was refused then and there."""
    if case.via == "cli":
        done = attack.server.run("sources", "add", url, "--format", "json")
        return None if done.returncode == 0 else Outcome("rejected", f"sources add: {done.stderr.strip()}")
    try:
        answer = attack.newsroom.post("/admin/sources", data={"csrf": csrf, "url": url})
    except httpx.HTTPError as exc:
        return Outcome("lost", f"follow: no answer: {exc!r}")
    if answer.status_code == 303:
        return None
    if answer.status_code == 400:
        return Outcome("rejected", f"follow: {_alert(answer.text)}")
    return Outcome("lost", f"follow: {answer.status_code}: {answer.text[:200]}")


def _write(attack: Attack, csrf: str, case: Case) -> Outcome:
    fields = json.loads((HOSTILE / case.fixture).read_text(encoding="utf-8"))
    body = urlencode({"csrf": csrf, **fields}, encoding="utf-8", errors="surrogatepass")
    try:
        answer = attack.newsroom.post(
            "/admin/articles",
            content=body.encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    except httpx.HTTPError as exc:
        return Outcome("lost", f"no answer: {exc!r}")
    if answer.status_code == 303:
        article_id = parse_qs(urlsplit(answer.headers["location"]).query)["article"][0]
        stored = attack.newsroom.get(f"/api/v1/articles/{article_id}").json()
        return Outcome("stored", f"article {article_id}", [stored])
    if answer.status_code == 400:
        return Outcome("refused", _alert(answer.text))
    return Outcome("lost", f"{answer.status_code}: {answer.text[:200]}")


def raw_request(port: int, fixture: Path, timeout: float = 20.0) -> bytes:
    """Send the request in ``fixture`` on a new connection; what came back (b"" when none)."""
    template = fixture.read_bytes().replace(b"\n", b"\r\n").replace(b"{host}", b"127.0.0.1:%d" % port)
    template = re.sub(rb"\{pad:(\d+)\}", lambda m: b"a" * int(m.group(1)), template)
    head = re.sub(
        rb"\{headers:(\d+)\}",
        lambda m: b"".join(b"X-%d: 1\r\n" % n for n in range(int(m.group(1)))),
        template,
    )
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            for start in range(0, len(head), 65536):
                sock.sendall(head[start : start + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return answer


def _request(attack: Attack, case: Case) -> Outcome:
    answer = raw_request(attack.server.port, HOSTILE / case.fixture)
    if not answer.startswith(b"HTTP/1."):
        return Outcome("closed", f"{len(answer)} bytes", answer=answer)
    status = answer.split(b" ", 2)[1].decode()
    return Outcome(status, answer.split(b"\r\n", 1)[0].decode("latin-1"), answer=answer)


# -- reading what came of the sources --------------------------------------------------------------


def _settle(store: Store, source_ids: list[int]) -> None:
    """Wait until no page of these sources is still queued (the server's own runner may poll too)."""
    deadline = time.monotonic() + SETTLE
    while time.monotonic() < deadline:
        pending = sum(sources_service.show_source(store, i).pages.get("queued", 0) for i in source_ids)
        if not pending:
            return
        time.sleep(0.5)


def _source_outcome(attack: Attack, store: Store, source_id: int) -> Outcome:
    detail = sources_service.show_source(store, source_id)
    source = detail.source
    listed = attack.newsroom.get(
        "/api/v1/articles", params={"source": source_id, "copies": "include", "limit": 500}
    ).json()["articles"]
    articles = [attack.newsroom.get(f"/api/v1/articles/{a['id']}").json() for a in listed]
    reasons = [f"{e.url}: {e.status}: {e.reason}" for e in detail.recent_errors]
    if source.last_error:
        reasons.insert(0, f"source: {source.last_status}: {source.last_error}")
    summary = f"pages {detail.pages}; {'; '.join(reasons)}" if reasons else f"pages {detail.pages}"
    if detail.pages.get("queued"):
        return Outcome("lost", f"pages left queued: {summary}", articles)
    if articles:
        return Outcome("stored", f"{len(articles)} stored; {summary}", articles)
    if reasons and all(e.reason for e in detail.recent_errors):
        return Outcome("rejected", summary)
    return Outcome("lost", f"nothing stored, no reason recorded: {summary}")


def _fixture_url(attack: Attack, case: Case) -> str:
    if case.fixture.startswith("gen/"):
        return attack.fixtures.url("/hostile-gen/" + case.fixture.removeprefix("gen/"))
    return attack.fixtures.url("/hostile/" + case.fixture)


def _feed_sources(attack: Attack, store: Store, csrf: str, cases: list[Case]) -> None:
    following: dict[str, str] = {}
    with attack.timed("follow"), ThreadPoolExecutor(AT_ONCE) as pool:
        urls = {case.name: _fixture_url(attack, case) for case in cases}
        refusals = pool.map(lambda case: _follow(attack, csrf, case, urls[case.name]), cases)
        for case, refused in zip(cases, refusals, strict=True):
            if refused is None:
                following[case.name] = urls[case.name]
            else:
                attack.outcomes[case.name] = refused
    with attack.timed("refresh"):
        done = attack.server.run("refresh", "--all", "--format", "json", timeout=300)
    (attack.server.data_dir.parent / "refresh.log").write_text(done.stderr, encoding="utf-8")
    assert done.returncode == 0, f"akhbar refresh failed:\n{done.stderr[-3000:]}"
    by_url = {s.url: s.id for s in sources_service.list_sources(store)}
    with attack.timed("settle"):
        _settle(store, list(by_url.values()))
    for name, url in following.items():
        source_id = by_url.get(url)
        attack.outcomes[name] = (
            Outcome("lost", "followed, but no source has its address")
            if source_id is None
            else _source_outcome(attack, store, source_id)
        )


@contextmanager
def _sampling(attack: Attack) -> Iterator[None]:
    """Samples the server's memory every 0.2 s into ``attack.rss_peak``."""
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set() and attack.server.alive():
            attack.rss_peak = max(attack.rss_peak, attack.server.rss_mb())
            stop.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


@contextmanager
def run_attack(data_dir: Path, cases: list[Case]) -> Iterator[Attack]:
    """Every case fed to a fresh ``akhbar serve``; the servers stop when the block ends."""
    data_dir.mkdir(parents=True)
    store = Store(f"sqlite:///{data_dir / 'akhbar.db'}")
    editorial.add_user(store, ADMIN, "admin", PASSWORD, name="Chief")
    fixtures = FixtureServer().start()
    server = LiveServer(data_dir, **SETTINGS)
    try:
        started = time.monotonic()
        server.start()
        newsroom, csrf = _sign_in(server.base)
        attack = Attack(server, fixtures, newsroom, {}, server.rss_mb())
        attack.seconds["start"] = round(time.monotonic() - started, 1)
        with _sampling(attack):
            _feed_sources(attack, store, csrf, [c for c in cases if c.via in {"source", "cli"}])
            with attack.timed("editor"), ThreadPoolExecutor(AT_ONCE) as pool:
                writing = [c for c in cases if c.via == "editor"]
                attack.outcomes.update(
                    zip(
                        (c.name for c in writing),
                        pool.map(lambda c: _write(attack, csrf, c), writing),
                        strict=True,
                    )
                )
            with attack.timed("requests"):
                for case in (c for c in cases if c.via == "request"):
                    attack.outcomes[case.name] = _request(attack, case)
        yield attack
        newsroom.close()
    finally:
        server.stop()
        fixtures.stop()
        store.close()
