"""Receiving: threads that only move bytes from sockets into the daemon's queue.

Each receiver blocks in ``recv`` for the first datagram, then drains its socket without
blocking until it is empty and hands the whole burst to the queue in one item, stamped with
one reception time. Nothing is parsed here: the writer thread does that, so a burst is
taken off the socket as fast as the kernel gives it (the default asyncio endpoint lost 78%
of datagrams at load; see ARCHITECTURE.md).

Stopping: ``stop()`` shuts the socket down for reading, which wakes the blocked ``recv``;
what the kernel had already accepted is still read out before the thread ends.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from queue import SimpleQueue
from typing import Any

from logwarden.syslog.framing import FrameDecoder

#: A queued item: (kind, source, reception time, payload). Kinds: "local" (payload: list of
#: datagrams), "udp" (list of (datagram, address)), "stream" (bytes), "eof" (None).
Item = tuple[str, "Source", float, Any]
Warn = Callable[[str], None]
#: Datagrams handed over at most in one queue item, so that the writer has work while a
#: sender keeps the socket full.
BURST = 1024
#: Bytes a stream reader asks for at once: large, so that a fast sender costs few handoffs of
#: the interpreter lock between reader and writer.
READ_SIZE = 1 << 20


@dataclass(eq=False)
class Source:
    """Where messages come from: an input, or one connection of a stream input."""

    name: str
    local: bool
    host: bytes = b""
    decoder: FrameDecoder | None = None
    #: Per-source state the writer keeps (repeat reduction).
    state: dict[str, Any] = field(default_factory=dict)


class AllowList:
    """Sender addresses or networks a network input accepts (empty: everyone)."""

    def __init__(self, specs: list[str]) -> None:
        self.networks = [ipaddress.ip_network(spec, strict=False) for spec in specs]
        self._cache: dict[str, bool] = {}

    def allows(self, address: str) -> bool:
        if not self.networks:
            return True
        known = self._cache.get(address)
        if known is None:
            try:
                ip = ipaddress.ip_address(address.split("%", 1)[0])
            except ValueError:
                return False
            if ip.version == 6 and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            known = any(ip.version == n.version and ip in n for n in self.networks)
            if len(self._cache) < 65536:
                self._cache[address] = known
        return known


class DatagramInput:
    """A unix datagram socket (the local log socket) or a UDP socket."""

    def __init__(self, sock: socket.socket, source: Source, queue: SimpleQueue[Item],
                 max_size: int, *, path: str | None = None) -> None:  # fmt: skip
        self.sock = sock
        self.source = source
        self.queue = queue
        self.max_size = max_size
        self.path = path
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name=f"recv {source.name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        if self.path is not None:
            self._run_local()
        else:
            self._run_udp()

    def _run_local(self) -> None:
        recv, size, put, source = self.sock.recv, self.max_size, self.queue.put, self.source
        nowait = socket.MSG_DONTWAIT
        while True:
            try:
                first = recv(size)
            except OSError:
                return
            now = time.time()
            burst = [first] if first else []
            try:
                while len(burst) < BURST:
                    data = recv(size, nowait)
                    if data:
                        burst.append(data)
                    elif self.stopping:
                        break
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                self.stopping = True
            if burst:
                put(("local", source, now, burst))
            if not first and self.stopping:
                return

    def _run_udp(self) -> None:
        recvfrom, size, put, source = self.sock.recvfrom, self.max_size, self.queue.put, self.source
        nowait = socket.MSG_DONTWAIT
        while True:
            try:
                first = recvfrom(size)
            except OSError:
                return
            now = time.time()
            burst = [first] if first[0] else []
            try:
                while len(burst) < BURST:
                    got = recvfrom(size, nowait)
                    if got[0]:
                        burst.append(got)
                    elif self.stopping:
                        break
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                self.stopping = True
            if burst:
                put(("udp", source, now, burst))
            if not first[0] and self.stopping:
                return

    def stop(self) -> None:
        """Stop after reading what the kernel already holds."""
        self.stopping = True
        if self.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RD)
        self.thread.join(timeout=10)
        self.sock.close()


class StreamInput:
    """A TCP (or TLS) listener: one thread accepting, one per connection reading."""

    def __init__(
        self,
        sock: socket.socket,
        name: str,
        queue: SimpleQueue[Item],
        max_size: int,
        allow: AllowList,
        warn: Warn,
        *,
        tls: ssl.SSLContext | None = None,
        peer_check: Callable[[ssl.SSLSocket], str | None] | None = None,
    ) -> None:
        self.sock = sock
        self.name = name
        self.queue = queue
        self.max_size = max_size
        self.allow = allow
        self.warn = warn
        self.tls = tls
        self.peer_check = peer_check
        self.connections: set[socket.socket] = set()
        self.readers: list[threading.Thread] = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, name=f"accept {name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, address = self.sock.accept()
            except OSError:
                # Out of descriptors, say: wait a moment rather than spin.
                self.stopped.wait(0.1)
                continue
            if not self.allow.allows(address[0]):
                self.warn(f"{self.name}: connection from {address[0]} refused (not allowed)")
                conn.close()
                continue
            reader = threading.Thread(target=self._read, args=(conn, address), daemon=True,
                                      name=f"read {self.name} {address[0]}")  # fmt: skip
            with self.lock:
                self.readers = [t for t in self.readers if t.is_alive()]
                self.readers.append(reader)
            reader.start()

    def _read(self, conn: socket.socket, address: tuple[Any, ...]) -> None:
        peer = address[0]
        stream: socket.socket = conn
        if self.tls is not None:
            try:
                conn.settimeout(30)
                stream = self.tls.wrap_socket(conn, server_side=True)
                stream.settimeout(None)
            except (OSError, ssl.SSLError) as e:
                self.warn(f"{self.name}: TLS handshake with {peer} failed: {e}")
                conn.close()
                return
            if self.peer_check is not None:
                assert isinstance(stream, ssl.SSLSocket)
                refusal = self.peer_check(stream)
                if refusal is not None:
                    self.warn(f"{self.name}: {peer} refused: {refusal}")
                    stream.close()
                    return
        source = Source(f"{self.name} {peer}", False, peer.encode(),
                        FrameDecoder(self.max_size))  # fmt: skip
        with self.lock:
            if self.stopped.is_set():
                stream.close()
                return
            self.connections.add(stream)
        put = self.queue.put
        try:
            while True:
                try:
                    data = stream.recv(READ_SIZE)
                except OSError:
                    break
                if not data:
                    break
                put(("stream", source, time.time(), data))
        finally:
            put(("eof", source, time.time(), None))
            with self.lock:
                self.connections.discard(stream)
            stream.close()

    def stop(self) -> None:
        """Stop accepting, then read every connection to its end of what was sent."""
        self.stopped.set()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join(timeout=10)
        with self.lock:
            connections = list(self.connections)
            readers = list(self.readers)
        for conn in connections:
            with contextlib.suppress(OSError):
                # The plain socket's shutdown: an SSLSocket's own would drop its state first.
                socket.socket.shutdown(conn, socket.SHUT_RD)
        for reader in readers:
            reader.join(timeout=10)
