"""Program logs: syslog files (year inferred from the file's time), sulog, sudo's log,
Apache's access_log and error_log; and ``logwarden syslog grep`` over them."""

from __future__ import annotations

import gzip
import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from logwarden.syslog import proglogs

from support.reference import ours

UTC_ENV = {"TZ": "UTC"}


def write(path: Path, text: str, mtime: str | None = None) -> Path:
    path.write_bytes(text.encode())
    if mtime is not None:
        stamp = datetime.fromisoformat(mtime).timestamp()
        os.utime(path, (stamp, stamp))
    return path


SYSLOG = """\
Dec 30 23:59:01 mail qmail: 955436538.813320 new msg 18995
Dec 31 23:59:59 mail sshd[812]: Accepted password for alice from 10.0.0.5 port 50122 ssh2
Jan  1 00:00:01 mail CRON[901]: (root) CMD (run-parts /etc/cron.hourly)
Jan  2 08:15:00 mail su: pam_unix(su:session): session opened for user root by alice(uid=1000)
2026-01-02T08:16:00.123456+01:00 mail kernel: [ 12.5] eth0: link up
"""


@pytest.fixture
def syslog_file(tmp_path: Path) -> Path:
    return write(tmp_path / "messages", SYSLOG, "2026-01-05T12:00:00+00:00")


