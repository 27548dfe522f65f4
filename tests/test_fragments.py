"""Cached template blocks ({% cache %}): once per key, never another key's text, bounded."""

from __future__ import annotations

import re

import jinja2

from akhbar.store import Store
from akhbar.web import fragments
from akhbar.web.fragments import FragmentCache
from conftest import app_client
from portal_fixtures import populate


def _environment(calls: list[str]) -> jinja2.Environment:
    env = jinja2.Environment(extensions=[FragmentCache], autoescape=True)

    def seen(value: str) -> str:
        calls.append(value)
        return value

    env.globals["seen"] = seen
    return env


def test_a_block_is_rendered_once_per_key() -> None:
    calls: list[str] = []
    env = _environment(calls)
    template = env.from_string("[{% cache lang %}{{ seen(lang) }} & {{ other }}{% endcache %}]")
    assert template.render(lang="ar", other="<x>") == "[ar & &lt;x&gt;]", "escaped as outside a block"
    assert template.render(lang="ar", other="y") == "[ar & &lt;x&gt;]", "a value outside the keys is not read"
    assert template.render(lang="fr", other="y") == "[fr & y]"
    assert calls == ["ar", "fr"]


def test_a_block_with_an_unknown_key_is_rendered_each_time() -> None:
    calls: list[str] = []
    env = _environment(calls)
    template = env.from_string("{% cache version, lang %}{{ seen(lang) }}{% endcache %}")
    assert [template.render(version=None, lang="ar") for _ in range(2)] == ["ar", "ar"]
    assert calls == ["ar", "ar"], "nothing kept under an unknown version"
    template.render(version="v1", lang="ar")
    template.render(version="v1", lang="ar")
    assert calls == ["ar", "ar", "ar"]


def test_two_blocks_with_the_same_keys_keep_their_own_text() -> None:
    env = _environment([])
    template = env.from_string(
        "{% cache k %}one {{ k }}{% endcache %}|{% cache k %}two {{ k }}{% endcache %}"
    )
    assert template.render(k=1) == "one 1|two 1"
    other = env.from_string("{% cache k %}three {{ k }}{% endcache %}")
    assert other.render(k=1) == "three 1", "another template's block at the same line is its own"


def test_the_cache_starts_again_when_full() -> None:
    calls: list[str] = []
    env = _environment(calls)
    template = env.from_string("{% cache n %}{{ seen(n) }}{% endcache %}")
    for n in range(fragments.LIMIT + 5):
        template.render(n=str(n))
    extension = next(e for e in env.extensions.values() if isinstance(e, FragmentCache))
    assert 0 < len(extension.blocks) <= fragments.LIMIT
    template.render(n="0")
    assert calls.count("0") == 2, "the first key was dropped when the cache started again"


def test_the_portal_s_cached_masthead_follows_language_and_section(sqlite_store: Store) -> None:
    """The sections menu marks the section shown, in the page's language, whichever page came first."""
    populate(sqlite_store)
    client = app_client(sqlite_store)
    pages = {
        ("fr", "sports"): client.get("/fr/section/sports").text,
        ("fr", "politics"): client.get("/fr/section/politics").text,
        ("ar", "sports"): client.get("/ar/section/sports").text,
        ("fr", ""): client.get("/fr/").text,
    }
    for (lang, section), html in pages.items():
        menu = html.split('<nav class="sections-nav"', 1)[1].split("</nav>", 1)[0]
        current = re.findall(r'<a href="(/\w\w/[^"]*)" aria-current="page">', menu)
        assert current == [f"/{lang}/section/{section}" if section else f"/{lang}/"], (lang, section)
        assert f'<html lang="{lang}"' in html
        assert f'href="/feeds/languages/{lang}.rss"' in html, "the footer is the page's language's"
