"""``logger [options] [message]``: util-linux 2.38's logger, option for option."""

from __future__ import annotations

import os
import re
import socket
import sys
import time
from collections.abc import Callable

from logwarden import __version__
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.gnu import try_help
from logwarden.cli.main import Invocation
from logwarden.syslog.logger import (
    TYPE_TCP,
    TYPE_UDP,
    Header,
    LoggerError,
    Settings,
    StructuredData,
    Transport,
    command_line_messages,
    login_name,
    pencode,
    stdin_messages,
    valid_sd_id,
    valid_sd_param,
)

SHORT = "ef:ip:S:st:u:dTn:P:Vh"
LONG = [
    LongOpt("id", Arg.OPTIONAL, "id"),
    LongOpt("stderr", Arg.NONE, "s"),
    LongOpt("file", Arg.REQUIRED, "f"),
    LongOpt("no-act", Arg.NONE, "no-act"),
    LongOpt("priority", Arg.REQUIRED, "p"),
    LongOpt("tag", Arg.REQUIRED, "t"),
    LongOpt("socket", Arg.REQUIRED, "u"),
    LongOpt("socket-errors", Arg.REQUIRED, "socket-errors"),
    LongOpt("udp", Arg.NONE, "d"),
    LongOpt("tcp", Arg.NONE, "T"),
    LongOpt("server", Arg.REQUIRED, "n"),
    LongOpt("port", Arg.REQUIRED, "P"),
    LongOpt("version", Arg.NONE, "V"),
    LongOpt("help", Arg.NONE, "h"),
    LongOpt("octet-count", Arg.NONE, "octet-count"),
    LongOpt("prio-prefix", Arg.NONE, "prio-prefix"),
    LongOpt("rfc3164", Arg.NONE, "rfc3164"),
    LongOpt("rfc5424", Arg.OPTIONAL, "rfc5424"),
    LongOpt("size", Arg.REQUIRED, "S"),
    LongOpt("msgid", Arg.REQUIRED, "msgid"),
    LongOpt("skip-empty", Arg.NONE, "e"),
    LongOpt("sd-id", Arg.REQUIRED, "sd-id"),
    LongOpt("sd-param", Arg.REQUIRED, "sd-param"),
    LongOpt("journald", Arg.OPTIONAL, "journald"),
]

USAGE = """
Usage:
 logger [options] [<message>]

Enter messages into the system log.

Options:
 -i                       log the logger command's PID
     --id[=<id>]          log the given <id>, or otherwise the PID
 -f, --file <file>        log the contents of this file
 -e, --skip-empty         do not log empty lines when processing files
     --no-act             do everything except the write the log
 -p, --priority <prio>    mark given message with this priority
     --octet-count        use rfc6587 octet counting
     --prio-prefix        look for a prefix on every line read from stdin
 -s, --stderr             output message to standard error as well
 -S, --size <size>        maximum size for a single message
 -t, --tag <tag>          mark every line with this tag
 -n, --server <name>      write to this remote syslog server
 -P, --port <port>        use this port for UDP or TCP connection
 -T, --tcp                use TCP only
 -d, --udp                use UDP only
     --rfc3164            use the obsolete BSD syslog protocol
     --rfc5424[=<snip>]   use the syslog protocol (the default for remote);
                            <snip> can be notime, or notq, and/or nohost
     --sd-id <id>         rfc5424 structured data ID
     --sd-param <data>    rfc5424 structured data name=value
     --msgid <msgid>      set rfc5424 message id field
 -u, --socket <socket>    write to this Unix socket
     --socket-errors[=<on|off|auto>]
                          print connection errors when using Unix sockets
     --journald[=<file>]  write journald entry

 -h, --help               display this help
 -V, --version            display version

For more details see logger(1).
"""

_SIZE = re.compile(r"(\d+)(?:([KMGTPEZY])(iB|B)?)?", re.IGNORECASE)
JOURNAL_SOCKET = "/run/systemd/journal/socket"


def parse_size(text: str) -> int:
    """util-linux strtosize: a number with an optional K/M/G... (KiB) or KB (1000) suffix."""
    m = _SIZE.fullmatch(text)
    if m is None:
        raise LoggerError(f"failed to parse message size: '{text}': Invalid argument")
    value = int(m.group(1))
    if m.group(2):
        power = "KMGTPEZY".index(m.group(2).upper()) + 1
        value *= (1000 if m.group(3) and m.group(3).upper() == "B" else 1024) ** power
    return value


def parse_id(text: str) -> int:
    """--id=N as strtoul_or_err reads it."""
    if not re.fullmatch(r"\s*[-+]?\d+", text):
        raise LoggerError(f"failed to parse id: '{text}'")
    return int(text)


def _rfc5424_flags(settings: Settings, text: str, warn: Callable[[str], None]) -> None:
    for token in (t for t in text.split(",") if t):
        if token == "notime":
            settings.rfc5424_time = settings.rfc5424_tq = False
        elif token == "notq":
            settings.rfc5424_tq = False
        elif token == "nohost":
            settings.rfc5424_host = False
        else:
            warn(f"ignoring unknown option argument: {token}")


def main(inv: Invocation) -> int:
    try:
        return _run(inv)
    except LoggerError as e:
        inv.stderr.write(f"logger: {e}\n")
        return 1


