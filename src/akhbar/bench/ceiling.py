"""The ceiling of a web benchmark: Debian's nginx on loopback, serving the very bytes akhbar served.

nginx is what a newsroom would put in front of akhbar; a page served from its memory and disk
cache is as fast as serving a page gets on this machine. It runs with one worker process (akhbar's
server runs one too) and logs every request, as ``akhbar serve`` does.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

NGINX = "/usr/sbin/nginx"
TYPES = {"html": "text/html", "json": "application/json", "rss": "application/rss+xml"}
_CONFIG = """
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ {types} }}
    access_log {root}/access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    sendfile on;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        location / {{ }}
    }}
}}
"""


def nginx_path() -> str | None:
    """Where nginx is, or None (``apt-get install nginx-light``; ``make system-deps`` installs it)."""
    return shutil.which("nginx") or (NGINX if Path(NGINX).exists() else None)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def nginx_serving(root: Path, files: dict[str, bytes]) -> Iterator[str]:
    """nginx serving ``files`` (name -> bytes) from ``root``; yields its base URL."""
    binary = nginx_path()
    if binary is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx-light)")
    www = root / "www"
    www.mkdir(parents=True)
    for name, data in files.items():
        (www / name).write_bytes(data)
    _readable_by_workers(www)
    port = free_port()
    types = " ".join(f"{kind} {ext};" for ext, kind in TYPES.items())
    config = root / "nginx.conf"
    config.write_text(_CONFIG.format(root=root, port=port, types=types), encoding="utf-8")
    with (root / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(  # its own process group: the master and its worker stop together
            [binary, "-c", str(config), "-p", str(root)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base + "/" + next(iter(files)), root / "stderr.log")
        yield base
    finally:
        _stop(process)


def _readable_by_workers(www: Path) -> None:
    """Started by root, nginx's worker runs as nobody: it must read the files and enter every
    directory above them (a temporary directory is private to its owner)."""
    for path in www.iterdir():
        path.chmod(0o644)
    for directory in (www, *www.parents):
        found = directory.stat()
        needed = stat.S_IROTH | stat.S_IXOTH
        if found.st_mode & needed != needed and found.st_uid == os.getuid():
            directory.chmod(found.st_mode | needed)


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def _wait_until_up(process: subprocess.Popen[bytes], url: str, stderr: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = stderr.read_text(errors="replace").strip()
            raise RuntimeError(f"nginx exited with {process.returncode}: {error}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"nginx did not answer 200 for {url} within 20 s")
