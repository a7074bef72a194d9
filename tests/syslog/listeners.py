"""Sockets of the test's own that record what a client sends: unix datagram, UDP, TCP."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path


class DatagramListener:
    """A bound datagram socket (unix path or UDP port on 127.0.0.1)."""

    def __init__(self, path: Path | None = None) -> None:
        if path is not None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.sock.bind(str(path))
            self.address: str | int = str(path)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(("127.0.0.1", 0))
            self.address = self.sock.getsockname()[1]
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)

    def drain(self) -> list[bytes]:
        """Everything received so far, one item per datagram."""
        got = []
        while True:
            try:
                got.append(self.sock.recv(1 << 17, socket.MSG_DONTWAIT))
            except BlockingIOError:
                return got

    def close(self) -> None:
        self.sock.close()


class StreamListener:
    """A TCP listener on 127.0.0.1 that keeps each connection's bytes."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port: int = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._read, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _read(self, conn: socket.socket) -> None:
        chunks = []
        with conn:
            while data := conn.recv(1 << 16):
                chunks.append(data)
        with self._lock:
            self.connections.append(b"".join(chunks))

    def take(self, count: int = 1, timeout: float = 10.0) -> list[bytes]:
        """The bytes of the next ``count`` finished connections."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.connections) >= count:
                    taken, self.connections = self.connections[:count], self.connections[count:]
                    return taken
            time.sleep(0.01)
        raise AssertionError(f"only {len(self.connections)} of {count} connections finished")

    def close(self) -> None:
        self.sock.close()


@contextlib.contextmanager
def listening_unix(path: Path) -> Iterator[DatagramListener]:
    listener = DatagramListener(path)
    try:
        yield listener
    finally:
        listener.close()
