"""wtmp check: tampered copies of a realistic wtmp (and a lastlog), each finding and its offset.

The tamperings are the classic ones: a record zeroed as log wipers do, a record cut out, part
of a record cut out, two records swapped, the file truncated, a boot record removed, a type
edited, a lastlog time edited. A clean realistic file must yield nothing.
"""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.cli.main import run
from logwarden.connect.tamper import records as tamper
from logwarden.formats import utmp

from support.utmpbuild import (
    BOOT_TIME,
    DEAD_PROCESS,
    INIT_PROCESS,
    LOGIN_PROCESS,
    NEW_TIME,
    OLD_TIME,
    RUN_LVL,
    USER_PROCESS,
    Rec,
    at,
    pack,
)

T0 = at("2024-03-01 08:00")
DAY = 86400
KERNEL = b"6.1.0-18-amd64"
SIZE = 384


def boot(t: int) -> list[Rec]:
    """What a systemd boot appends: the boot record, the runlevel, a getty on tty1."""
    return [
        Rec(BOOT_TIME, t, b"reboot", b"~", KERNEL, id=b"~~"),
        Rec(RUN_LVL, t + 5, b"runlevel", b"~", KERNEL, pid=20021, id=b"~~"),
        Rec(INIT_PROCESS, t + 6, b"", b"tty1", pid=600, id=b"tty1"),
        Rec(LOGIN_PROCESS, t + 7, b"LOGIN", b"tty1", pid=600, id=b"tty1"),
    ]


def session(user: bytes, line: bytes, start: int, length: int, pid: int) -> list[Rec]:
    host = b"" if line.startswith(b"tty") else b"198.51.100.%d" % (pid % 200)
    tty_id = line[-4:] if line.startswith(b"tty") else b"ts/" + line[4:]
    return [
        Rec(USER_PROCESS, start, user, line, host, pid=pid, id=tty_id, addr=host.decode() or b""),
        Rec(DEAD_PROCESS, start + length, b"", line, pid=pid, id=tty_id),
    ]


def realistic() -> list[Rec]:
    """Three weeks of a small server: daily ssh sessions, a console login, two clean
    reboots, one crash (sessions left open, no shutdown), all in time order."""
    recs = boot(T0)
    pid = 1000
    for day in range(21):
        t = T0 + day * DAY
        if day in (7, 14):
            recs.append(Rec(RUN_LVL, t + 100, b"shutdown", b"~", KERNEL, id=b"~~"))
            recs += boot(t + 160)
        if day == 10:  # a crash: alice's session never ends, the next boot follows
            recs.append(Rec(USER_PROCESS, t + 100, b"alice", b"pts/3", b"h", pid=pid, id=b"ts/3"))
            recs += boot(t + 1000)
            pid += 1
        recs += session(b"alice", b"pts/0", t + 3600, 1800, pid)
        recs += session(b"bob", b"pts/1", t + 5400, 7200, pid + 1)
        if day % 5 == 0:
            recs += session(b"root", b"tty1", t + 9000, 600, pid + 2)
            recs.append(Rec(LOGIN_PROCESS, t + 9700, b"LOGIN", b"tty1", pid=pid + 3, id=b"tty1"))
        pid += 4
    # Appended as things happened: in time order (sessions overlap).
    return sorted(recs, key=lambda r: r.sec)


def check(args: list[str]) -> tuple[int, list[dict[str, object]], str]:
    """Run ``logwarden wtmp check --json ARGS`` in-process: status, rows, stderr."""
    out, err = io.BytesIO(), io.StringIO()
    status = run(["logwarden", "wtmp", "check", "--json", *args], out, err)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    return status, rows, err.getvalue()


def findings(rows: list[dict[str, object]]) -> list[tuple[str, int, str]]:
    """(kind, offset, severity) of the rows that are not information."""
    return [
        (str(r["kind"]), int(r["offset"]), str(r["severity"]))  # type: ignore[call-overload]
        for r in rows
        if r["severity"] != "info"
    ]


