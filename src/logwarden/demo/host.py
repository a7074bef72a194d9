"""A sample mail host's logs: three weeks of wtmp, a btmp with a password-guessing burst, the
current utmp, passwd and group; with an intrusion in the middle and its traces half wiped.

The story, which the demo then reads back:

- The host boots 21 days ago, crashes (a boot with no shutdown before it) 12 days ago, and is
  shut down cleanly for a kernel upgrade 6 days ago.
- alice (the admin) and bob work on weekdays over ssh; carol comes in over IPv6 now and then;
  dave works evenings from a DSL line, sometimes past midnight; root logs in on the console.
- Three nights ago, 203.0.113.66 guesses passwords over ssh for ten minutes (btmp), gets in
  as ``backup`` and stays half an hour. The intruder then zeroes the two wtmp records of that
  session, as classic log wipers do; lastlog still remembers the login.
- alice is logged in now.

Everything is generated from a seed, relative to a given "now", so the demo is always recent
and always the same story.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from logwarden.demo.commands import Lived, pacct
from logwarden.formats import lastlog, utmp

DAY = 86400
KERNEL_OLD = b"6.1.0-18-amd64"
KERNEL_NEW = b"6.1.0-20-amd64"
INTRUDER = "203.0.113.66"
#: A session over ssh: it gets the lowest free pseudo-terminal when it logs in.
PTS = b"pts"

PASSWD = """\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
alias:x:70:70:qmail alias:/var/qmail/alias:/usr/sbin/nologin
qmaild:x:71:70:qmail daemon:/var/qmail:/usr/sbin/nologin
qmaill:x:72:70:qmail logger:/var/qmail:/usr/sbin/nologin
qmailp:x:73:70:qmail passwd:/var/qmail:/usr/sbin/nologin
qmailq:x:74:71:qmail queue:/var/qmail:/usr/sbin/nologin
qmailr:x:75:71:qmail remote:/var/qmail:/usr/sbin/nologin
qmails:x:76:71:qmail send:/var/qmail:/usr/sbin/nologin
alice:x:1000:1000:Alice Admin,,,:/home/alice:/bin/bash
bob:x:1001:1001:Bob,,,:/home/bob:/bin/bash
carol:x:1002:1002:Carol,,,:/home/carol:/bin/bash
dave:x:1003:1003:Dave,,,:/home/dave:/bin/bash
"""

GROUP = """\
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
backup:x:34:
nogroup:x:65534:
nofiles:x:70:
qmail:x:71:
alice:x:1000:
bob:x:1001:
carol:x:1002:
dave:x:1003:
"""


_UIDS = {line.split(":")[0].encode(): int(line.split(":")[2]) for line in PASSWD.splitlines()}


@dataclass(frozen=True)
class SampleHost:
    """Where the sample host's files are."""

    root: Path
    now: int

    @property
    def wtmp(self) -> Path:
        return self.root / "var/log/wtmp"

    @property
    def btmp(self) -> Path:
        return self.root / "var/log/btmp"

    @property
    def utmp(self) -> Path:
        return self.root / "var/run/utmp"

    @property
    def lastlog(self) -> Path:
        return self.root / "var/log/lastlog"

    @property
    def qmail_log(self) -> Path:
        """qmail-send's multilog file (written by ``logwarden qmail simulate``)."""
        return self.root / "var/log/qmail/current"

    @property
    def qmail_html(self) -> Path:
        return self.root / "var/log/qmail/report.html"

    @property
    def intrusion(self) -> int:
        """When the intruder logged in: 03:12 UTC three days before ``now``'s day."""
        return intrusion_time(self.now)

    @property
    def pacct(self) -> Path:
        return self.root / "var/log/account/pacct"

    @property
    def passwd(self) -> Path:
        return self.root / "etc/passwd"

    @property
    def group(self) -> Path:
        return self.root / "etc/group"


def _addr(text: str) -> bytes:
    import ipaddress

    return ipaddress.ip_address(text).packed.ljust(16, b"\0")