def _run(inv: Invocation) -> int:
    def warn(message: str) -> None:
        inv.stderr.write(f"logger: {message}\n")
        inv.stderr.flush()

    try:
        parsed = getopt_long("logger", inv.args, SHORT, LONG)
    except GetoptError as e:
        inv.stderr.write(f"{e}\n{try_help('logger')}\n")
        return 1
    settings = Settings()
    errors_mode = "auto"
    input_file: str | None = None
    journald: str | None = None
    for opt, value in parsed.options:
        arg = value or ""
        if opt == "f":
            try:
                with open(arg, "rb"):
                    pass
            except OSError as e:
                raise LoggerError(f"file {arg}: {e.strerror}") from None
            input_file = arg
        elif opt == "e":
            settings.skip_empty = True
        elif opt == "i":
            settings.pid = os.getpid()
        elif opt == "id":
            settings.pid = parse_id(arg) if value is not None else os.getpid()
        elif opt == "p":
            settings.pri = pencode(arg)
        elif opt == "s":
            settings.stderr = True
        elif opt == "t":
            settings.tag = arg
        elif opt == "u":
            settings.unix_socket = arg
        elif opt == "S":
            settings.max_size = parse_size(arg)
        elif opt == "d":
            settings.socket_type = TYPE_UDP
        elif opt == "T":
            settings.socket_type = TYPE_TCP
        elif opt == "n":
            settings.server = arg
        elif opt == "P":
            settings.port = arg
        elif opt == "octet-count":
            settings.octet_count = True
        elif opt == "prio-prefix":
            settings.prio_prefix = True
        elif opt == "rfc3164":
            settings.header = "rfc3164"
        elif opt == "rfc5424":
            settings.header = "rfc5424"
            if value is not None:
                _rfc5424_flags(settings, arg, warn)
        elif opt == "msgid":
            if " " in arg:
                raise LoggerError("--msgid cannot contain space")
            settings.msgid = arg
        elif opt == "journald":
            journald = arg if value is not None else "-"
        elif opt == "socket-errors":
            if arg not in ("on", "off", "auto"):
                warn(f"invalid argument: {arg}: using automatic errors")
                arg = "auto"
            errors_mode = arg
        elif opt == "no-act":
            settings.no_act = True
        elif opt == "sd-id":
            if not valid_sd_id(arg):
                raise LoggerError(f"invalid structured data ID: '{arg}'")
            if any(sd.id == arg for sd in settings.user_sd):
                raise LoggerError(f"structured data ID '{arg}' is not unique")
            settings.user_sd.append(StructuredData(arg))
        elif opt == "sd-param":
            if not valid_sd_param(arg):
                raise LoggerError(f"invalid structured data parameter: '{arg}'")
            if not settings.user_sd:
                raise LoggerError(f"--sd-id was not specified for --sd-param {arg}")
            settings.user_sd[-1].params.append(arg)
        elif opt == "V":
            inv.stdout.write(f"logger (logwarden) {__version__}\n".encode())
            return 0
        elif opt == "h":
            inv.stdout.write(USAGE.encode())
            return 0
    if input_file is not None and parsed.operands:
        warn("--file <file> and <message> are mutually exclusive, message is ignored")
    if journald is not None:
        return _journald(inv, settings, journald)
    if any(sd.id == "timeQuality" for sd in settings.user_sd):
        settings.rfc5424_tq = False
    if errors_mode == "auto":
        booted = os.path.isdir("/run/systemd/system")
        settings.socket_errors = settings.no_act or settings.stderr or booted
    else:
        settings.socket_errors = errors_mode == "on"
    return _send(inv, settings, input_file, parsed.operands, warn)


def _send(
    inv: Invocation,
    settings: Settings,
    input_file: str | None,
    operands: list[str],
    warn: Callable[[str], None],
) -> int:
    transport = Transport(settings)
    transport.open()
    tag = settings.tag if settings.tag is not None else login_name()
    header = Header(settings, tag, time.time)

    def emit(hdr: str, message: bytes) -> None:
        transport.send(hdr, message, warn)
        if settings.stderr:
            inv.stderr.flush()
            os.write(2, hdr.encode() + message + b"\n")

    try:
        # With both -f and a message, 2.38 warns that the message is ignored and then logs
        # the message, not the file.
        if operands:
            hdr = header.build()
            args = [os.fsencode(a) for a in operands]
            for message in command_line_messages(args, settings.max_size):
                emit(hdr, message)
        else:
            stream = open(input_file, "rb") if input_file else sys.stdin.buffer  # noqa: SIM115
            try:
                for hdr, message in stdin_messages(stream.readline, settings, header):
                    emit(hdr, message)
            finally:
                if input_file:
                    stream.close()
    finally:
        transport.close()
    return 0


def _journald(inv: Invocation, settings: Settings, source: str) -> int:
    """--journald: KEY=VALUE lines sent as one entry to the journal's native socket."""
    stream = sys.stdin.buffer if source == "-" else open(source, "rb")  # noqa: SIM115
    try:
        entries: list[bytes] = []
        for raw in stream:
            line = raw.rstrip()
            if not line:
                break
            if line.startswith(b"MESSAGE=") and any(e.startswith(b"MESSAGE=") for e in entries):
                index = next(i for i, e in enumerate(entries) if e.startswith(b"MESSAGE="))
                entries[index] += b"\n" + line[8:]
                continue
            entries.append(line)
    finally:
        if source != "-":
            stream.close()
    failed = False
    if not settings.no_act:
        payload = b"".join(_journal_field(e) for e in entries)
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto(payload, JOURNAL_SOCKET)
        except OSError:
            failed = True
    if settings.stderr:
        for entry in entries:
            inv.stderr.write(entry.decode("utf-8", "surrogateescape") + "\n")
    if failed:
        raise LoggerError("journald entry could not be written")
    return 0


def _journal_field(entry: bytes) -> bytes:
    """One field in the journal's native protocol (binary form when the value has a LF)."""
    key, _, value = entry.partition(b"=")
    if b"\n" in value:
        return key + b"\n" + len(value).to_bytes(8, "little") + value + b"\n"
    return entry + b"\n"