def write(tmp_path: Path, data: bytes, name: str = "wtmp") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def index_of(recs: list[Rec], kind: int, user: bytes = b"", line: bytes = b"", n: int = 0) -> int:
    """The index of the n-th record of ``kind`` (with that user/line when given)."""
    hits = [
        i
        for i, r in enumerate(recs)
        if r.type == kind and (not user or r.user == user) and (not line or r.line == line)
    ]
    return hits[n]


def test_clean_realistic_file_yields_nothing(tmp_path: Path) -> None:
    """A clean three-week wtmp with reboots and a crash: exit 0 and only the layout line."""
    path = write(tmp_path, pack(realistic()))
    status, rows, err = check([path])
    assert (status, err) == (0, "")
    assert [(r["kind"], r["severity"]) for r in rows] == [("layout", "info")]
    assert str(rows[0]["detail"]).startswith("384le: 100% of")


def test_text_report_and_summary(tmp_path: Path) -> None:
    """Text output: one line per finding with offset and record, then the summary."""
    data = bytearray(pack(realistic()))
    i = index_of(realistic(), USER_PROCESS, b"bob", n=3)
    data[i * SIZE : (i + 1) * SIZE] = bytes(SIZE)
    path = write(tmp_path, bytes(data))
    out, err = io.BytesIO(), io.StringIO()
    assert run(["logwarden", "wtmp", "check", path], out, err) == 1
    lines = out.getvalue().decode().splitlines()
    assert lines[0].startswith(f"{path}: offset 0: info: layout: 384le")
    assert lines[1].startswith(f"{path}: offset {i * SIZE} (record {i}): alert: zeroed: 1 record")
    assert lines[-1] == "wtmp check: 2 findings in 1 file (1 alert, 1 warning)"
    clean = write(tmp_path, pack(realistic()), "clean")
    out = io.BytesIO()
    assert run(["logwarden", "wtmp", "check", clean], out, err) == 0
    assert out.getvalue().decode().splitlines()[-1] == "wtmp check: no signs of tampering in 1 file"


def test_zeroed_login_like_a_wiper(tmp_path: Path) -> None:
    """A login overwritten with zeros: the zeroed run, and its logout left orphaned."""
    recs = realistic()
    i = index_of(recs, USER_PROCESS, b"alice", n=4)
    data = bytearray(pack(recs))
    data[i * SIZE : (i + 1) * SIZE] = bytes(SIZE)
    status, rows, _ = check([write(tmp_path, bytes(data))])
    assert status == 1
    assert findings(rows) == [
        ("zeroed", i * SIZE, "alert"),
        ("orphan-logout", logout_of(recs, recs[i]) * SIZE, "warning"),
    ]


def test_zeroed_run_is_one_finding(tmp_path: Path) -> None:
    """A whole session zeroed (login and logout): one run of two records."""
    recs = realistic()
    i = index_of(recs, USER_PROCESS, b"bob", n=2)
    data = bytearray(pack(recs))
    data[i * SIZE : (i + 2) * SIZE] = bytes(2 * SIZE)
    _status, rows, _ = check([write(tmp_path, bytes(data))])
    assert findings(rows) == [("zeroed", i * SIZE, "alert")]
    assert "2 records of zero bytes" in str(rows[1]["detail"])


def logout_of(recs: list[Rec], login: Rec) -> int:
    """The index of the logout that ends ``login`` (same line and pid)."""
    return next(
        k
        for k, r in enumerate(recs)
        if r.type == DEAD_PROCESS and r.line == login.line and r.pid == login.pid
    )


def test_login_record_cut_out(tmp_path: Path) -> None:
    """A whole login record removed: alignment holds, its logout has no login."""
    recs = realistic()
    i = index_of(recs, USER_PROCESS, b"bob", n=5)
    login = recs.pop(i)
    status, rows, _ = check([write(tmp_path, pack(recs))])
    assert status == 1
    assert findings(rows) == [("orphan-logout", logout_of(recs, login) * SIZE, "warning")]


