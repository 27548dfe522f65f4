"""How ``akhbar serve`` accepts connections: :class:`akhbar.web.serving.AcceptingLoop` takes every
connection waiting on the listening socket when it wakes, where uvloop's libuv takes one per turn of
the loop (and a busy loop's turns are long: akhbar renders uncached pages on it).

Real sockets on 127.0.0.1, the real loop; a turn of the loop is counted by a callback that schedules
itself again each turn.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from akhbar.web import serving
from akhbar.web.serving import AcceptingLoop, Listener

OPENED: list[asyncio.BaseTransport] = []  # the server side of the connections a test accepted


@pytest.fixture
def loop() -> Iterator[AcceptingLoop]:
    running = AcceptingLoop()
    yield running
    for transport in OPENED:
        transport.close()
    OPENED.clear()
    running.run_until_complete(asyncio.sleep(0.05))  # the transports' closing callbacks
    running.close()


class Turns:
    """Counts the loop's turns: a callback run once a turn, each time scheduling itself again."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop, self.count = loop, 0
        loop.call_soon(self.tick)

    def tick(self) -> None:
        self.count += 1
        self.loop.call_soon(self.tick)


def _server(loop: asyncio.AbstractEventLoop, made: list[int], turns: Turns) -> asyncio.AbstractServer:
    class Recording(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
            OPENED.append(transport)
            made.append(turns.count)

    return loop.run_until_complete(loop.create_server(Recording, "127.0.0.1", 0))


def _port(server: asyncio.AbstractServer) -> int:
    return int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]


def _run_for(loop: asyncio.AbstractEventLoop, seconds: float) -> None:
    loop.run_until_complete(asyncio.sleep(seconds))


def test_connections_waiting_when_the_loop_wakes_are_accepted_in_one_turn(loop: AcceptingLoop) -> None:
    turns, made = Turns(loop), []
    server = _server(loop, made, turns)
    assert isinstance(server, Listener)
    clients = [socket.create_connection(("127.0.0.1", _port(server)), timeout=5) for _ in range(12)]
    try:  # the kernel completed every handshake; the loop has not run since
        _run_for(loop, 0.3)
        assert len(made) == 12, "every connection is set up"
        assert max(made) - min(made) <= 1, f"accepted over turns {sorted(made)}, not at one wake-up"
    finally:
        for client in clients:
            client.close()
        server.close()
        loop.run_until_complete(server.wait_closed())


def test_an_accepted_connection_is_a_transport_without_nagle(loop: AcceptingLoop) -> None:
    seen: list[Any] = []

    class Echo(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
            self.transport = transport
            OPENED.append(transport)
            sock = transport.get_extra_info("socket")
            seen.append(
                (
                    transport.get_extra_info("peername"),
                    sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
                )
            )

        def data_received(self, data: bytes) -> None:
            self.transport.write(data.upper())  # type: ignore[attr-defined]

    server = loop.run_until_complete(loop.create_server(Echo, "127.0.0.1", 0))
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as client:
        client.sendall(b"salam")
        _run_for(loop, 0.2)
        assert client.recv(100) == b"SALAM"
        ((peer, nodelay),) = seen
        assert peer == client.getsockname() and nodelay
    server.close()


def test_a_closed_listener_refuses_new_connections(loop: AcceptingLoop) -> None:
    turns, made = Turns(loop), []
    server = _server(loop, made, turns)
    port = _port(server)
    server.close()
    loop.run_until_complete(server.wait_closed())
    assert not server.is_serving()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)


class _Exhausted:
    """A listening socket out of file descriptors for its first ``failures`` accepts, then real."""

    def __init__(self, real: socket.socket, failures: int) -> None:
        self.real, self.failures = real, failures

    def accept(self) -> tuple[socket.socket, Any]:
        if self.failures:
            self.failures -= 1
            raise OSError(errno.EMFILE, "Too many open files")
        return self.real.accept()

    def fileno(self) -> int:
        return self.real.fileno()


def test_out_of_descriptors_accepting_pauses_and_resumes(
    loop: AcceptingLoop, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(serving, "ACCEPT_RETRY_SECONDS", 0.2)
    made: list[float] = []

    class Recording(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
            OPENED.append(transport)
            made.append(time.monotonic())

    real = socket.socket()
    real.bind(("127.0.0.1", 0))
    listener = Listener(loop, [real], Recording, 16)
    listener.start()
    exhausted = _Exhausted(real, failures=1)
    loop.remove_reader(real.fileno())
    loop.add_reader(real.fileno(), listener.accept, exhausted)
    with caplog.at_level(logging.ERROR, logger="akhbar.web.serving"):
        client = socket.create_connection(real.getsockname(), timeout=5)
        started = time.monotonic()
        _run_for(loop, 0.1)
        assert not made, "nothing accepted while descriptors ran out"
        assert "accepting connections failed" in caplog.text and "Too many open files" in caplog.text
        _run_for(loop, 0.4)
    assert len(made) == 1 and made[0] - started >= 0.15, "accepted again after the pause"
    client.close()
    listener.close()
