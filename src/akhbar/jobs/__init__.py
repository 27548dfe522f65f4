"""Jobs: refreshing a source, fetching a page, fetching an article's photo; one small queue
interface, two runners.

- :class:`akhbar.jobs.inline.InlineRunner`: in-process (embedded mode, ``akhbar serve`` with SQLite);
- :mod:`akhbar.jobs.distributed`: Procrastinate on PostgreSQL (``akhbar worker`` on any machines).

The job code (:mod:`akhbar.jobs.tasks`) is the same under both; it only calls services.
"""

from __future__ import annotations

from akhbar.jobs.tasks import Queue, run_image, run_page, run_refresh, schedule_due

__all__ = ["Queue", "run_image", "run_page", "run_refresh", "schedule_due"]
