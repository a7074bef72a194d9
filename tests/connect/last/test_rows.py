"""last --json/--csv and --passwd: logwarden's additions, asserted explicitly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from connect.last.histories import (
    KERNEL,
    NOW,
    boot,
    login,
    logout,
    rich_history,
    shutdown,
)

from support.reference import ours, reference
from support.utmpbuild import NEW_TIME, OLD_TIME, Rec, at, pack

T0 = at("2024-03-20 08:00")


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Every status once: normal, down, crash, still running, still on, gone, clock change."""
    recs = [
        *boot(T0),
        login(T0 + 60, b"alice", b"pts/0", b"192.0.2.1", addr="192.0.2.1"),
        logout(T0 + 3660, b"pts/0"),
        login(T0 + 120, b"bob", b"pts/1", b"h" * 40),
        *shutdown(T0 + 7200),
        *boot(T0 + 7300),
        login(T0 + 7400, b"carol", b"pts/2", b"2001:db8::1", addr="2001:db8::1"),
        Rec(OLD_TIME, T0 + 7500, b"date", b"|"),
        Rec(NEW_TIME, T0 + 7400, b"date", b"{"),
        *boot(T0 + 9000),
        login(T0 + 9100, b"dave", b"pts/0"),
        login(T0 + 9200, b"erin", b"tty1"),
    ]
    path = tmp_path / "wtmp"
    path.write_bytes(pack(recs))
    return path


@pytest.fixture
def passwd(tmp_path: Path) -> Path:
    """The other host's passwd: dave exists there, erin does not."""
    path = tmp_path / "passwd"
    path.write_text("root:x:0:0:root:/root:/bin/sh\ndave:x:1000:1000::/home/dave:/bin/sh\n")
    return path


def _json_rows(args: list[str]) -> list[dict[str, object]]:
    got = ours("last", args, at=NOW, env={"TZ": "Europe/Paris"})
    assert got.status == 0, got.stderr
    return [json.loads(line) for line in got.stdout.splitlines()]


def test_json_rows(small: Path, passwd: Path) -> None:
    """One object per printed line with ISO times in the local offset and a status."""
    rows = _json_rows(["--json", "-x", "--passwd", str(passwd), "-f", str(small)])
    by_user = {(row["user"], row["tty"]): row for row in rows}
    assert list(rows[0]) == ["user", "tty", "host", "login", "logout", "status", "duration"]
    assert by_user[("erin", "tty1")]["status"] == "gone"
    assert by_user[("dave", "pts/0")] == {
        "user": "dave",
        "tty": "pts/0",
        "host": "",
        "login": "2024-03-20T11:31:40+01:00",
        "logout": None,
        "status": "still-logged-in",
        "duration": None,
    }
    assert by_user[("carol", "pts/2")]["status"] == "crash"
    assert by_user[("carol", "pts/2")]["duration"] == 1600
    assert by_user[("carol", "pts/2")]["logout"] == "2024-03-20T11:30:00+01:00"
    assert by_user[("bob", "pts/1")]["status"] == "down"
    assert by_user[("bob", "pts/1")]["host"] == "h" * 40
    assert by_user[("alice", "pts/0")] == {
        "user": "alice",
        "tty": "pts/0",
        "host": "192.0.2.1",
        "login": "2024-03-20T09:01:00+01:00",
        "logout": "2024-03-20T10:01:00+01:00",
        "status": "normal",
        "duration": 3600,
    }
    # util-linux 2.38 ends a boot at the next shutdown, or "now": a crashed boot runs on.
    assert [row["status"] for row in rows if row["tty"] == "system boot"] == [
        "still-running",
        "still-running",
        "normal",
    ]
    assert {row["status"] for row in rows if row["user"] == "date"} == {"time-change"}
    assert "(to lvl 0)" in [row["tty"] for row in rows if row["user"] == "runlevel"]


def test_json_follows_the_selection(small: Path) -> None:
    """-n, names and --since select the same lines as the text shows; -i gives addresses."""
    text = ours("last", ["-n", "3", "-i", "-f", str(small)], at=NOW).stdout.splitlines()
    rows = _json_rows(["--json", "-n", "3", "-i", "-f", str(small)])
    assert len(rows) == 3
    assert [row["user"] for row in rows] == [line.split()[0].decode() for line in text[:3]]
    assert _json_rows(["--json", "-i", "carol", "-f", str(small)])[0]["host"] == "2001:db8::1"
    assert [r["user"] for r in _json_rows(["--json", "alice", "-f", str(small)])] == ["alice"]


