"""A throwaway PostgreSQL cluster for the test run: initdb in a temp dir, fsync off, 127.0.0.1 only.

As root, initdb and the server run as the ``postgres`` user through ``runuser`` (initdb refuses
root). ``make test`` installs Debian's postgresql (and its rum extension) when it is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from akhbar.store.advice import GB, server_options


def _bin_dir() -> Path | None:
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    if versions:
        return max(versions, key=lambda p: int(p.parent.name))
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    bin_dir: Path
    directory: Path
    port: int
    as_user: str | None

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://akhbar@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://akhbar@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def start() -> Cluster:
    """Start a cluster; raises RuntimeError saying what to install when PostgreSQL is missing."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise RuntimeError(
            "PostgreSQL is not installed: run `make test` as root, or apt-get install postgresql"
        )
    as_user = "postgres" if os.geteuid() == 0 else None
    directory = Path(tempfile.mkdtemp(prefix="akhbar-pg-"))
    if as_user:
        shutil.chown(directory, user=as_user)
    cluster = Cluster(bin_dir, directory, free_port(), as_user)
    data = str(directory / "data")
    cluster._run("initdb", "-D", data, "-U", "akhbar", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "-N")
    # the settings `akhbar db advise` prints, for a modest 1 GB (several clusters share the machine)
    advised = " ".join(server_options(GB, os.cpu_count() or 1))
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={cluster.port} -c unix_socket_directories={directory} "
        f"{advised} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    cluster._run("pg_ctl", "-D", data, "-o", options, "-l", str(directory / "log"), "-w", "-t", "60", "start")
    return cluster
