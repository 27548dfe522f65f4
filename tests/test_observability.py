"""Metrics, readiness and ``akhbar status`` over a real SQLite store; JSON logs from a real command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from akhbar.services import ingest
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.store.engine import head_revision
from cli_runner import SPECIMEN, run
from conftest import AsgiClient, app_client


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def requests(scrape: dict[tuple[str, tuple[tuple[str, str], ...]], float], route: str, status: str) -> float:
    key = ("akhbar_http_requests_total", (("method", "GET"), ("route", route), ("status", status)))
    return scrape.get(key, 0.0)


@pytest.fixture
def client(sqlite_store: Store) -> AsgiClient:
    results = list(ingest.ingest_paths(sqlite_store, [str(SPECIMEN)], grouping=Grouping()))
    assert [r.status for r in results] == ["stored"]
    return app_client(sqlite_store)


def test_metrics_count_requests_by_route_template_and_read_the_database(client: AsgiClient) -> None:
    before = samples(client.get("/metrics").text)
    article = client.get("/api/v1/articles").json()["articles"][0]["id"]
    for _ in range(3):
        assert client.get(f"/api/v1/articles/{article}").status_code == 200
    assert client.get("/api/v1/articles/999999").status_code == 404
    assert client.get("/no/such/thing/at/all").status_code == 404
    answer = client.get("/metrics")
    assert answer.headers["content-type"].startswith("text/plain; version=")
    after = samples(answer.text)
    template = "/api/v1/articles/{article_id}"
    assert requests(after, template, "200") - requests(before, template, "200") == 3
    assert requests(after, template, "404") - requests(before, template, "404") == 1
    assert requests(after, "<unmatched>", "404") - requests(before, "<unmatched>", "404") >= 1
    assert not [key for key in after if f"/api/v1/articles/{article}" in str(key)], (
        "no concrete path as a label"
    )
    count = ("akhbar_http_request_duration_seconds_count", (("route", template),))
    assert after[count] - before.get(count, 0.0) == 4
    assert after[("akhbar_up", ())] == 1
    assert after[("akhbar_articles", ())] == 1
    assert after[("akhbar_sources", (("health", "healthy"),))] == 0
    assert after[("akhbar_queue_depth", ())] == 0


def test_readyz_says_when_the_schema_is_behind(client: AsgiClient, sqlite_store: Store) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["revision"] == head_revision()
    with sqlite_store.transaction() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0001_initial'"))
    behind = client.get("/readyz")
    assert behind.status_code == 503
    assert behind.json()["status"] == "unavailable" and "akhbar db upgrade" in behind.json()["problem"]
    assert behind.headers["cache-control"] == "no-store"


def test_status_prints_readiness_and_figures(tmp_path: Path) -> None:
    fresh = run("status", data_dir=tmp_path)
    assert fresh.code == 1 and "ready: no" in fresh.out and "akhbar db upgrade" in fresh.out
    assert run("ingest", str(SPECIMEN), data_dir=tmp_path).code == 0
    shown = run("status", data_dir=tmp_path)
    assert shown.code == 0, shown.err
    assert "ready: yes" in shown.out and "articles: 1" in shown.out
    as_json = json.loads(run("status", "--format", "json", data_dir=tmp_path).out)
    assert as_json["readiness"]["ready"] is True and as_json["articles"] == 1
    assert as_json["jobs"] == {} and as_json["queue_depth"] == 0


def test_status_says_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    down = run("status", "--format", "json", data_dir=tmp_path, env={"AKHBAR_DATABASE_URL": url})
    assert down.code == 1
    shown = json.loads(down.out)
    assert shown["readiness"]["database"] is False and "unreachable" in shown["readiness"]["problem"]


def test_json_logs_are_one_object_a_line(tmp_path: Path) -> None:
    done = run("-v", "ingest", str(SPECIMEN), data_dir=tmp_path, env={"AKHBAR_LOG_FORMAT": "json"})
    assert done.code == 0
    lines = [line for line in done.err.splitlines() if line.startswith("{")]
    assert lines, done.err
    for line in lines:
        record = json.loads(line)
        assert {"time", "level", "logger", "message"} <= set(record)
    assert run("config", data_dir=tmp_path, env={"AKHBAR_LOG_FORMAT": "xml"}).code == 2