class _History:
    """Appends records in time order, with pids and session ids as a real host hands them out."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.records: list[utmp.Entry] = []
        self.next_pid = 900

    def add(self, type_: int, t: int, user: bytes = b"", line: bytes = b"", host: bytes = b"",
            *, pid: int = 0, id_: bytes = b"", addr: bytes = b"") -> None:  # fmt: skip
        self.records.append(
            utmp.Entry(
                0,
                type_,
                pid,
                line,
                id_,
                user,
                host,
                0,
                0,
                pid,
                t,
                self.rng.randrange(1_000_000),
                addr,
            )
        )

    def pid(self) -> int:
        self.next_pid += self.rng.randrange(3, 400)
        return self.next_pid

    def boot(self, t: int, kernel: bytes) -> None:
        self.add(utmp.BOOT_TIME, t, b"reboot", b"~", kernel, id_=b"~~")
        self.add(utmp.RUN_LVL, t + 4, b"runlevel", b"~", kernel, pid=ord("5") + 256 * ord("N"),
                 id_=b"~~")  # fmt: skip
        self.add(utmp.LOGIN_PROCESS, t + 6, b"LOGIN", b"tty1", pid=self.pid(), id_=b"tty1")

    def shutdown(self, t: int, kernel: bytes) -> None:
        self.add(utmp.RUN_LVL, t, b"shutdown", b"~", kernel, id_=b"~~")


@dataclass(frozen=True)
class _Planned:
    """A session the story wants: who, where from, when; ``end`` None = no logout."""

    user: bytes
    line: bytes
    remote: str
    start: int
    end: int | None
    intruder: bool = False


def _workday_sessions(rng: random.Random, day: int, weekday: int) -> list[_Planned]:
    """One day's ordinary work."""
    out: list[_Planned] = []
    if weekday < 5:
        start = day + 8 * 3600 + rng.randrange(40 * 60, 80 * 60)
        end = day + 17 * 3600 + rng.randrange(0, 90 * 60)
        out.append(_Planned(b"alice", PTS, "192.0.2.10", start, end))
        for _ in range(rng.randrange(1, 3)):
            s = day + rng.randrange(9 * 3600, 16 * 3600)
            out.append(_Planned(b"bob", PTS, "198.51.100.23", s, s + rng.randrange(600, 7200)))
        if rng.random() < 0.4:
            s = day + rng.randrange(10 * 3600, 15 * 3600)
            out.append(_Planned(b"carol", PTS, "2001:db8:5::17", s, s + rng.randrange(300, 5400)))
    if rng.random() < 0.6:
        s = day + rng.randrange(20 * 3600, 23 * 3600)
        out.append(_Planned(b"dave", PTS, "dsl-77.example.net", s, s + rng.randrange(1800, 14400)))
    if rng.random() < 0.25:
        s = day + rng.randrange(7 * 3600, 19 * 3600)
        out.append(_Planned(b"root", b"tty1", "", s, s + rng.randrange(300, 1800)))
    return out


def _guessing_burst(rng: random.Random, start: int) -> list[utmp.Entry]:
    names = [b"root", b"admin", b"test", b"oracle", b"postgres", b"backup", b"guest", b"ubuntu",
             b"user", b"ftp", b"mysql", b"git", b"pi", b"support"]  # fmt: skip
    records = []
    t = start
    for _ in range(270):
        t += rng.randrange(1, 4)
        user = rng.choice(names)
        records.append(
            utmp.Entry(
                0,
                utmp.LOGIN_PROCESS,
                rng.randrange(20000, 30000),
                b"ssh:notty",
                b"",
                user,
                INTRUDER.encode(),
                0,
                0,
                0,
                t,
                rng.randrange(1_000_000),
                _addr(INTRUDER),
            )
        )
    return records


def intrusion_time(now: int) -> int:
    """03:12 UTC, three days before the day of ``now``."""
    return now - now % DAY - 3 * DAY + 3 * 3600 + 12 * 60


