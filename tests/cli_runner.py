"""``akhbar ARGS`` in this process as the installed command runs it: ``akhbar.cli.main`` with its exit
codes and one-line reasons, standard output and standard error apart (click's runner isolates them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from akhbar.cli import main

DEMO = Path(__file__).resolve().parents[1] / "src" / "akhbar" / "demo"
SPECIMEN = DEMO / "000_5f9867fcee487711.txt"
LE_MONDE = DEMO / "fundus" / "LeMonde_2023_09_01.html.gz"


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def run(
    *args: str, data_dir: Path, stdin: str | None = None, env: Mapping[str, str | None] | None = None
) -> Ran:
    """Run ``akhbar --data-dir DATA_DIR ARGS`` with ``stdin`` piped in; grouping into stories is off
    unless ``env`` turns it on (it loads the embedding model)."""
    environment: dict[str, str | None] = {
        "AKHBAR_DATABASE_URL": None,
        "AKHBAR_LOG_LEVEL": None,
        "AKHBAR_STORIES": "off",
        **(env or {}),
    }
    with CliRunner().isolation(input=stdin, env=environment) as (out, err, _):
        code = 0
        try:
            main(["--data-dir", str(data_dir), *args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return Ran(code, out.getvalue().decode(), err.getvalue().decode())
