"""The fetcher's rules as one value object, built from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from akhbar.config import Settings
from akhbar.fetch.guard import Network, parse_networks

__all__ = ["FetchPolicy"]


@dataclass(frozen=True)
class FetchPolicy:
    """Everything a fetch obeys: identity, safety, limits, retries. See README's settings table."""

    user_agent: str = "akhbar/0.1"
    allow_networks: tuple[Network, ...] = ()
    timeout: float = 10.0
    total_timeout: float = 60.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 1.0
    max_retry_wait: float = 60.0
    host_delay: float = 1.0
    host_concurrency: int = 2
    obey_robots: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(
            user_agent=settings.user_agent,
            allow_networks=parse_networks(settings.fetch_allow_networks),
            timeout=settings.fetch_timeout,
            total_timeout=settings.fetch_total_timeout,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            retries=settings.fetch_retries,
            backoff=settings.fetch_backoff,
            max_retry_wait=settings.fetch_max_retry_wait,
            host_delay=settings.fetch_host_delay,
            host_concurrency=settings.fetch_host_concurrency,
        )