def test_syslog_year_inferred_across_new_year(
    syslog_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines before the New Year get the year before the file's modification year."""
    monkeypatch.setenv("TZ", "UTC")
    entries = list(proglogs.read(str(syslog_file)))
    assert [e.time.year for e in entries if e.time] == [2025, 2025, 2026, 2026, 2026]
    assert (entries[1].program, entries[1].pid, entries[1].host) == ("sshd", "812", "mail")
    assert entries[1].message.startswith("Accepted password for alice")
    assert entries[4].time is not None
    assert entries[4].time.utcoffset().total_seconds() == 3600


SULOG = "SU 12/31 23:58 + pts/0 alice-root\nSU 01/01 00:05 - pts/1 mallory-root\n"
SUDO = (
    "Jan  2 09:00:00 : alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ;\n"
    "    COMMAND=/usr/bin/apt-get install -y rsyslog\n"
    "Jan  2 09:01:00 : mallory : 3 incorrect password attempts ; TTY=pts/1 ;\n"
    "    PWD=/tmp ; USER=root ; COMMAND=/bin/bash\n"
    "Jan  2 09:02:00 2026 : bob : user NOT in sudoers ; TTY=pts/2 ; PWD=/ ; USER=root ; "
    "COMMAND=/bin/sh\n"
)
ACCESS = (
    '10.0.0.7 - frank [02/Jan/2026:10:00:00 +0100] "GET /index.html HTTP/1.1" 200 2326 '
    '"http://example.com/" "Mozilla/5.0"\n'
    '10.0.0.8 - - [02/Jan/2026:10:00:01 +0100] "POST /login HTTP/1.1" 401 -\n'
)
ERROR = (
    "[Fri Jan 02 10:00:02 2026] [error] [client 10.0.0.8] File does not exist: /var/www/x\n"
    "[Fri Jan 02 10:00:03.123456 2026] [core:error] [pid 1234:tid 5678] "
    "[client 10.0.0.8:4711] AH00126: Invalid URI in request\n"
)


def test_sulog_and_sudo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sulog's success and users; sudo's wrapped entries joined, failures kept as message."""
    monkeypatch.setenv("TZ", "UTC")
    su = list(proglogs.read(str(write(tmp_path / "sulog", SULOG, "2026-01-03T00:00:00"))))
    assert [e.kind for e in su] == ["sulog", "sulog"]
    assert [(e.user, e.fields["to_user"], e.fields["success"]) for e in su] == [
        ("alice", "root", True),
        ("mallory", "root", False),
    ]
    assert [e.time.year for e in su if e.time] == [2025, 2026]
    sudo = list(proglogs.read(str(write(tmp_path / "sudo.log", SUDO, "2026-01-03T00:00:00"))))
    assert [e.line for e in sudo] == [1, 3, 5]
    assert sudo[0].fields["command"] == "/usr/bin/apt-get install -y rsyslog"
    assert sudo[0].fields["runas"] == "root"
    assert sudo[1].message == "3 incorrect password attempts"
    assert sudo[2].user == "bob"
    assert sudo[2].message == "user NOT in sudoers"


def test_apache_logs(tmp_path: Path) -> None:
    """Combined and common access_log lines; error_log in 2.2 and 2.4 formats."""
    access = list(proglogs.read(str(write(tmp_path / "access_log", ACCESS))))
    assert access[0].kind == "access"
    assert access[0].fields["status"] == 200
    assert access[0].fields["agent"] == "Mozilla/5.0"
    assert access[0].user == "frank"
    assert access[0].time.isoformat() == "2026-01-02T10:00:00+01:00"
    assert access[1].fields["bytes"] == 0
    assert access[1].fields["referer"] is None
    errors = list(proglogs.read(str(write(tmp_path / "error_log", ERROR))))
    assert [e.fields["level"] for e in errors] == ["error", "error"]
    assert errors[1].fields["module"] == "core"
    assert errors[1].pid == "1234"
    assert errors[1].fields["client"] == "10.0.0.8:4711"
    assert errors[1].message == "AH00126: Invalid URI in request"


def test_detection(tmp_path: Path) -> None:
    """Each kind is recognised from its lines, gzip or not."""
    samples = {"syslog": SYSLOG, "sulog": SULOG, "sudo": SUDO, "access": ACCESS, "error": ERROR}
    for kind, text in samples.items():
        plain = write(tmp_path / kind, text)
        packed = tmp_path / f"{kind}.gz"
        packed.write_bytes(gzip.compress(plain.read_bytes()))
        assert {e.kind for e in proglogs.read(str(plain))} == {kind}
        assert {e.kind for e in proglogs.read(str(packed))} == {kind}


def test_grep_text_and_options(syslog_file: Path, tmp_path: Path) -> None:
    """Pattern, -i, -v, -c, -n, file names with several files; status 1 when nothing."""
    path = str(syslog_file)
    got = ours("syslog", ["grep", "-i", "ACCEPTED", path], env=UTC_ENV)
    assert got.stdout == SYSLOG.splitlines()[1].encode() + b"\n"
    assert ours("syslog", ["grep", "-c", "mail", path], env=UTC_ENV).stdout == b"5\n"
    got = ours("syslog", ["grep", "-n", "-v", "mail", path], env=UTC_ENV)
    assert got.status == 1
    assert got.stdout == b""
    other = write(tmp_path / "sulog", SULOG)
    got = ours("syslog", ["grep", "-F", "root", path, str(other)], env=UTC_ENV)
    assert got.stdout.count(f"{other}:".encode()) == 2
    assert ours("syslog", ["grep", "("], env=UTC_ENV).status == 2


def test_grep_filters_and_json(syslog_file: Path, tmp_path: Path) -> None:
    """--since/--until/--program/--user filter on parsed fields; --json has them all."""
    path = str(syslog_file)
    got = ours("syslog", ["grep", "--json", "--since", "2026-01-01", "--until", "2026-01-02 09:00",
                          "--program", "CRON", "", path], env=UTC_ENV)  # fmt: skip
    rows = [json.loads(line) for line in got.stdout.splitlines()]
    assert [(r["program"], r["pid"], r["time"]) for r in rows] == [
        ("CRON", "901", "2026-01-01T00:00:01+00:00")
    ]
    sudo = write(tmp_path / "sudo.log", SUDO, "2026-01-03T00:00:00")
    got = ours("syslog", ["grep", "--csv", "--user", "mallory", "", str(sudo)], env=UTC_ENV)
    assert got.stdout.splitlines()[0] == b"file,line,kind,time,host,program,pid,user,message"
    assert b"3 incorrect password attempts" in got.stdout
    got = ours("syslog", ["grep", "--year", "2020", "--json", "sshd", path], env=UTC_ENV)
    assert json.loads(got.stdout)["time"].startswith("2020-12-31")
