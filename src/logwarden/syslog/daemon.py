"""syslogd: receivers feed one queue; one writer thread parses, routes and writes in batches.

The receive threads (inputs.py) only move bytes. The writer takes everything queued at once,
parses each message, routes it through the precomputed table (one list per facility and
severity) to its outputs, and then flushes every output that got something: one write per
file per batch, one fsync per synced file per batch. SIGHUP (``request_reopen``) closes the
files between two batches so that rotated logs are reopened; ``stop`` reads out what the
kernel already accepted, writes it, syncs and closes.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import socket
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from queue import Empty, SimpleQueue

from logwarden.connect import paths
from logwarden.errors import LogwardenError
from logwarden.syslog import fastpath
from logwarden.syslog.actions import DISCARD
from logwarden.syslog.conf import Config, compile_file
from logwarden.syslog.framing import FrameDecoder
from logwarden.syslog.inputs import AllowList, DatagramInput, Item, Source, StreamInput
from logwarden.syslog.message import Clock, Message, parse
from logwarden.syslog.names import NFACILITIES
from logwarden.syslog.outputs import FileOutput, Output, make_output
from logwarden.syslog.repeat import RepeatReducer
from logwarden.syslog.router import RoutingTable
from logwarden.syslog.templates import Formatter, traditional_file, traditional_time
from logwarden.syslog.tlsconf import peer_checker, server_context

Warn = Callable[[str], None]
#: What a facility/severity pair routes to: each formatter with the sinks of its outputs.
Slot = tuple[tuple[Formatter, tuple[list[bytes], ...]], ...]
#: rsyslog 8.2302 keeps the first 8096 bytes of a longer message.
DEFAULT_MAX_SIZE = 8096
#: Queue items the writer takes in one batch at most (each item is a burst of messages).
BATCH_ITEMS = 512
#: Seconds between tries to write bytes a failed write left behind.
RETRY_SECONDS = 1.0
_RECEIVE_BUFFER = 8 << 20


@dataclass
class Options:
    """How syslogd was asked to run."""

    config: str
    local_sockets: list[str] = field(default_factory=list)
    udp: list[str] = field(default_factory=list)
    tcp: list[str] = field(default_factory=list)
    tls: list[str] = field(default_factory=list)
    cert: str | None = None
    key: str | None = None
    client_ca: str | None = None
    allow_clients: list[str] = field(default_factory=list)
    allow_senders: list[str] = field(default_factory=list)
    max_size: int = DEFAULT_MAX_SIZE
    user: str | None = None
    resolve_names: bool = True
    utmp: str = paths.UTMP


def parse_address(text: str, what: str) -> tuple[str, int]:
    """``ADDR:PORT``, ``[V6ADDR]:PORT`` or ``:PORT`` (every address) as (host, port)."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":")
    else:
        host, _, port_text = text.rpartition(":")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise LogwardenError(f"{what} {text!r}: expected ADDRESS:PORT", exit_code=2)
    return host or "0.0.0.0", int(port_text)


def _big_buffer(sock: socket.socket) -> None:
    # Room for a burst while the writer is busy: as root past rmem_max, else as much as allowed.
    force = getattr(socket, "SO_RCVBUFFORCE", None)
    try:
        if force is not None and os.geteuid() == 0:
            sock.setsockopt(socket.SOL_SOCKET, force, _RECEIVE_BUFFER)
            return
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)


