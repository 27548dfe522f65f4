"""A real ``akhbar serve`` in a child process: its own data dir, a free port on 127.0.0.1, its memory.

The tests that attack the server (sign-in floods, oversized headers, the hostile-input suite) run it
the way an operator does, so uvicorn's HTTP parser, the embedded runner and every middleware are the
real ones. ``run`` runs other ``akhbar`` commands over the same data dir.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from pgcluster import free_port


def environment(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of an ``akhbar`` process over ``data_dir``, with ``AKHBAR_*`` settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AKHBAR_")}
    env["AKHBAR_DATA_DIR"] = str(data_dir)
    env.update({f"AKHBAR_{name.upper()}": value for name, value in settings.items()})
    return env


class LiveServer:
    """``akhbar serve`` on a free port over ``data_dir``; a context manager that stops it."""

    def __init__(self, data_dir: Path, *, log: Path | None = None, **settings: str) -> None:
        self.data_dir = data_dir
        self.settings = {"log_level": "WARNING", **settings}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log or data_dir.parent / f"serve-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def start(self, timeout: float = 60.0) -> LiveServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "akhbar", "serve", "--port", str(self.port)],
                env=environment(self.data_dir, **self.settings),
                cwd=self.data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"akhbar serve exited:\n{self.output()}"
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"akhbar serve did not start:\n{self.output()}"
            time.sleep(0.2)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def output(self) -> str:
        """What the server wrote (stdout and stderr) so far."""
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def rss_mb(self) -> float:
        """The server's resident memory (VmRSS) in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS in /proc")

    def run(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """``akhbar ARGS`` over the server's data dir and settings."""
        return subprocess.run(
            [sys.executable, "-m", "akhbar", *args],
            env=environment(self.data_dir, **self.settings),
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
