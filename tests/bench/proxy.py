"""A local TCP proxy that delays each direction and counts round trips.

It stands for a slow link (a VPN to the office server): every chunk of bytes is held
``delay`` seconds before it is passed on, in each direction, so one request and its
answer cost ``2 * delay`` more than on the loopback. A *round trip* is counted each
time the server starts answering after the client has sent something: a client that
waits for every answer before asking again costs one per statement, one that sends
several statements at once (a pipeline) costs one for all of them.

Only the loopback is used: the proxy listens on 127.0.0.1 and connects to the server
given (the test's own PostgreSQL). ``stall(True)`` holds everything (a VPN that drops
packets); ``stall(False)`` lets it flow again.

Usage::

    with DelayProxy(("127.0.0.1", 5432), delay=0.010) as proxy:
        url = f"postgresql+psycopg://user:pw@127.0.0.1:{proxy.port}/db"
        before = proxy.round_trips
        ...
        print(proxy.round_trips - before)
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable


class _Direction:
    """Bytes from one socket to another, each chunk sent ``delay`` after it arrived."""

    def __init__(self, proxy: DelayProxy, source: socket.socket, target: socket.socket, up: bool):
        self.proxy = proxy
        self.source = source
        self.target = target
        self.up = up
        self._queue: list[tuple[float, int, bytes]] = []
        self._order = itertools.count()
        self._ready = threading.Condition()
        self._closed = False

    def start(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._write, daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                data = self.source.recv(65536)
                if not data:
                    break
                self.proxy._saw(self)
                with self._ready:
                    due = time.monotonic() + self.proxy.delay
                    heapq.heappush(self._queue, (due, next(self._order), data))
                    self._ready.notify()
        except OSError:
            pass
        with self._ready:
            self._closed = True
            self._ready.notify()

    def _write(self) -> None:
        try:
            while True:
                with self._ready:
                    while not self._queue and not self._closed:
                        self._ready.wait()
                    if not self._queue and self._closed:
                        break
                    due, _, data = self._queue[0]
                    wait = due - time.monotonic()
                    if wait > 0 or self.proxy.stalled:
                        self._ready.wait(max(0.0005, wait) if wait > 0 else 0.01)
                        continue
                    heapq.heappop(self._queue)
                self.target.sendall(data)
        except OSError:
            pass
        for sock in (self.target, self.source):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class DelayProxy:
    """See the module docstring."""

    def __init__(self, server: tuple[str, int], delay: float = 0.010) -> None:
        self.server = server
        self.delay = delay
        self.stalled = False
        self.round_trips = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._last_up: dict[int, bool] = {}
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._running = True
        self._sockets: list[socket.socket] = []
        #: Called with no arguments for every round trip (a benchmark's tally per action).
        self.on_round_trip: Callable[[], None] | None = None

    def __enter__(self) -> DelayProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stall(self, on: bool) -> None:
        self.stalled = on

    def _saw(self, direction: _Direction) -> None:
        key = id(direction.source) if direction.up else id(direction.target)
        with self._lock:
            previous = self._last_up.get(key)
            self._last_up[key] = direction.up
            if not direction.up and previous:
                self.round_trips += 1
                if self.on_round_trip is not None:
                    self.on_round_trip()

    def _accept(self) -> None:
        while self._running:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.server)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.connections += 1
                self._sockets += [client, upstream]
            _Direction(self, client, upstream, up=True).start()
            _Direction(self, upstream, client, up=False).start()

    def drop(self) -> None:
        """Cut every connection now (a VPN that went down); new ones are still taken."""
        with self._lock:
            sockets, self._sockets = list(self._sockets), []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass

    def close(self) -> None:
        self._running = False
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass


# -- in a process of its own ------------------------------------------------------------
#
# The proxy's threads move bytes in Python; in the benchmark's own process they would
# compete with the app for the interpreter and make the window's stalls look longer
# than the link makes them. ``spawn`` runs it in another process and ``RemoteProxy``
# reads its count over a control socket.


class RemoteProxy:
    """A ``DelayProxy`` in a child process: ``port`` to connect to, ``round_trips``."""

    def __init__(self, server: tuple[str, int], delay: float) -> None:
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.proxy", server[0], str(server[1]), str(delay)],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline().split()
        self.port, self.control = int(line[0]), int(line[1])

    def _ask(self, what: str) -> int:
        with socket.create_connection(("127.0.0.1", self.control)) as control:
            control.sendall(what.encode() + b"\n")
            return int(control.makefile().readline())

    @property
    def round_trips(self) -> int:
        return self._ask("trips")

    @property
    def connections(self) -> int:
        return self._ask("connections")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _serve(host: str, port: int, delay: float) -> None:
    proxy = DelayProxy((host, port), delay)
    proxy.__enter__()
    control = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    control.bind(("127.0.0.1", 0))
    control.listen(8)
    print(proxy.port, control.getsockname()[1], flush=True)
    while True:
        asker, _ = control.accept()
        with asker:
            what = asker.makefile().readline().strip()
            value = proxy.round_trips if what == "trips" else proxy.connections
            asker.sendall(f"{value}\n".encode())


if __name__ == "__main__":
    import sys

    _serve(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
