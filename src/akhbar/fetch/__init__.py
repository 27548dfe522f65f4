"""The fetch stage: ``Fetcher(policy).fetch(url)`` -> :class:`FetchResult`, or :class:`FetchError`.

Safe (address guard on every hop, connections pinned to the addresses it checked and the
connected peer checked again, http(s) only, size caps on the decompressed body), polite
(robots.txt, a per-host gate, retries with backoff honouring Retry-After) and conditional
(ETag / Last-Modified). Charset decoding is left to ``extract``.
"""

from __future__ import annotations

from akhbar.fetch.client import Fetcher, FetchResult, HostGate, NoGate, retry_after_seconds
from akhbar.fetch.policy import FetchPolicy

__all__ = ["FetchPolicy", "FetchResult", "Fetcher", "HostGate", "NoGate", "retry_after_seconds"]
