"""logwarden syslogd's own behaviour: repeated messages (against rsyslog), forwarding
(against rsyslog's bytes), SIGHUP reopening, sender allow-lists, TLS with client
certificates, privilege dropping, the size limit and a shutdown that loses nothing."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from .harness import (
    free_port,
    logger_lines,
    logwarden_syslogd,
    rsyslogd,
    send_datagrams,
    skip_without_rsyslog,
)
from .listeners import DatagramListener, StreamListener
from support.reference import BASE_ENV, is_root, need

STAMP = 16
REPEATS = [b"same message"] * 5 + [b"different message", b"twice", b"twice", b"after twice"]


def cut(data: bytes) -> list[bytes]:
    return [line[STAMP:] for line in data.splitlines()]


@pytest.mark.reference
def test_repeated_message_reduction_matches_rsyslog(tmp_path: Path) -> None:
    """$RepeatedMsgReduction on: the same lines as rsyslog (4 repeats, 1 repeat)."""
    skip_without_rsyslog()
    body = "$RepeatedMsgReduction on\n$ActionFileDefaultTemplate RSYSLOG_TraditionalFileFormat\n"
    body += "*.*\tOUT/rep\n"
    results = []
    for name, start in (("rs", rsyslogd), ("lw", logwarden_syslogd)):
        base = tmp_path / name
        with start(base, body.replace("OUT", str(base / "out"))) as daemon:  # type: ignore[operator]
            logger_lines(daemon.socket, REPEATS, "-t", "rep")
            daemon.wait_for(5)
        results.append(cut((daemon.out / "rep").read_bytes()))
    assert results[1] == results[0]
    assert results[0][1].endswith(b"rep: message repeated 4 times: [ same message]")


@pytest.mark.reference
def test_forwarding_matches_rsyslog(tmp_path: Path) -> None:
    """@host:port sends the traditional forward format in one datagram each; @@ adds LF."""
    skip_without_rsyslog()
    texts = [(13, b"plain"), (131, b"esc\x1b"), (14, b"t" * 40 + b": long tag")]
    sent = [b"<%d>fwd m%dx %s" % (pri, i, text) for i, (pri, text) in enumerate(texts)]
    got = {}
    for name, start in (("rs", rsyslogd), ("lw", logwarden_syslogd)):
        udp, tcp = DatagramListener(), StreamListener()
        base = tmp_path / name
        rules = f"*.*\t@127.0.0.1:{udp.address}\n*.*\t@@127.0.0.1:{tcp.port}\n"
        with start(base, rules) as daemon:  # type: ignore[operator]
            logger_lines(daemon.socket, sent, "--prio-prefix", "-t", "tag")
            daemon.wait_for(len(sent))
            deadline = time.monotonic() + 10
            datagrams: list[bytes] = []
            while len(datagrams) < len(sent) and time.monotonic() < deadline:
                datagrams += udp.drain()
                time.sleep(0.02)
        stream = tcp.take()[0]
        udp.close()
        tcp.close()
        stamp = re.compile(rb"^(<[^>]+>)[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ", re.MULTILINE)
        got[name] = (
            [stamp.sub(rb"\1STAMP ", d) for d in datagrams],
            stamp.sub(rb"\1STAMP ", stream),
        )
    assert got["lw"] == got["rs"]
    assert got["rs"][1].count(b"\n") == len(sent)


def test_sighup_reopens_files_after_rotation(tmp_path: Path) -> None:
    """After the log is renamed and HUP is sent, new lines go to a new file of the old name."""
    current = tmp_path / "out" / "messages"
    with logwarden_syslogd(tmp_path, f"*.*\t{current}\n") as daemon:
        send_datagrams(daemon.socket, [b"<13>a: before"])
        daemon.wait_for(1)
        # The catch-all file and this one are written one after the other: wait for both.
        deadline = time.monotonic() + 10
        while b"before" not in (current.read_bytes() if current.exists() else b""):
            assert time.monotonic() < deadline, "the first message never reached the file"
            time.sleep(0.02)
        os.rename(current, tmp_path / "rotated")
        daemon.process.send_signal(signal.SIGHUP)
        sent = 1
        deadline = time.monotonic() + 10
        while not current.exists() and time.monotonic() < deadline:
            send_datagrams(daemon.socket, [b"<13>a: probe"])
            sent += 1
            daemon.wait_for(sent)
            time.sleep(0.05)
        send_datagrams(daemon.socket, [b"<13>a: after"])
        daemon.wait_for(sent + 1)
    assert cut((tmp_path / "rotated").read_bytes())[0].endswith(b"a: before")
    assert cut(current.read_bytes())[-1].endswith(b"a: after")
    assert b"before" not in current.read_bytes()


def test_allowed_senders(tmp_path: Path) -> None:
    """UDP from an address not on the list is not logged; TCP from it is refused."""
    udp, tcp = free_port(), free_port(socket.SOCK_STREAM)
    args = ["--udp", f"127.0.0.1:{udp}", "--tcp", f"127.0.0.1:{tcp}", "--allow-sender",
            "10.0.0.0/8"]  # fmt: skip
    with logwarden_syslogd(tmp_path, "", args) as daemon:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(b"<13>udp: refused", ("127.0.0.1", udp))
        with socket.create_connection(("127.0.0.1", tcp)) as c:
            c.sendall(b"<13>tcp: refused\n")
            c.settimeout(5)
            # Closed by the daemon; with the message unread, the close is a reset.
            with contextlib.suppress(ConnectionResetError):
                assert c.recv(10) == b""
        send_datagrams(daemon.socket, [b"<13>local: always allowed"])
        daemon.wait_for(1)
        time.sleep(0.2)
        daemon.stop()
    assert cut((daemon.out / "ALL").read_bytes()) == [
        socket.gethostname().split(".")[0].encode() + b" local: always allowed"
    ]
    assert b"refused (not allowed)" in (tmp_path / "stderr").read_bytes()


def test_max_size_truncates(tmp_path: Path) -> None:
    """--max-size keeps that many bytes of a datagram and of a TCP frame."""
    tcp = free_port(socket.SOCK_STREAM)
    with logwarden_syslogd(tmp_path, "", ["--max-size", "40", "--tcp", f"127.0.0.1:{tcp}"]) as lw:
        send_datagrams(lw.socket, [b"<13>big: " + b"a" * 100])
        lw.wait_for(1)  # two inputs, two threads: no order between them unless waited for
        with socket.create_connection(("127.0.0.1", tcp)) as c:
            c.sendall(b"200 <13>big2: " + b"b" * 190 + b"<13>after: ok\n")
        lw.wait_for(3)
    got = cut((lw.out / "ALL").read_bytes())
    assert got[0].endswith(b"big: " + b"a" * (40 - 9))
    assert got[1].endswith(b"big2: " + b"b" * (40 - 10))
    assert got[2].endswith(b"after: ok")


def test_shutdown_writes_everything_accepted(tmp_path: Path) -> None:
    """TERM right after a burst: every datagram the kernel took is in the synced file."""
    with logwarden_syslogd(tmp_path, f"*.*\t{tmp_path}/out/synced\n") as daemon:
        send_datagrams(daemon.socket, [b"<13>burst: n%d" % i for i in range(3000)])
        assert daemon.stop() == 0
    assert len((tmp_path / "out" / "synced").read_bytes().splitlines()) == 3000


def _openssl(*args: str) -> None:
    subprocess.run([need("openssl"), *args], check=True, capture_output=True, env=BASE_ENV)


def _make_pki(d: Path) -> None:
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
             "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"))  # fmt: skip
    for name in ("server", "client1", "client2"):
        subject = "/CN=localhost" if name == "server" else f"/CN={name}"
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject,
                 "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.csr"))  # fmt: skip
        _openssl("x509", "-req", "-in", str(d / f"{name}.csr"), "-CA", str(d / "ca.pem"),
                 "-CAkey", str(d / "ca.key"), "-CAcreateserial", "-days", "2",
                 "-out", str(d / f"{name}.pem"))  # fmt: skip


def _tls_send(port: int, pki: Path, client: str | None, data: bytes) -> bool:
    context = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    if client is not None:
        context.load_cert_chain(str(pki / f"{client}.pem"), str(pki / f"{client}.key"))
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="localhost") as conn,
        ):
            conn.sendall(data)
            conn.settimeout(2)
            try:
                return conn.recv(1) == b""
            except TimeoutError:
                return True
    except (ssl.SSLError, OSError):
        return False


def test_tls_with_client_certificate_allow_list(tmp_path: Path) -> None:
    """RFC 5425: octet-counted messages over TLS; only listed client certificates get in."""
    pki = tmp_path / "pki"
    pki.mkdir()
    _make_pki(pki)
    port = free_port(socket.SOCK_STREAM)
    args = [
        "--tls", f"127.0.0.1:{port}", "--cert", str(pki / "server.pem"),
        "--key", str(pki / "server.key"), "--client-ca", str(pki / "ca.pem"),
        "--allow", "CN=client1",
    ]  # fmt: skip
    with logwarden_syslogd(tmp_path, "", args) as daemon:
        message = b"<13>1 - - tlsapp - - - over tls"
        _tls_send(port, pki, "client1", b"%d %s" % (len(message), message))
        _tls_send(port, pki, "client2", b"14 <13>no: entry")
        _tls_send(port, pki, None, b"14 <13>no: entry")
        daemon.wait_for(1)
        time.sleep(0.3)
        daemon.stop()
    got = cut((daemon.out / "ALL").read_bytes())
    assert len(got) == 1
    assert got[0].endswith(b"tlsapp over tls")
    errors = (tmp_path / "stderr").read_bytes()
    assert b"CN=client2 is not allowed" in errors
    assert b"TLS handshake" in errors


@pytest.mark.skipif(not is_root(), reason="dropping privileges needs root")
def test_privileges_dropped_after_binding(tmp_path: Path) -> None:
    """-u nobody: sockets bound and files opened as root, then the process runs as nobody."""
    tmp_path.chmod(0o755)
    with logwarden_syslogd(tmp_path, f"*.*\t{tmp_path}/out/f\n", ["-u", "nobody"]) as daemon:
        send_datagrams(daemon.socket, [b"<13>priv: dropped"])
        daemon.wait_for(1)
        status = Path(f"/proc/{daemon.process.pid}/status").read_text()
        uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        assert uid_line.split()[1:] == [str(__import__("pwd").getpwnam("nobody").pw_uid)] * 4
        send_datagrams(daemon.socket, [b"<13>priv: still writing"])
        daemon.wait_for(2)
    assert len((tmp_path / "out" / "f").read_bytes().splitlines()) == 2


def test_user_and_wall_actions_write_to_terminals(tmp_path: Path) -> None:
    """``*.emerg alice`` and ``*.alert *`` reach the terminals utmp lists for them."""
    from support.utmpbuild import USER_PROCESS, Rec, pack

    master, slave = os.openpty()
    try:
        line = os.ttyname(slave).removeprefix("/dev/").encode()
        utmp = tmp_path / "utmp"
        utmp.write_bytes(
            pack([Rec(USER_PROCESS, int(time.time()), b"alice", line, b"", pid=os.getpid())])
        )
        rules = "*.emerg\talice\nlocal0.alert\t*\nlocal1.*\tbob\n"
        with logwarden_syslogd(tmp_path, rules, ["--utmp", str(utmp)]) as daemon:
            send_datagrams(
                daemon.socket,
                [
                    b"<0>Nov 25 01:02:03 kernel: panic now",
                    b"<129>Nov 25 01:02:03 app: to all",
                    b"<142>Nov 25 01:02:03 app: only bob",
                ],
            )
            daemon.wait_for(3)
            time.sleep(0.3)
        os.set_blocking(master, False)
        seen = b""
        with contextlib.suppress(BlockingIOError):
            seen = os.read(master, 65536)
    finally:
        os.close(master)
        os.close(slave)
    assert b"Message from syslogd@" in seen
    assert b"kernel: panic now" in seen
    assert b"app: to all" in seen
    assert b"only bob" not in seen


def test_configuration_errors_are_reported_and_the_rest_used(tmp_path: Path) -> None:
    """A bad line is named by file, line and column on stderr; the good rules still work."""
    rules = f"mail.bogus\t{tmp_path}/out/bad\nuser.*\t{tmp_path}/out/good\n"
    with logwarden_syslogd(tmp_path, rules) as daemon:
        send_datagrams(daemon.socket, [b"<13>app: fine"])
        daemon.wait_for(1)
    conf = tmp_path / "syslog.conf"
    assert (
        f'{conf}:2:6: error: unknown priority name "bogus"'.encode()
        in (tmp_path / "stderr").read_bytes()
    )
    assert (tmp_path / "out" / "good").read_bytes().endswith(b"app: fine\n")
