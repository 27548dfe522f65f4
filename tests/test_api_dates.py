"""Date and time query parameters: an impossible date (``since=2026-13-45``) is a 400 saying why.

Each date parameter is shaped by a pattern (a malformed value is a 422, as any invalid parameter)
and then read as a real date or time; the routes never pass on a value that is not one.
"""

from __future__ import annotations

import pytest

from conftest import AsgiClient


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/api/v1/articles?since=2026-13-45", "month"),
        ("/api/v1/articles?since=2024-02-30", "day"),
        ("/api/v1/articles?since=2024-10-18T25:00", "hour"),
        ("/api/v1/articles?since=2024-10-18T10:61:00Z", "minute"),
        ("/api/v1/search?q=budget&since=2026-13-45", "month"),
        ("/api/v1/search?q=budget&until=2024-02-30", "day"),
    ],
)
def test_an_impossible_date_is_refused_with_the_reason(client: AsgiClient, url: str, reason: str) -> None:
    answer = client.get(url)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/json"
    name = "until" if "until=" in url else "since"
    assert name in answer.json()["error"] and reason in answer.json()["error"], answer.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles?since=2024-10-18",
        "/api/v1/articles?since=2024-10-18T10:00",
        "/api/v1/articles?since=2024-10-18T10:00:00Z",
        "/api/v1/articles?since=2024-10-18%2010:00:00.5%2B01:00",
        "/api/v1/search?q=budget&since=2024-01-01&until=2024-12-31",
    ],
)
def test_a_real_date_is_accepted(client: AsgiClient, url: str) -> None:
    assert client.get(url).status_code == 200, client.get(url).text
