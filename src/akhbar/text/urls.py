"""URLs: one spelling per page, hosts, and parsing that never raises.

``canonical_url`` lowercases the scheme and host, drops default ports, fragments, tracking
parameters (``utm_*``, ``fbclid``, ...) and AMP markers (``/amp/``, ``.amp.html``, ``?amp=1``,
``outputType=amp``), sorts the remaining query parameters, and removes ``www.`` never (hosts
differ), so a page linked with tracking tags is fetched once. It is pure and total: a string it
cannot parse comes back stripped, not an exception.

``host_of`` is the key of per-host politeness (``www.`` and a non-default port kept); ``site_host``
names a site (``www.`` dropped, for comparing with a site's name); ``split_url`` is ``urlsplit``
returning None instead of raising on hostile input.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["canonical_url", "host_of", "site_host", "split_url"]

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_", "__hs", "_hs")
_TRACKING = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "twclid", "ocid",
        "cmpid", "xtor", "at_medium", "at_campaign", "ns_source", "ns_mchannel", "ns_campaign",
        "ito", "ref_src", "_ga", "_gl", "mkt_tok", "spm", "share", "smid", "sr_share",
    }
)  # fmt: skip
_AMP_PARAMS = frozenset({"amp", "outputtype", "amp_js_v", "usqp"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_AMP_SEGMENT = re.compile(r"/amp(?=/|$)", re.IGNORECASE)
_AMP_SUFFIX = re.compile(r"[./]amp(\.html?)$", re.IGNORECASE)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING or lowered.startswith(_TRACKING_PREFIXES)


def _is_amp_param(name: str, value: str) -> bool:
    lowered = name.lower()
    if lowered == "outputtype":
        return value.lower() == "amp"
    return lowered in _AMP_PARAMS


def _path(path: str) -> str:
    path = _AMP_SUFFIX.sub(r"\1", path)
    path = _AMP_SEGMENT.sub("", path)
    return path or "/"


def canonical_url(url: str) -> str:
    """The canonical spelling of ``url`` (see the module docstring)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not scheme or not host:
        return url
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name) and not _is_amp_param(name, value)
    ]
    return urlunsplit((scheme, host, _path(parts.path), urlencode(sorted(query)), ""))


def host_of(url: str) -> str:
    """The lowercase host (with a non-default port) of ``url``, the key of per-host politeness."""
    parts = urlsplit(canonical_url(url))
    return parts.netloc.rsplit("@", 1)[-1]


def split_url(url: str) -> SplitResult | None:
    """``urlsplit``, or None for a string it cannot parse (``http://[::1``, from hostile input)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def site_host(url: str | None) -> str | None:
    """The URL's host name without ``www.``, lowercase; None without a usable URL."""
    parts = split_url(url) if url else None
    host = parts.hostname if parts else None
    return host.removeprefix("www.") if host else None
