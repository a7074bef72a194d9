"""``logwarden sessions [--commands] [-w WTMP] [-a PACCT]``: login sessions from wtmp, newest
first, each with the commands that ran on its terminal while it lasted (from pacct).

What the seed calls finding out "what someone messed up last night": the session (who, from
where, when) and underneath it, lastcomm's line for every command it ran.
"""

from __future__ import annotations

import time

import numpy as np

from logwarden.acct import lastcomm, lastcomm_text, names, source
from logwarden.acct import sessions as joined
from logwarden.acct.fields import commands
from logwarden.acct.output import write_text
from logwarden.acct.ttys import devices_for, names_of
from logwarden.cli.acctopts import DEVICES
from logwarden.cli.common import CSV, GROUP, JSON, LAYOUT, PASSWD, Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.connect import paths
from logwarden.connect.last import clock
from logwarden.connect.last.analyse import Settings
from logwarden.connect.last.phantom import policy_for
from logwarden.connect.last.run import read_listing
from logwarden.connect.last.selection import Criteria
from logwarden.errors import UsageError
from logwarden.formats import acct
from logwarden.sources.utmpfile import layout_named

LONG = [
    LongOpt("commands", Arg.NONE, "c"),
    LongOpt("wtmp", Arg.REQUIRED, "w"),
    LongOpt("acct", Arg.REQUIRED, "a"),
    LongOpt("user", Arg.REQUIRED, "u"),
    LongOpt("help", Arg.NONE, "h"),
    JSON,
    CSV,
    PASSWD,
    GROUP,
    DEVICES,
    LAYOUT,
]

USAGE = f"""\
Usage: logwarden sessions [--commands] [-w WTMP] [-a PACCT] [-u USER]
Login sessions from wtmp, newest first; with --commands, each followed by the commands
(from process accounting) that ran on its terminal while it lasted.

  -c, --commands       list each session's commands (lastcomm's lines, indented)
  -w, --wtmp FILE      the wtmp to read (default {paths.WTMP})
  -a, --acct FILE      the pacct to read (default {source.PACCT})
  -u, --user NAME      only this user's sessions
      --json           one JSON object per session, its commands in a list
      --csv            one CSV row per command, with its session's columns
      --passwd FILE    user names from another host's passwd (and --group FILE)
      --devices KIND   name terminals from the live /dev or the static Linux table
      --layout NAME    read the wtmp as this utmp layout
  -h, --help           show this help
"""

CSV_FIELDS = ("session_user", "session_tty", "session_host", "login", "logout", "status",
              *lastcomm.ROW_FIELDS)  # fmt: skip


def main(inv: Invocation) -> int:
    try:
        parsed = getopt_long(inv.argv0, inv.args, "cw:a:u:h", LONG)
    except GetoptError as e:
        raise UsageError(str(e).removeprefix(f"{inv.argv0}: ")) from None
    extras = Extras()
    show_commands = False
    wtmp, pacct = paths.WTMP, source.PACCT
    only_user: bytes | None = None
    devices: str | None = None
    for opt, value in parsed.options:
        arg = value or ""
        if extras.take(opt, value):
            continue
        if opt == "h":
            inv.stdout.write(USAGE.encode())
            return 0
        if opt == "c":
            show_commands = True
        elif opt == "w":
            wtmp = arg
        elif opt == "a":
            pacct = arg
        elif opt == "u":
            only_user = arg.encode()
        elif opt == "--devices":
            if arg not in ("live", "static"):
                raise UsageError(f"--devices takes live or static, not '{arg}'")
            devices = arg
    if parsed.operands:
        raise UsageError(f"unexpected argument '{parsed.operands[0]}'")
    now = int(time.time())
    accounts = extras.accounts()
    run = read_listing(
        wtmp, Settings(), Criteria(), None, policy_for(extras.passwd, accounts),
        layout_named(extras.layout), now,
    )  # fmt: skip
    for warning in run.warnings:
        inv.warn(warning)
    found = joined.sessions(run, now)
    if only_user is not None:
        found = [s for s in found if s.user == only_user]
    records = acct.empty_records()
    if show_commands or extras.rows:
        read = source.read_pacct(pacct)
        for line in read.errors + read.warnings:
            inv.warn(line)
        records = read.records
    ttys = devices_for(devices, foreign=extras.passwd is not None)
    tty_names = names_of(ttys, records["tty"])
    found = joined.attach(found, tty_names, joined.pacct_start(records))
    selected = lastcomm.Selected(
        records, names.user_names(accounts, records["uid"]), tty_names,
        commands(records),
    )  # fmt: skip
    if extras.rows:
        return _rows(inv, extras, found, selected)
    clean = sanitizer(inv)
    out: list[bytes] = []
    for session in found:
        out.append(_header(session))
        if show_commands and len(session.commands):
            part = lastcomm.Selected(
                records.take(session.commands), selected.users[session.commands],
                selected.ttys[session.commands], selected.comm[session.commands],
            )  # fmt: skip
            body = b"".join(lastcomm_text.render(part))
            out.extend(b"    " + line + b"\n" for line in body.splitlines())
    write_text(inv.stdout, b"".join(out), clean)
    return 0


def _stamp(t: int) -> bytes:
    times = np.array([t], dtype=np.int64)
    return bytes(clock.ctime(times, clock.utc_offsets(times))[0].tobytes()[:16])


def _header(session: joined.Session) -> bytes:
    start = _stamp(session.login)
    if session.status == "still-logged-in":
        tail = b"   still logged in"
    elif session.status == "gone":
        tail = b"   gone - no logout"
    else:
        end = _stamp(session.end)[11:16]
        minutes = max(session.end - session.login, 0) // 60
        days, minutes = divmod(minutes, 1440)
        length = b"%02d:%02d" % divmod(minutes, 60)
        if days:
            length = b"%d+" % days + length
        label = b"" if session.status == "normal" else b" " + session.status.encode()
        tail = b" - " + end + b"  (" + length + b")" + label
    return b"%-8s %-12s %-16s %s%s\n" % (
        session.user, session.line, session.host[:16], start, tail,
    )  # fmt: skip


def _rows(
    inv: Invocation, extras: Extras, found: list[joined.Session], selected: lastcomm.Selected
) -> int:
    stamps = sorted({t for s in found for t in (s.login, s.end)})
    times = np.array(stamps, dtype=np.int64)
    texts = clock.iso(times, clock.utc_offsets(times))
    iso = {t: bytes(texts[i].tobytes()).decode() for i, t in enumerate(stamps)}
    out = rows_out(inv, extras, CSV_FIELDS)
    for row in joined.rows(found, selected, iso):
        if extras.format == "json":
            out.write(row)
            continue
        head = {
            "session_user": row["user"], "session_tty": row["tty"],
            "session_host": row["host"], "login": row["login"], "logout": row["logout"],
            "status": row["status"],
        }  # fmt: skip
        commands_of = row["commands"]
        assert isinstance(commands_of, list)
        for command in commands_of:
            out.write(head | command)
    out.close()
    return 0