def _inet_socket(text: str, kind: int, what: str) -> socket.socket:
    host, port = parse_address(text, what)
    family, _, _, _, address = socket.getaddrinfo(host, port, type=kind, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    return sock


def _unix_socket(path: str) -> socket.socket:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISSOCK(mode):
            raise LogwardenError(f"{path}: exists and is not a socket")
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    return sock


class Syslogd:
    """One daemon: its configuration, inputs, outputs and writer thread."""

    def __init__(self, options: Options, warn: Warn) -> None:
        self.options = options
        self.warn = warn
        self.config: Config = compile_file(options.config)
        for diagnostic in self.config.diagnostics:
            warn(str(diagnostic))
        self.queue: SimpleQueue[Item] = SimpleQueue()
        self.outputs: list[Output] = []
        self.slots = self._route_slots()
        #: PRIs whose every output writes the traditional file format: lines for these can
        #: come from the fast path (fastpath.py).
        self.traditional_only = [
            all(formatter is traditional_file for formatter, _ in slot) for slot in self.slots[:192]
        ]
        self.inputs: list[DatagramInput | StreamInput] = []
        self.allow = AllowList(options.allow_senders)
        self.hostname = socket.gethostname().split(".", 1)[0].encode()
        self._names: dict[str, bytes] = {}
        self.clock = Clock()
        self.writer = threading.Thread(target=self._write_loop, name="writer", daemon=True)
        #: Network messages refused by the sender allow-list (reported at the end).
        self.refused = 0

    def _route_slots(self) -> list[Slot]:
        by_key: dict[tuple[object, ...], Output] = {}
        per_rule: list[Output | None] = []
        config = self.config
        for rule in config.rules:
            action = rule.action
            if action.kind == DISCARD:
                per_rule.append(None)
                continue
            template = action.template or config.file_template
            key = (action.kind, action.target, action.port, template, action.users, action.sync)
            output = by_key.get(key)
            if output is None:
                output = make_output(action, config.file_template, config.file_create_mode,
                                     self.options.utmp, self.warn)  # fmt: skip
                if isinstance(output, FileOutput):
                    output.sync = action.sync and config.file_sync
                by_key[key] = output
                self.outputs.append(output)
            per_rule.append(output)
        table = RoutingTable(config.rules)
        slots: list[Slot] = []
        for facility in range(NFACILITIES):
            for severity in range(8):
                groups: dict[Formatter, list[list[bytes]]] = {}
                for i in table.route(facility, severity):
                    output = per_rule[i]
                    if output is not None:
                        groups.setdefault(output.formatter, []).append(output.sink)
                slots.append(tuple((fmt, tuple(sinks)) for fmt, sinks in groups.items()))
        return slots

    # -- setting up ---------------------------------------------------------------------

    def bind(self) -> None:
        """Create every socket (before privileges are dropped)."""
        o = self.options
        max_size = o.max_size
        for text in o.udp:
            sock = _inet_socket(text, socket.SOCK_DGRAM, "--udp")
            _big_buffer(sock)
            self.inputs.append(DatagramInput(sock, Source(f"udp {text}", False), self.queue,
                                             max_size))  # fmt: skip
        for text in o.tcp:
            sock = _inet_socket(text, socket.SOCK_STREAM, "--tcp")
            sock.listen(128)
            self.inputs.append(StreamInput(sock, f"tcp {text}", self.queue, max_size, self.allow,
                                           self.warn))  # fmt: skip
        if o.tls:
            if o.cert is None:
                raise LogwardenError("--tls needs --cert (and --key unless the cert holds it)")
            if o.allow_clients and o.client_ca is None:
                raise LogwardenError("--allow needs --client-ca to verify client certificates")
            context = server_context(o.cert, o.key, o.client_ca)
            check = peer_checker(o.allow_clients)
            for text in o.tls:
                sock = _inet_socket(text, socket.SOCK_STREAM, "--tls")
                sock.listen(128)
                self.inputs.append(StreamInput(sock, f"tls {text}", self.queue, max_size,
                                               self.allow, self.warn, tls=context,
                                               peer_check=check))  # fmt: skip
        # The local sockets come last: once one exists, every input is listening.
        for path in o.local_sockets:
            sock = _unix_socket(path)
            _big_buffer(sock)
            source = Source(f"unix {path}", True, self.hostname)
            self.inputs.append(DatagramInput(sock, source, self.queue, max_size, path=path))

    def open_files(self) -> None:
        """Open every file now, so that they stay writable after dropping privileges."""
        for output in self.outputs:
            if isinstance(output, FileOutput):
                try:
                    output.open()
                except OSError as e:
                    self.warn(f"{output.path}: {e.strerror}")

    def drop_privileges(self, user: str) -> None:
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            raise LogwardenError(f"unknown user {user!r}") from None
        os.setgroups([])
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)

    def start(self) -> None:
        self.writer.start()
        for receiver in self.inputs:
            receiver.start()

    def request_reopen(self) -> None:
        """Reopen files between batches (for SIGHUP after log rotation)."""
        self.queue.put(("reopen", Source("signal", True), 0.0, None))

    def stop(self) -> None:
        """Take in what was accepted, write it, sync and close everything."""
        for receiver in self.inputs:
            receiver.stop()
        self.queue.put(("stop", Source("signal", True), 0.0, None))
        self.writer.join()
        if self.refused:
            self.warn(f"{self.refused} messages refused from senders not allowed")

    # -- the writer thread --------------------------------------------------------------

    def _name_of(self, address: str) -> bytes:
        name = self._names.get(address)
        if name is None:
            plain = address.removeprefix("::ffff:")
            text = plain
            if self.options.resolve_names:
                try:
                    text = socket.gethostbyaddr(plain)[0]
                except OSError:
                    text = plain
                if not text.replace(".", "").isdigit() and ":" not in text:
                    text = text.split(".", 1)[0]
            name = text.encode()
            if len(self._names) < 65536:
                self._names[address] = name
        return name

    def _write_loop(self) -> None:
        queue = self.queue
        while True:
            # Held bytes (a full disk, a lost forward) are tried again without waiting for
            # the next message, which may not come for hours.
            waiting = any(output.waiting for output in self.outputs)
            try:
                items = [queue.get(timeout=RETRY_SECONDS if waiting else None)]
            except Empty:
                for output in self.outputs:
                    output.flush()
                continue
            while len(items) < BATCH_ITEMS:
                try:
                    items.append(queue.get_nowait())
                except Empty:
                    break
            try:
                stopping = self._process(items)
            except Exception as e:  # a bug must not silently stop all logging
                self.warn(f"internal error while writing: {type(e).__name__}: {e}")
                stopping = any(item[0] == "stop" for item in items)
            for output in self.outputs:
                output.flush()
            if stopping:
                self._finish()
                return

    def _finish(self) -> None:
        for output in self.outputs:
            try:
                output.close()
            except OSError as e:
                self.warn(f"closing an output: {e.strerror}")

    def _process(self, items: list[Item]) -> bool:
        stopping = False
        slots = self.slots
        reducing = self.config.repeated_msg_reduction
        stamp = self.clock.stamp
        for kind, source, when, payload in items:
            if kind == "local":
                now = stamp(when)
                host = self.hostname
                prefix = traditional_time(now) + b" " + host + b" "
                fast_ok = self.traditional_only
                for raw in payload:
                    if not reducing:
                        fast = fastpath.local_text(raw)
                        if fast is not None and fast_ok[fast[0]]:
                            line = prefix + fast[1] + b"\n"
                            for _, sinks in slots[fast[0]]:
                                for sink in sinks:
                                    sink.append(line)
                            continue
                    message = parse(raw, now, host, local=True)
                    if reducing:
                        self._reduce(source, message)
                        continue
                    for formatter, sinks in slots[message.facility * 8 + message.severity]:
                        line = formatter(message)
                        for sink in sinks:
                            sink.append(line)
            elif kind == "udp":
                now = stamp(when)
                checking = bool(self.allow.networks)
                last_address, host = "", b""
                for raw, address in payload:
                    if address[0] != last_address:
                        last_address = address[0]
                        host = self._name_of(last_address)
                    if checking and not self.allow.allows(last_address):
                        self.refused += 1
                        continue
                    if not (reducing or self._fast_network(raw, host)):
                        self._deliver(source, parse(raw, now, host, local=False))
            elif kind == "stream":
                now = stamp(when)
                decoder = source.decoder
                assert decoder is not None
                host = self._name_of(source.host.decode())
                frames = decoder.feed(payload)
                fast_network = self._fast_network
                for raw in frames:
                    if not (reducing or fast_network(raw, host)):
                        self._deliver(source, parse(raw, now, host, local=False))
            elif kind == "eof":
                self._end_of_stream(source, when)
            elif kind == "reopen":
                for output in self.outputs:
                    output.reopen()
            elif kind == "stop":
                stopping = True
        if stopping:
            for receiver in self.inputs:
                if isinstance(receiver, DatagramInput):
                    self._release(receiver.source)
        return stopping

    def _fast_network(self, raw: bytes, sender: bytes) -> bool:
        """Write ``raw`` by the fast path if it is canonical and its outputs allow; else False."""
        fast = fastpath.network_line(raw, sender)
        if fast is None or not self.traditional_only[fast[0]]:
            return False
        line = fast[1] + b"\n"
        for _, sinks in self.slots[fast[0]]:
            for sink in sinks:
                sink.append(line)
        return True

    def _end_of_stream(self, source: Source, when: float) -> None:
        decoder: FrameDecoder | None = source.decoder
        if decoder is not None:
            host = self._name_of(source.host.decode())
            for raw in decoder.finish():
                self._deliver(source, parse(raw, self.clock.stamp(when), host, local=False))
        self._release(source)

    def _release(self, source: Source) -> None:
        reducer = source.state.pop("repeat", None)
        if reducer is not None:
            for message in reducer.flush():
                self._route(message)

    def _reduce(self, source: Source, message: Message) -> None:
        reducer = source.state.get("repeat")
        if reducer is None:
            reducer = source.state["repeat"] = RepeatReducer()
        for held in reducer.push(message):
            self._route(held)

    def _deliver(self, source: Source, message: Message) -> None:
        if self.config.repeated_msg_reduction:
            self._reduce(source, message)
        else:
            self._route(message)

    def _route(self, message: Message) -> None:
        for formatter, sinks in self.slots[message.facility * 8 + message.severity]:
            line = formatter(message)
            for sink in sinks:
                sink.append(line)
