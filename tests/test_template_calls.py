"""The portal's templates call functions through PlainCalls: what they render is what Jinja's own
context renders, for plain functions and for those that ask Jinja for its context."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jinja2
import pytest

from akhbar.web.pages import PlainCalls, environment


class Greeter:
    """A callable object (not a function: Jinja's path)."""

    def __call__(self, name: str) -> str:
        return f"hello {name}"


class Labels:
    def label(self, value: object, suffix: str = "") -> str:
        return f"<{value}>{suffix}"


@jinja2.pass_context
def from_context(context: jinja2.runtime.Context, name: str) -> str:
    return f"{name}={context.get(name)}"


@jinja2.pass_environment
def from_environment(env: jinja2.Environment, value: int) -> str:
    return f"{type(env).__name__}:{value}"


@jinja2.pass_eval_context
def from_eval_context(eval_context: jinja2.nodes.EvalContext, value: str) -> str:
    return f"{eval_context.autoescape}:{value}"


def _exhausted() -> Iterator[int]:
    raise StopIteration


def stops() -> int:
    return next(_exhausted())


TEMPLATE = """
{%- macro item(a, with_site=True) %}[{{ a }}{% if with_site %} site{% endif %}{% if caller %}{{ caller() }}{% endif %}]{% endmacro -%}
{{ plain(1) }} {{ labels.label(2) }} {{ labels.label(3, suffix="!") }} {{ "%d items"|format(3) }}
{{ greeter("you") }} {{ context_fn("who") }} {{ env_fn(5) }} {{ eval_fn("<b>") }} {{ builtin_len([1, 2]) }}
{% for a in [1, 2] %}{{ plain(a) }}{{ item(a) }}{{ item(a, with_site=False) }}{{ context_fn("a") }}{% endfor %}
{% set who = "set" %}{{ context_fn("who") }}{% call item(7) %}called{% endcall %}
{% block inner %}{{ plain("in block") }}{{ context_fn("who") }}{{ item(8, with_site=False) }}{% endblock %}
[{{ stops() }}]
"""

VALUES: dict[str, Any] = {
    "plain": lambda value: f"<{value}>",
    "labels": Labels(),
    "greeter": Greeter(),
    "context_fn": from_context,
    "env_fn": from_environment,
    "eval_fn": from_eval_context,
    "builtin_len": len,
    "stops": stops,
    "who": "reader",
}


def _rendered(context_class: type[jinja2.runtime.Context]) -> str:
    env = jinja2.Environment(autoescape=True)
    env.context_class = context_class
    return env.from_string(TEMPLATE).render(**VALUES)


def test_calls_render_as_with_jinjas_own_context() -> None:
    ours, jinjas = _rendered(PlainCalls), _rendered(jinja2.runtime.Context)
    assert ours == jinjas
    # not vacuous: each kind of call is in it, escaped where Jinja escapes
    for part in (
        "&lt;1&gt;",
        "&lt;3&gt;!",
        "hello you",
        "who=reader",
        "Environment:5",
        "True:&lt;b&gt;",
        "2",
    ):
        assert part in ours
    assert "[1 site][1]" in ours and "[7 sitecalled]" in ours and "[]" in ours


def test_an_undefined_callable_is_still_an_error() -> None:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.context_class = PlainCalls
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing(1) }}").render()


def test_the_portal_renders_through_it() -> None:
    assert environment().context_class is PlainCalls