def build(root: Path, now: int, seed: int = 2026) -> SampleHost:
    """Write the sample host under ``root`` (created if need be) and return where things are."""
    rng = random.Random(seed)
    host = SampleHost(root, now)
    today = now - now % DAY
    first = today - 21 * DAY
    crash_day, upgrade_day = today - 12 * DAY, today - 6 * DAY
    # (time, what, kernel): the machine going up and down.
    machine = [
        (first + 8 * 3600, "boot", KERNEL_OLD),
        (crash_day + 14 * 3600 + 37 * 60, "boot", KERNEL_OLD),
        (upgrade_day + 22 * 3600, "shutdown", KERNEL_OLD),
        (upgrade_day + 22 * 3600 + 190, "boot", KERNEL_NEW),
    ]
    planned: list[_Planned] = []
    for d in range(21):
        day = first + d * DAY
        planned += _workday_sessions(rng, day, (day // DAY + 3) % 7)  # 1970-01-01: a Thursday
    intrusion = intrusion_time(now)
    planned.append(_Planned(b"backup", PTS, INTRUDER, intrusion, intrusion + 29 * 60, True))
    alice_now = today + 8 * 3600 + 51 * 60
    if alice_now < now:
        planned.append(_Planned(b"alice", PTS, "192.0.2.10", alice_now, None))

    h = _History(rng)
    downs = [t for t, _, _ in machine]
    timeline: list[tuple[int, int, _Planned | tuple[str, bytes]]] = [
        (t, 0, (what, kernel)) for t, what, kernel in machine
    ]
    timeline += [(p.start, 1, p) for p in planned if p.start >= first + 8 * 3600]
    timeline.sort(key=lambda e: (e[0], e[1]))
    logouts: list[tuple[int, bytes, int]] = []
    wiped: list[int] = []
    in_use: set[bytes] = set()
    lived: list[Lived] = []
    for t, _, item in timeline:
        while logouts and logouts[0][0] <= t:
            end, line, pid = logouts.pop(0)
            in_use.discard(line)
            h.add(utmp.DEAD_PROCESS, end, b"", line, pid=pid, id_=line[-4:])
        if isinstance(item, tuple):
            what, kernel = item
            if what == "boot":
                in_use.clear()  # the sessions went down with the machine
                h.boot(t, kernel)
            else:
                h.shutdown(t, kernel)
            continue
        line = item.line
        if line == PTS:  # the kernel hands out the lowest free pseudo-terminal
            line = next(b"pts/%d" % n for n in range(64) if b"pts/%d" % n not in in_use)
        elif line in in_use:
            continue  # somebody is already on that console
        in_use.add(line)
        item = _Planned(item.user, line, item.remote, item.start, item.end, item.intruder)
        pid = h.pid()
        remote = item.remote
        addr = _addr(remote) if remote and (remote[0].isdigit() or ":" in remote) else b""
        if item.intruder:
            wiped.append(len(h.records))
        h.add(utmp.USER_PROCESS, item.start, item.user, item.line, remote.encode(), pid=pid,
              id_=item.line[-4:], addr=addr)  # fmt: skip
        next_down = next((d for d in downs if d > item.start), None)
        if item.end is not None and item.end <= now and (next_down is None or item.end < next_down):
            logouts.append((item.end, item.line, pid))
            logouts.sort()
            really_ended = item.end
        else:
            really_ended = next_down if next_down is not None else now
        lived.append(
            Lived(item.user, _UIDS[item.user], line, item.start, really_ended, item.intruder)
        )
    for end, line, pid in logouts:
        h.add(utmp.DEAD_PROCESS, end, b"", line, pid=pid, id_=line[-4:])

    # The intruder's log wiper: the login and its logout become zeros, in place.
    login = h.records[wiped[0]]
    logout_index = next(
        i for i in range(wiped[0] + 1, len(h.records))
        if h.records[i].type == utmp.DEAD_PROCESS and h.records[i].pid == login.pid
    )  # fmt: skip
    zero = utmp.Entry(0, 0, 0, b"", b"", b"", b"", 0, 0, 0, 0, 0, b"")
    records = list(h.records)
    records[wiped[0]] = records[logout_index] = zero

    layout = utmp.LAYOUTS[utmp.NATIVE]
    for path in (host.wtmp, host.btmp, host.utmp, host.passwd, host.pacct):
        path.parent.mkdir(parents=True, exist_ok=True)
    host.wtmp.write_bytes(utmp.encode(records, layout))
    host.btmp.write_bytes(utmp.encode(_guessing_burst(rng, intrusion - 10 * 60), layout))
    host.utmp.write_bytes(utmp.encode(_current(h.records), layout))
    host.passwd.write_text(PASSWD)
    host.group.write_text(GROUP)
    _write_lastlog(host, h.records)
    host.pacct.write_bytes(pacct(lived, first, now, seed))
    return host


def _current(history: list[utmp.Entry]) -> list[utmp.Entry]:
    """utmp now: the last boot, its runlevel and getty, and the sessions still open."""
    last_boot = max(i for i, r in enumerate(history) if r.type == utmp.BOOT_TIME)
    since = history[last_boot:]
    open_by_line: dict[bytes, utmp.Entry] = {}
    current = list(since[:3])
    for r in since[3:]:
        if r.type == utmp.USER_PROCESS:
            open_by_line[r.line] = r
        elif r.type == utmp.DEAD_PROCESS:
            open_by_line.pop(r.line, None)
    return current + list(open_by_line.values())


def _write_lastlog(host: SampleHost, history: list[utmp.Entry]) -> None:
    """lastlog: each user's latest login, the intruder's included (the wiper missed it).

    Written as login(1) writes it: one record at offset uid * size, holes between them.
    """
    layout = lastlog.LAYOUTS[lastlog.NATIVE]
    latest: dict[int, utmp.Entry] = {}
    for r in history:
        if r.type == utmp.USER_PROCESS and r.user in _UIDS:
            latest[_UIDS[r.user]] = r
    with open(host.lastlog, "wb") as f:
        for uid, r in sorted(latest.items()):
            f.seek(uid * layout.size)
            f.write(lastlog.encode(layout, r.sec, r.line, r.host))
