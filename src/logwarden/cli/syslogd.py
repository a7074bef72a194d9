"""``syslogd -n -f CONF -p SOCKET [--udp A:P] [--tcp A:P] [--tls A:P ...]``: the syslog daemon.

sysklogd's options where it has them (-n, -f, -p, -a, -u, -x); the network inputs, TLS and
allow-lists as long options. Signals: HUP reopens the log files, TERM and INT stop after
writing everything received.
"""

from __future__ import annotations

import os
import signal
import threading

from logwarden import __version__
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.gnu import try_help
from logwarden.cli.main import Invocation
from logwarden.errors import UsageError
from logwarden.syslog.daemon import Options, Syslogd

USAGE = """\
Usage: syslogd [-n] [-f CONF] [-p SOCKET] [-a SOCKET]... [-u USER] [-x] [options]
Receive syslog messages and write them where CONF (a classic syslog.conf) says.

  -n                   stay in the foreground
  -f CONF              configuration file (default /etc/syslog.conf)
  -p SOCKET            local socket (default /dev/log)
  -a SOCKET            one more local socket (for a chroot, say)
  -u USER              drop privileges to USER once the sockets are bound
  -x                   do not resolve sender addresses to names
      --udp ADDR:PORT  receive over UDP (ADDR may be empty for every address)
      --tcp ADDR:PORT  receive over TCP (octet counting or LF framing, RFC 6587)
      --tls ADDR:PORT  receive over TLS (RFC 5425); needs --cert (and --key)
      --cert FILE      the server certificate (PEM) for --tls
      --key FILE       its private key
      --client-ca FILE require client certificates issued by this CA
      --allow CLIENT   accept only this client certificate (SHA-256 fingerprint
                       or subject such as CN=host1); repeatable; needs --client-ca
      --allow-sender NET  accept UDP/TCP/TLS only from this address or network
                       (repeatable; default: everyone)
      --max-size N     keep at most N bytes of a message (default 8096, as rsyslog)
      --pidfile FILE   write the process id to FILE
      --utmp FILE      who is logged in, for user and * actions (default /var/run/utmp)
  -h, --help           show this help
  -V, --version        show the version
"""

LONG = [
    LongOpt("udp", Arg.REQUIRED, "udp"),
    LongOpt("tcp", Arg.REQUIRED, "tcp"),
    LongOpt("tls", Arg.REQUIRED, "tls"),
    LongOpt("cert", Arg.REQUIRED, "cert"),
    LongOpt("key", Arg.REQUIRED, "key"),
    LongOpt("client-ca", Arg.REQUIRED, "client-ca"),
    LongOpt("allow", Arg.REQUIRED, "allow"),
    LongOpt("allow-sender", Arg.REQUIRED, "allow-sender"),
    LongOpt("max-size", Arg.REQUIRED, "max-size"),
    LongOpt("pidfile", Arg.REQUIRED, "pidfile"),
    LongOpt("utmp", Arg.REQUIRED, "utmp"),
    LongOpt("help", Arg.NONE, "h"),
    LongOpt("version", Arg.NONE, "V"),
]


def _options(inv: Invocation) -> tuple[Options, bool, str | None] | int:
    try:
        parsed = getopt_long(inv.argv0, inv.args, "nf:p:a:u:xhV", LONG)
    except GetoptError as e:
        inv.stderr.write(f"{e}\n{try_help(inv.argv0)}\n")
        return 2
    options = Options(config="/etc/syslog.conf")
    foreground = False
    pidfile: str | None = None
    primary: str | None = None
    extra: list[str] = []
    for opt, value in parsed.options:
        arg = value or ""
        if opt == "n":
            foreground = True
        elif opt == "f":
            options.config = arg
        elif opt == "p":
            primary = arg
        elif opt == "a":
            extra.append(arg)
        elif opt == "u":
            options.user = arg
        elif opt == "x":
            options.resolve_names = False
        elif opt in ("udp", "tcp", "tls", "allow-sender"):
            {"udp": options.udp, "tcp": options.tcp, "tls": options.tls,
             "allow-sender": options.allow_senders}[opt].append(arg)  # fmt: skip
        elif opt == "allow":
            options.allow_clients.append(arg)
        elif opt == "cert":
            options.cert = arg
        elif opt == "key":
            options.key = arg
        elif opt == "client-ca":
            options.client_ca = arg
        elif opt == "max-size":
            if not arg.isdigit() or int(arg) < 16:
                raise UsageError(
                    f"--max-size {arg!r}: expected a number of bytes >= 16", exit_code=2
                )
            options.max_size = int(arg)
        elif opt == "pidfile":
            pidfile = arg
        elif opt == "utmp":
            options.utmp = arg
        elif opt == "h":
            inv.stdout.write(USAGE.encode())
            return 0
        elif opt == "V":
            inv.stdout.write(f"syslogd (logwarden) {__version__}\n".encode())
            return 0
    if parsed.operands:
        raise UsageError(f"unexpected argument {parsed.operands[0]!r}", exit_code=2)
    options.local_sockets = [primary or "/dev/log", *extra]
    return options, foreground, pidfile


def _daemonize() -> None:
    """Fork into the background (the classic double fork), stdio on /dev/null."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def main(inv: Invocation) -> int:
    chosen = _options(inv)
    if isinstance(chosen, int):
        return chosen
    options, foreground, pidfile = chosen
    daemon = Syslogd(options, inv.warn)
    daemon.bind()
    if options.user is not None:
        # Files are opened on first use (as rsyslog does: no empty files for rules that never
        # match), except when privileges are dropped: then they are opened while we can.
        daemon.open_files()
        daemon.drop_privileges(options.user)
    if not foreground:
        inv.stderr.flush()
        _daemonize()
    if pidfile is not None:
        with open(pidfile, "w") as f:
            f.write(f"{os.getpid()}\n")
    stop = threading.Event()

    def on_stop(signum: int, frame: object) -> None:
        stop.set()

    def on_hup(signum: int, frame: object) -> None:
        daemon.request_reopen()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, on_hup)
    daemon.start()
    while not stop.wait(3600):
        pass
    daemon.stop()
    if pidfile is not None:
        try:
            os.unlink(pidfile)
        except OSError as e:
            inv.warn(f"{pidfile}: {e.strerror}")
    return 0