def test_part_of_a_record_cut_out(tmp_path: Path) -> None:
    """100 bytes cut from inside a record shift everything after: damaged run, partial end."""
    recs = realistic()
    data = pack(recs)
    cut_at = 40 * SIZE + 50
    tampered = data[:cut_at] + data[cut_at + 100 :]
    _status, rows, _ = check([write(tmp_path, tampered)])
    got = findings(rows)
    # The record the cut falls in keeps its head and still reads as one; damage shows
    # from the next record on, every record after the cut being shifted by 100 bytes.
    assert got[0] == ("damaged", 41 * SIZE, "warning")
    assert got[-1] == ("partial", (len(tampered) // SIZE) * SIZE, "warning")
    assert "284 bytes at the end" in str(rows[-1]["detail"])


def test_records_swapped(tmp_path: Path) -> None:
    """Two sessions' logins swapped: time goes back at the later-placed one."""
    recs = realistic()
    a = index_of(recs, USER_PROCESS, b"alice", n=2)
    b = index_of(recs, USER_PROCESS, b"alice", n=3)
    recs[a], recs[b] = recs[b], recs[a]
    _status, rows, _ = check([write(tmp_path, pack(recs))])
    kinds = findings(rows)
    assert ("time-order", (a + 1) * SIZE, "warning") in kinds
    detail = next(r["detail"] for r in rows if r["kind"] == "time-order")
    assert "23h 30m before the record" in str(detail)


def test_truncated_file(tmp_path: Path) -> None:
    """The last record cut short: a partial record at the last whole record's end."""
    data = pack(realistic())
    status, rows, _ = check([write(tmp_path, data[:-50])])
    n = len(data) // SIZE - 1
    assert findings(rows) == [("partial", n * SIZE, "warning")]
    assert status == 1


def test_boot_record_removed_after_shutdown(tmp_path: Path) -> None:
    """A shutdown, then logins with no boot between: the boot record was removed."""
    recs = realistic()
    i = index_of(recs, BOOT_TIME, n=1)
    del recs[i]
    _status, rows, _ = check([write(tmp_path, pack(recs))])
    first_login = next(
        k for k in range(i, len(recs)) if recs[k].type == USER_PROCESS and recs[k].user
    )
    assert findings(rows) == [("no-boot", first_login * SIZE, "alert")]


def test_logins_before_first_boot_are_information(tmp_path: Path) -> None:
    """A rotated wtmp begins mid-uptime: said, but not counted as a finding."""
    recs = realistic()
    start = index_of(recs, USER_PROCESS, b"alice", n=0)
    status, rows, _ = check([write(tmp_path, pack(recs[start:]))])
    assert status == 0
    assert [(r["kind"], r["offset"], r["severity"]) for r in rows[1:]] == [("no-boot", 0, "info")]


def test_type_edited_to_empty(tmp_path: Path) -> None:
    """A login whose type was set to EMPTY: the edited record, and the orphaned logout."""
    recs = realistic()
    i = index_of(recs, USER_PROCESS, b"bob", n=8)
    recs[i].type = 0
    _status, rows, _ = check([write(tmp_path, pack(recs))])
    got = findings(rows)
    assert got[0] == ("damaged", i * SIZE, "warning")
    assert "EMPTY (type 0) record that still holds data (user 'bob'" in str(rows[1]["detail"])
    assert got[1][0] == "orphan-logout"


def test_damaged_type(tmp_path: Path) -> None:
    """A type no writer uses (99) is a damaged record."""
    recs = realistic()
    data = bytearray(pack(recs))
    i = index_of(recs, RUN_LVL, b"runlevel", n=1)
    data[i * SIZE : i * SIZE + 2] = struct.pack("<h", 99)
    _status, rows, _ = check([write(tmp_path, bytes(data))])
    assert findings(rows) == [("damaged", i * SIZE, "warning")]
    assert "type 99" in str(rows[1]["detail"])


def test_clock_change_pair_is_legitimate(tmp_path: Path) -> None:
    """OLD_TIME then NEW_TIME an hour earlier: a clock change, not tampering; a NEW_TIME
    alone going back is reported."""
    recs = realistic()
    at_i = index_of(recs, USER_PROCESS, b"bob", n=1) + 2
    t = recs[at_i - 1].sec + 10
    pair = [Rec(OLD_TIME, t, b"date", b"|"), Rec(NEW_TIME, t - 3600, b"date", b"{")]
    shifted = [Rec(r.type, r.sec - 3600, r.user, r.line, r.host, r.pid, r.id) for r in recs[at_i:]]
    good = recs[:at_i] + pair + shifted
    status, rows, _ = check([write(tmp_path, pack(good))])
    assert status == 0
    lone = [*recs[:at_i], pair[1], *shifted]
    _status, rows, _ = check([write(tmp_path, pack(lone), "lone")])
    assert findings(rows) == [("time-order", at_i * SIZE, "warning")]


def test_btmp_and_utmp_kinds(tmp_path: Path) -> None:
    """btmp: failed logins only, so no session checks; utmp: no time order at all."""
    fails = [
        Rec(LOGIN_PROCESS, T0 + k * 7, b"admin", b"ssh:notty", b"203.0.113.9") for k in range(50)
    ]
    fails[10], fails[30] = fails[30], fails[10]
    _status, rows, _ = check([write(tmp_path, pack(fails), "btmp")])
    assert findings(rows) == [
        ("time-order", 11 * SIZE, "warning"),
        ("time-order", 30 * SIZE, "warning"),
    ]
    status, rows, _ = check([write(tmp_path, pack(fails), "utmp")])
    assert status == 0
    status, rows, _ = check(["--kind", "utmp", write(tmp_path, pack(fails), "anything")])
    assert status == 0


def test_other_layout_offsets(tmp_path: Path) -> None:
    """A 400-byte big-endian wtmp is detected and its offsets are in its own records."""
    recs = realistic()
    i = index_of(recs, USER_PROCESS, b"alice", n=4)
    data = bytearray(pack(recs, "400", ">"))
    data[i * 400 : (i + 1) * 400] = bytes(400)
    _status, rows, _ = check([write(tmp_path, bytes(data))])
    assert str(rows[0]["detail"]).startswith("400be")
    assert findings(rows)[0] == ("zeroed", i * 400, "alert")


def pack_lastlog(entries: dict[int, tuple[int, bytes, bytes]]) -> bytes:
    out = bytearray((max(entries) + 1) * 292)
    for uid, (t, line, host) in entries.items():
        out[uid * 292 : (uid + 1) * 292] = struct.pack("<i32s256s", t, line, host)
    return bytes(out)


PASSWD = "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/h:/bin/sh\nbob:x:1001:1001::/h:/bin/sh\n"


def last_login(recs: list[Rec], user: bytes) -> Rec:
    return [r for r in recs if r.type == USER_PROCESS and r.user == user][-1]


def test_lastlog_agrees_with_wtmp(tmp_path: Path) -> None:
    """Each lastlog entry matches its user's newest wtmp login: nothing found."""
    recs = realistic()
    entries = {
        uid: (last_login(recs, name).sec, last_login(recs, name).line, last_login(recs, name).host)
        for uid, name in ((0, b"root"), (1000, b"alice"), (1001, b"bob"))
    }
    passwd = tmp_path / "passwd"
    passwd.write_text(PASSWD)
    wtmp = write(tmp_path, pack(recs))
    lastlog = write(tmp_path, pack_lastlog(entries), "lastlog")
    status, rows, _ = check(["--lastlog", lastlog, "--passwd", str(passwd), wtmp])
    assert status == 0
    assert [r["file"] for r in rows] == [wtmp, lastlog]


def test_lastlog_newer_than_wtmp(tmp_path: Path) -> None:
    """bob's wtmp logins wiped after a date, lastlog forgotten: found at uid * 292; an entry
    older than the wtmp is not compared."""
    recs = realistic()
    cut = T0 + 15 * DAY
    wiped = {r.pid for r in recs if r.user == b"bob" and r.sec > cut}
    kept = [r for r in recs if r.pid not in wiped]
    bob = last_login(recs, b"bob")
    entries = {
        0: (T0 - 30 * DAY, b"tty1", b""),
        1001: (bob.sec, bob.line, bob.host),
    }
    passwd = tmp_path / "passwd"
    passwd.write_text(PASSWD)
    lastlog = write(tmp_path, pack_lastlog(entries), "lastlog")
    status, rows, _ = check(
        ["--lastlog", lastlog, "--passwd", str(passwd), write(tmp_path, pack(kept))]
    )
    assert status == 1
    assert findings(rows) == [("lastlog-newer", 1001 * 292, "alert")]
    assert rows[-1]["record"] == 1001
    assert "bob (uid 1001)" in str(rows[-1]["detail"])


def test_lastlog_only_with_a_wtmp(tmp_path: Path) -> None:
    """Given only a btmp, the lastlog is read but not compared, and that is said."""
    passwd = tmp_path / "passwd"
    passwd.write_text(PASSWD)
    lastlog = write(tmp_path, pack_lastlog({1000: (T0, b"pts/0", b"h")}), "lastlog")
    btmp = write(tmp_path, pack([Rec(LOGIN_PROCESS, T0, b"x", b"ssh:notty")]), "btmp")
    status, rows, _ = check(["--lastlog", lastlog, "--passwd", str(passwd), btmp])
    assert status == 0
    assert rows[-1]["kind"] == "lastlog-newer"
    assert rows[-1]["severity"] == "info"


def test_unreadable_files(tmp_path: Path) -> None:
    """Missing, SQLite and noise files: exit 2, one line each, the rest still checked."""
    sqlite = write(tmp_path, b"SQLite format 3\0" + bytes(1000), "wtmp.db")
    noise = write(tmp_path, bytes(range(1, 256)) * 40, "noise")
    good = write(tmp_path, pack(realistic()))
    status, rows, err = check([str(tmp_path / "missing"), sqlite, noise, good])
    assert status == 2
    lines = err.splitlines()
    assert lines[0] == f"wtmp: {tmp_path / 'missing'}: No such file or directory"
    assert "SQLite database" in lines[1]
    assert "not a utmp/wtmp/btmp file" in lines[2]
    assert [r["file"] for r in rows] == [good]


def test_csv_rows(tmp_path: Path) -> None:
    """--csv: a header and one row per finding, the same columns as --json."""
    data = pack(realistic())[:-10]
    path = write(tmp_path, data)
    out, err = io.BytesIO(), io.StringIO()
    assert run(["logwarden", "wtmp", "check", "--csv", path], out, err) == 1
    lines = out.getvalue().decode().splitlines()
    assert lines[0] == "file,offset,record,kind,severity,detail"
    assert lines[2].startswith(
        f"{path},{(len(data) // SIZE) * SIZE},{len(data) // SIZE},partial,warning,"
    )


@pytest.mark.parametrize(
    "args",
    [[], ["check"], ["verify", "x"], ["check", "--kind", "nope", "x"], ["check", "--bogus"]],
)
def test_usage(args: list[str]) -> None:
    """A wrong command line: a message on stderr and status 2."""
    out, err = io.BytesIO(), io.StringIO()
    assert run(["logwarden", "wtmp", *args], out, err) == 2
    assert err.getvalue()
    assert out.getvalue() == b""


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=384 * 6), st.sampled_from(["wtmp", "btmp", "utmp"]))
def test_fuzz_any_bytes_are_checked_without_crashing(data: bytes, kind: str) -> None:
    """Any bytes read as 384-byte records: findings, never an exception."""
    records = utmp.records_of(data, utmp.LAYOUTS["384le"])
    found = tamper.check_records("f", records, kind=kind, trailing=len(data) % 384)
    assert all(f.offset <= len(data) for f in found)
    assert tamper.time_span(records) is None or len(records) > 0


def test_lastlog_time_edited(tmp_path: Path) -> None:
    """alice's lastlog time moved two days past her newest wtmp login: found at uid * 292."""
    recs = realistic()
    alice = last_login(recs, b"alice")
    entries = {1000: (alice.sec + 2 * DAY, alice.line, alice.host)}
    passwd = tmp_path / "passwd"
    passwd.write_text(PASSWD)
    lastlog = write(tmp_path, pack_lastlog(entries), "lastlog")
    status, rows, _ = check(
        ["--lastlog", lastlog, "--passwd", str(passwd), write(tmp_path, pack(recs))]
    )
    assert status == 1
    assert findings(rows) == [("lastlog-newer", 1000 * 292, "alert")]
    assert "the newest wtmp login is 2d older" in str(rows[-1]["detail"])
