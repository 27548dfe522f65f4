"""Benchmarks (``akhbar bench``) and quality evaluations (``akhbar eval``, :mod:`akhbar.bench.quality`).

Harnesses, not use cases: they sit above services and jobs, and go through the product's own path
(files or a loopback server -> ingest -> store -> read back). Nothing below the CLI imports them.

- :mod:`akhbar.bench.throughput` what every speed figure is made of;
- :mod:`akhbar.bench.extract` and :mod:`akhbar.bench.html` extraction speed (text dumps, HTML);
- :mod:`akhbar.bench.ingest` end-to-end ingestion from a loopback server;
- :mod:`akhbar.bench.web` the portal over HTTP, served by :mod:`akhbar.bench.webserver`;
- :mod:`akhbar.bench.search` and :mod:`akhbar.bench.stories` search and story assignment at scale.
"""
