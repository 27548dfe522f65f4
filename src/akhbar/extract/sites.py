"""Site rules: per-domain fixes for pages that generic extraction demonstrably gets wrong, kept as data.

In the spirit of Fundus's publisher registry, ``sites.toml`` beside this module lists, per domain,
XPath selectors that override one part of the generic extraction::

    [[site]]
    domain = "example.fr"          # matches example.fr and its subdomains
    reason = "why generic extraction is wrong on this site, and on which page"
    drop = ["//div[@class='promo']"]   # elements removed before anything is extracted
    body = "//div[@class='article']"   # the element(s) whose paragraphs are the body
    title = "//h2[@class='headline']"  # the element (or attribute) holding the title
    published = "//span[@class='date']/@data-date"
    caption = "//div[@class='photo-legend']"
    valid_until = 2030-01-01           # pages published after this day no longer get the rule

Every key but ``domain`` and ``reason`` is optional. Generic extraction stays the default: a rule
is added only with a golden test (``tests/golden/sites/<domain>.json``) that fails without it.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from importlib import resources
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from akhbar.errors import ConfigError
from akhbar.extract.html.meta import elements
from akhbar.extract.pagetext import page_text
from akhbar.extract.text import clean
from akhbar.text.urls import site_host

__all__ = ["SiteRule", "load_rules", "registry", "rule_for", "select_text", "select_texts"]

_XPATH_FIELDS = ("body", "title", "published", "caption")


@dataclass(frozen=True)
class SiteRule:
    """The fixes for one site; XPath strings are checked when the rules are loaded."""

    domain: str
    reason: str
    drop: tuple[str, ...] = ()
    body: str | None = None
    title: str | None = None
    published: str | None = None
    caption: str | None = None
    valid_until: date | None = None

    def matches(self, host: str | None, when: date | None = None) -> bool:
        """Whether the rule is for this host (the domain or a subdomain) and still valid on ``when``."""
        if host is None or not (host == self.domain or host.endswith("." + self.domain)):
            return False
        return self.valid_until is None or when is None or when <= self.valid_until


def _check_xpath(domain: str, expression: str) -> str:
    try:
        etree.XPath(expression)
    except etree.XPathSyntaxError as exc:
        raise ConfigError(f"site rule {domain}: invalid XPath {expression!r}: {exc}") from exc
    return expression


def _rule(entry: dict[str, Any]) -> SiteRule:
    known = {item.name for item in fields(SiteRule)}
    domain = str(entry.get("domain", "")).strip().lower()
    if not domain or not entry.get("reason"):
        raise ConfigError(f"site rule {domain or '?'}: 'domain' and 'reason' are required")
    unknown = set(entry) - known
    if unknown:
        raise ConfigError(f"site rule {domain}: unknown keys {sorted(unknown)}")
    values: dict[str, Any] = {"domain": domain, "reason": str(entry["reason"])}
    values["drop"] = tuple(_check_xpath(domain, str(item)) for item in entry.get("drop", ()))
    for name in _XPATH_FIELDS:
        if entry.get(name):
            values[name] = _check_xpath(domain, str(entry[name]))
    until = entry.get("valid_until")
    if until is not None and not isinstance(until, date):
        raise ConfigError(f"site rule {domain}: valid_until must be a TOML date, not {until!r}")
    values["valid_until"] = until
    return SiteRule(**values)


def load_rules(text: str) -> tuple[SiteRule, ...]:
    """Parse site rules from TOML text; raises ConfigError on an invalid rule."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"site rules: invalid TOML: {exc}") from exc
    return tuple(_rule(entry) for entry in table.get("site", []))


@functools.cache
def registry() -> tuple[SiteRule, ...]:
    """The rules shipped in ``sites.toml`` (read once; the tuple is immutable)."""
    text = resources.files(__package__).joinpath("sites.toml").read_text(encoding="utf-8")
    return load_rules(text)


def rule_for(
    url: str | None, rules: Sequence[SiteRule] | None = None, when: date | None = None
) -> SiteRule | None:
    """The rule for the page at ``url`` (the most specific domain wins), or None."""
    host = site_host(url)
    candidates = [rule for rule in (registry() if rules is None else rules) if rule.matches(host, when)]
    return max(candidates, key=lambda rule: len(rule.domain), default=None)


def drop_elements(tree: HtmlElement, rule: SiteRule) -> None:
    """Remove the elements the rule says are not part of the page's content (their tail text stays)."""
    for expression in rule.drop:
        for element in elements(tree.xpath(expression)):
            if element.getparent() is not None:
                element.drop_tree()


def select_text(tree: HtmlElement, expression: str) -> str | None:
    """The cleaned text of the first element (or attribute value) the expression selects."""
    result = tree.xpath(expression)
    for found in result if isinstance(result, list) else [result]:
        text = clean(found.text_content() if isinstance(found, HtmlElement) else str(found))
        if text:
            return text
    return None


def select_texts(tree: HtmlElement, expression: str) -> list[str]:
    """The paragraphs of the selected elements, one per block (paragraph, heading, loose text run)."""
    paragraphs: list[str] = []
    chosen: list[HtmlElement] = []
    for found in elements(tree.xpath(expression)):
        if any(found in set(earlier.iter()) for earlier in chosen):
            continue  # inside an element already taken
        chosen.append(found)
        markup = etree.tostring(found, encoding="unicode", method="html", with_tail=False)
        paragraphs.extend(
            line for line in page_text(f"<html><body>{markup}</body></html>").splitlines() if line
        )
    return paragraphs