def test_csv(small: Path) -> None:
    """--csv: a header and the same rows; nulls are empty cells."""
    got = ours("last", ["--csv", "-f", str(small)], at=NOW)
    assert got.status == 0
    rows = list(csv.DictReader(io.StringIO(got.stdout.decode())))
    assert list(rows[0]) == ["user", "tty", "host", "login", "logout", "status", "duration"]
    assert rows[0]["user"] == "erin"
    assert rows[0]["logout"] == ""
    assert len(rows) == len(_json_rows(["--json", "-f", str(small)]))


def test_lastb_rows(tmp_path: Path) -> None:
    """lastb --json: failed attempts, without logout or duration."""
    path = tmp_path / "btmp"
    path.write_bytes(pack([Rec(6, T0, b"admin", b"ssh:notty", b"203.0.113.9")]))
    got = ours("lastb", ["--json", "-f", str(path)], at=NOW)
    assert json.loads(got.stdout) == {
        "user": "admin",
        "tty": "ssh:notty",
        "host": "203.0.113.9",
        "login": "2024-03-20T08:00:00+00:00",
        "logout": None,
        "status": "failed",
        "duration": None,
    }


def test_json_escapes_nothing_and_keeps_bytes(tmp_path: Path) -> None:
    """Control characters stay characters in JSON; invalid UTF-8 shows as \\xNN."""
    path = tmp_path / "wtmp"
    recs = [*boot(T0), login(T0 + 60, b"a\x1bb", b"pts/0", b"caf\xc3\xa9\xff")]
    recs += [login(T0 + 100 + i, b"u", b"pts/%d" % (i + 1)) for i in range(5)]
    path.write_bytes(pack(recs))
    rows = _json_rows(["--json", "-f", str(path)])
    odd = next(row for row in rows if row["tty"] == "pts/0")
    assert odd["user"] == "a\x1bb"
    assert odd["host"] == "café\\xff"


def test_passwd_decides_open_sessions(small: Path, passwd: Path) -> None:
    """--passwd: no boot-time, /proc or /dev checks: the user exists there or is gone."""
    got = ours("last", ["--passwd", str(passwd), "-n", "3", "-f", str(small)], at=NOW)
    assert got.stdout.splitlines()[:3] == [
        b"erin     tty1                          Wed Mar 20 10:33    gone - no logout",
        b"dave     pts/0                         Wed Mar 20 10:31   still logged in",
        b"reboot   system boot  " + KERNEL + b"   Wed Mar 20 10:30   still running",
    ]


def test_passwd_keeps_the_rest_identical(tmp_path: Path) -> None:
    """Everything but the open sessions prints as util-linux prints it."""
    passwd = tmp_path / "passwd"
    passwd.write_text("deploy:x:1001:1001::/home/deploy:/bin/sh\n")
    path = tmp_path / "wtmp"
    path.write_bytes(pack(rich_history()))
    ref = reference("last", ["-x", "-f", str(path)], at=NOW)
    got = ours("last", ["--passwd", str(passwd), "-x", "-f", str(path)], at=NOW)
    differ = [
        (a, b)
        for a, b in zip(ref.stdout.splitlines(), got.stdout.splitlines(), strict=True)
        if a != b
    ]
    assert differ
    assert all(b"no logout" in a or b"logged in" in a for a, _ in differ)


def test_passwd_missing(small: Path, tmp_path: Path) -> None:
    """A --passwd file that cannot be read: one line naming it, status 1."""
    got = ours("last", ["--passwd", str(tmp_path / "nope"), "-f", str(small)], at=NOW)
    assert got.status == 1
    assert got.stdout == b""
    assert got.stderr == f"last: {tmp_path / 'nope'}: No such file or directory\n".encode()


def test_json_and_csv_exclude_each_other(small: Path) -> None:
    """--json with --csv is a usage error."""
    got = ours("last", ["--json", "--csv", "-f", str(small)], at=NOW)
    assert got.status == 1
    assert got.stderr == b"last: --json and --csv cannot be combined\n"


def test_csv_over_several_files(small: Path, tmp_path: Path) -> None:
    """-f twice with --csv: one header, then the rows of each file in turn."""
    other = tmp_path / "wtmp.1"
    other.write_bytes(pack([*boot(T0 - 86400), login(T0 - 86000, b"zed", b"pts/4")]))
    got = ours("last", ["--csv", "-f", str(small), "-f", str(other)], at=NOW)
    lines = got.stdout.decode().splitlines()
    assert lines[0] == "user,tty,host,login,logout,status,duration"
    assert lines.count(lines[0]) == 1
    assert lines[-2].startswith("zed,pts/4,,")
