"""The access log's direct lines (``akhbar.web.serving.AccessLines``): the same lines as the logger's."""

from __future__ import annotations

import io
import itertools
import logging
import logging.config

import pytest

from akhbar.cli.logs import BatchedStream, JsonFormatter, uvicorn_config
from akhbar.web.serving import AccessLines

ACCESS = '%s - "%s %s HTTP/%s" %d'
_names = itertools.count()


def _access_logger() -> logging.Logger:
    """A logger set up as ``akhbar serve``'s access logger: one batched handler, the server's layout.
    Made in the test itself: pytest's log capture joins the non-propagating loggers that exist when
    a test starts, and a line goes direct only to a lone handler."""
    found = logging.getLogger(f"test.access.{next(_names)}")
    found.propagate = False
    found.setLevel(logging.INFO)
    handler = BatchedStream(io.StringIO(), interval=3600)
    layout = uvicorn_config("info", as_json=False)["formatters"]["default"]  # type: ignore[index]
    handler.setFormatter(logging.Formatter(layout["format"]))
    found.addHandler(handler)
    return found


def _written(logger: logging.Logger) -> list[str]:
    (handler,) = logger.handlers
    handler.flush()
    stream = handler.stream  # type: ignore[attr-defined]  # a StreamHandler's
    return stream.getvalue().splitlines()


def _made(logger: logging.Logger) -> list[logging.LogRecord]:
    """The records the logger makes from now on (a direct line makes none)."""
    made: list[logging.LogRecord] = []
    original = logger.makeRecord

    def counting(*args: object, **kwargs: object) -> logging.LogRecord:
        record = original(*args, **kwargs)  # type: ignore[arg-type]
        made.append(record)
        return record

    logger.makeRecord = counting  # type: ignore[method-assign]
    return made


def test_a_direct_line_is_the_line_the_logger_writes() -> None:
    logger = _access_logger()
    made = _made(logger)
    AccessLines(logger).info(ACCESS, "203.0.113.9:0", "GET", "/ar/?q=%D8%A3 100%", "1.1", 200)
    logger.info(ACCESS, "203.0.113.9:0", "GET", "/ar/?q=%D8%A3 100%", "1.1", 200)
    direct, through_logger = _written(logger)
    assert (
        direct
        == through_logger
        == 'INFO test.access.0: 203.0.113.9:0 - "GET /ar/?q=%D8%A3 100% HTTP/1.1" 200'.replace(
            "test.access.0", logger.name
        )
    )
    assert len(made) == 1, "the direct line made no record"


def test_the_serve_log_configuration_is_one_the_lines_go_direct_to() -> None:
    """``akhbar serve``'s access logger as uvicorn configures it, under another name (the root and
    uvicorn's loggers are left as they are)."""
    config = uvicorn_config("info", as_json=False)
    name = f"test.access.{next(_names)}"
    config["loggers"] = {name: config["loggers"]["uvicorn.access"]}  # type: ignore[index]
    del config["root"]
    logging.config.dictConfig(config)
    access = logging.getLogger(name)
    made = _made(access)
    AccessLines(access).info(ACCESS, "127.0.0.1:5", "GET", "/fr/", "1.1", 200)
    assert made == []
    (handler,) = access.handlers
    assert isinstance(handler, BatchedStream)
    handler.close()


@pytest.mark.parametrize(
    "change",
    [
        "json",
        "time in the layout",
        "handler filter",
        "logger filter",
        "second handler",
        "propagates",
        "plain stream handler",
    ],
)
def test_any_other_set_up_goes_through_the_logger(change: str) -> None:
    logger = _access_logger()
    (handler,) = logger.handlers
    if change == "json":
        handler.setFormatter(JsonFormatter())
    elif change == "time in the layout":
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    elif change == "handler filter":
        handler.addFilter(lambda record: "secret" not in record.getMessage())
    elif change == "logger filter":
        logger.addFilter(lambda record: "secret" not in record.getMessage())
    elif change == "second handler":
        logger.addHandler(logging.NullHandler())
    elif change == "propagates":
        logger.propagate = True
    else:
        logger.removeHandler(handler)
        logger.addHandler(logging.StreamHandler(io.StringIO()))
    lines = AccessLines(logger)
    made = _made(logger)
    lines.info(ACCESS, "127.0.0.1:5", "GET", "/secret", "1.1", 200)
    lines.info(ACCESS, "127.0.0.1:5", "GET", "/fr/", "1.1", 200)
    assert len(made) == 2, "each line went through the logger"
    if change in ("handler filter", "logger filter"):
        assert len(_written(logger)) == 1, "the filter dropped one"
    if change == "json":
        assert all(line.startswith("{") for line in _written(logger))


def test_a_change_of_set_up_after_the_first_line_is_followed() -> None:
    logger = _access_logger()
    lines = AccessLines(logger)
    lines.info(ACCESS, "127.0.0.1:5", "GET", "/one", "1.1", 200)
    (handler,) = logger.handlers
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    lines.info(ACCESS, "127.0.0.1:5", "GET", "/two", "1.1", 200)
    logger.setLevel(logging.WARNING)
    lines.info(ACCESS, "127.0.0.1:5", "GET", "/three", "1.1", 200)
    assert _written(logger) == [
        f'INFO {logger.name}: 127.0.0.1:5 - "GET /one HTTP/1.1" 200',
        'INFO 127.0.0.1:5 - "GET /two HTTP/1.1" 200',
    ]
