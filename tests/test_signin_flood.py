"""A sign-in flood against a real ``akhbar serve``: refused with 429, memory bounded, the portal answering.

The attack run of issue 14 sent 80 sign-ins to unknown accounts, 40 at once, and saw the server grow
from 459 MB to 2.47 GB (argon2 takes 64 MiB per hash) while article pages took up to 2.8 s. Here the
same flood comes from six loopback addresses (127.0.0.2 to 127.0.0.7), so up to sixty attempts get
past the per-address limit into the hashing path and the rest are refused before any hash.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from akhbar.services import signin
from akhbar.store import Store
from conftest import app_client
from liveserver import LiveServer

ATTEMPTS = 80
AT_ONCE = 40
ADDRESSES = [f"127.0.0.{n}" for n in range(2, 8)]
MAX_GROWTH_MB = 400  # four argon2 hashes at 64 MiB, plus the threads' stacks and a margin
PORTAL_WITHIN = 3.0  # seconds a home page may take during the flood


def _sign_in(base: str, n: int) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=ADDRESSES[n % len(ADDRESSES)])
    with httpx.Client(transport=transport, timeout=60) as client:
        return client.post(
            f"{base}/admin/login",
            data={"email": f"nobody{n}@example.org", "password": f"guess number {n}"},
            headers={"Accept-Language": "fr"},
        )


def _watch_portal(base: str, stop: threading.Event, times: list[tuple[int, float]]) -> None:
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            started = time.monotonic()
            status = client.get(f"{base}/fr/").status_code
            times.append((status, time.monotonic() - started))
            time.sleep(0.05)


@pytest.mark.slow
def test_a_sign_in_flood_is_refused_with_429_and_bounded(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "data") as server:
        assert httpx.get(f"{server.base}/fr/", timeout=10).status_code == 200
        before = server.rss_mb()
        stop, portal_times = threading.Event(), []
        watcher = threading.Thread(target=_watch_portal, args=(server.base, stop, portal_times))
        watcher.start()
        peak = before
        try:
            with ThreadPoolExecutor(AT_ONCE) as pool:
                futures = [pool.submit(_sign_in, server.base, n) for n in range(ATTEMPTS)]
                while not all(f.done() for f in futures):
                    peak = max(peak, server.rss_mb())
                    time.sleep(0.05)
                answers = [f.result() for f in futures]
        finally:
            stop.set()
            watcher.join(timeout=30)
        after = server.rss_mb()
        statuses = Counter(a.status_code for a in answers)
        refused = [a for a in answers if a.status_code == 429]
        print(
            f"\nflood: {ATTEMPTS} sign-ins, {AT_ONCE} at once: {dict(statuses)}; RSS {before:.0f} MB before,"
            f" {peak:.0f} MB peak, {after:.0f} MB after; portal {len(portal_times)} answers,"
            f" slowest {max(t for _, t in portal_times):.2f} s"
        )
        assert set(statuses) <= {401, 429}, f"only wrong-password and too-many answers: {statuses}"
        assert refused, "some attempts are refused past the per-address limit"
        for answer in refused:
            assert int(answer.headers["Retry-After"]) >= 1
            assert "Trop de tentatives" in answer.text, "the refusal speaks the browser's French"
        assert peak - before < MAX_GROWTH_MB, f"RSS grew {peak - before:.0f} MB during the flood"
        assert portal_times and all(status == 200 for status, _ in portal_times)
        assert max(t for _, t in portal_times) < PORTAL_WITHIN, portal_times
        assert server.alive()


def test_past_the_address_limit_the_sign_in_page_says_when_to_come_back(sqlite_store: Store) -> None:
    client = app_client(sqlite_store, headers={"Accept-Language": "ar"})
    form = {"email": "nobody@example.org", "password": "a wrong password"}
    answers = [client.post("/admin/login", data=form) for _ in range(signin.ADDRESS_LIMIT + 1)]
    assert [a.status_code for a in answers] == [401] * signin.ADDRESS_LIMIT + [429]
    refused = answers[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "محاولات دخول كثيرة" in refused.text
    assert refused.headers["Cache-Control"] == "no-store"
