"""Site rules: the registry loads, each rule has a golden page that it fixes, bad rules are refused."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from akhbar.errors import ConfigError
from akhbar.extract.decoding import decode_text
from akhbar.extract.html import extract_html
from akhbar.extract.sites import SiteRule, load_rules, registry, rule_for
from akhbar.extract.text import clean
from akhbar.models import Article
from conftest import needs_shared

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
GOLDEN = Path(__file__).resolve().parent / "golden" / "sites"


def golden(domain: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((GOLDEN / f"{domain}.json").read_text(encoding="utf-8"))
    return loaded


def extracted(expected: dict[str, Any], rules: tuple[SiteRule, ...] | None) -> Article:
    path = DATA / expected["page"]
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    result = extract_html(decode_text(data), url=expected["url"], site_rules=rules)
    assert isinstance(result, Article), result
    return result


def failures(result: Article, expected: dict[str, Any]) -> list[str]:
    """What the result gets wrong, as readable lines (empty when everything expected holds)."""
    body = "\n".join(result.body_paragraphs)
    wrong = [f"missing {text!r}" for text in expected.get("body_contains", []) if clean(text) not in body]
    wrong += [f"kept {text!r}" for text in expected.get("body_lacks", []) if clean(text) in body]
    if "title" in expected and result.title != expected["title"]:
        wrong.append(f"title {result.title!r}")
    if "published" in expected and (result.published or "")[:10] != expected["published"]:
        wrong.append(f"published {result.published!r}")
    start = expected.get("body_starts_with")
    if start and not body.startswith(start):
        wrong.append(f"body starts {body[:60]!r}")
    return wrong


def test_every_rule_has_a_golden_page_and_every_golden_page_a_rule() -> None:
    domains = {rule.domain for rule in registry()}
    assert domains == {path.stem for path in GOLDEN.glob("*.json")}
    assert all(rule.reason for rule in registry())


@needs_shared(DATA)
@pytest.mark.parametrize("rule", registry(), ids=lambda rule: rule.domain)
def test_rule_fixes_its_golden_page(rule: SiteRule) -> None:
    expected = golden(rule.domain)
    assert failures(extracted(expected, None), expected) == []


@needs_shared(DATA)
@pytest.mark.parametrize("rule", registry(), ids=lambda rule: rule.domain)
def test_generic_extraction_gets_the_golden_page_wrong_without_the_rule(rule: SiteRule) -> None:
    expected = golden(rule.domain)
    assert failures(extracted(expected, ()), expected), f"the {rule.domain} rule is not needed any more"


def test_rule_lookup_matches_subdomains_and_respects_validity() -> None:
    rules = load_rules(
        '[[site]]\ndomain = "exemple.fr"\nreason = "test"\nvalid_until = 2020-01-01\n'
        '[[site]]\ndomain = "blog.exemple.fr"\nreason = "test"\ntitle = "//h2"\n'
    )
    assert rule_for("https://www.exemple.fr/a", rules, date(2019, 5, 1)) is rules[0]
    assert rule_for("https://www.exemple.fr/a", rules, date(2021, 5, 1)) is None
    assert rule_for("https://blog.exemple.fr/a", rules) is rules[1]
    assert rule_for("https://exemple.fr.evil.com/a", rules) is None
    assert rule_for(None, rules) is None


@pytest.mark.parametrize(
    "text",
    [
        '[[site]]\nreason = "no domain"\n',
        '[[site]]\ndomain = "x.fr"\n',
        '[[site]]\ndomain = "x.fr"\nreason = "r"\nbody = "//div[@class="\n',
        '[[site]]\ndomain = "x.fr"\nreason = "r"\nselector = "//p"\n',
        '[[site]]\ndomain = "x.fr"\nreason = "r"\nvalid_until = "soon"\n',
        "[[site]\n",
    ],
)
def test_invalid_rules_are_refused(text: str) -> None:
    with pytest.raises(ConfigError):
        load_rules(text)


def test_rule_selectors_override_generic_fields() -> None:
    rules = load_rules(
        '[[site]]\ndomain = "exemple.fr"\nreason = "test"\ntitle = "//h2[@class=\'vrai-titre\']"\n'
        "published = \"//span[@class='date']/@data-date\"\ncaption = \"//div[@class='legende-photo']\"\n"
        "drop = [\"//div[@class='promo']\"]\n"
    )
    paragraph = (
        "Les ministres de la Défense ont conclu deux jours de discussions sur la dissuasion de l’Alliance. "
    )
    html = (
        "<html><body><article><h1>Rubrique</h1><h2 class='vrai-titre'>Le vrai titre</h2>"
        "<span class='date' data-date='2024-10-18T10:00:00+02:00'>hier</span>"
        "<div class='legende-photo'>Les ministres à Bruxelles</div>"
        f"<p>{paragraph * 3}</p><div class='promo'><p>{'Abonnez-vous à notre lettre quotidienne. ' * 5}</p></div>"
        f"<p>{paragraph * 2}</p></article></body></html>"
    )
    result = extract_html(html, url="https://exemple.fr/a/1", site_rules=rules)
    assert isinstance(result, Article)
    assert (result.title, result.published, result.image_caption) == (
        "Le vrai titre",
        "2024-10-18T10:00:00+02:00",
        "Les ministres à Bruxelles",
    )
    assert not any("Abonnez-vous" in text for text in result.body_paragraphs)
