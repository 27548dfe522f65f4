"""``{% cache key, ... %}...{% endcache %}``: a part of a template rendered once per key.

The masthead and the footer of every portal page are the same for every page of a language (and
day, and section): rendering them took about a fifth of an article page. A block between the tags
is rendered the first time its keys are met and given again after that, so **everything the block
shows must be in its keys** (or be the same for the whole process, like the interface's strings).
The keys are the block itself (each block parsed is its own) plus the values listed; the cache holds
:data:`LIMIT` blocks, and starts again empty when full (a new day's keys replace the old ones). A key
that is None keeps nothing: the block is rendered each time (a value it depends on is not known).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import Markup

__all__ = ["LIMIT", "FragmentCache"]

LIMIT = 1024


class FragmentCache(Extension):
    tags = {"cache"}  # noqa: RUF012  # jinja2 declares it a set on the base class

    def __init__(self, environment: object) -> None:
        super().__init__(environment)  # type: ignore[arg-type]  # jinja2 passes its Environment
        self.blocks: dict[tuple[Hashable, ...], Markup | str] = {}
        self._places = itertools.count()  # each block parsed gets its own place

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        place = nodes.Const(f"{parser.name}:{lineno}:{next(self._places)}")
        call = self.call_method("_cached", [place, nodes.List(keys)])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _cached(self, place: str, keys: list[Hashable], caller: Callable[[], Markup | str]) -> Markup | str:
        if None in keys:
            return caller()
        key = (place, *keys)
        found = self.blocks.get(key)
        if found is None:
            found = caller()
            if len(self.blocks) >= LIMIT:
                self.blocks.clear()
            self.blocks[key] = found  # two threads may both render it: the same text, no harm
        return found
