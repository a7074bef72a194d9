"""``lastlog`` (shadow 4.13), plus lastlog2 databases, --json/--csv and another host's files.

The classic command reads /var/log/lastlog and this machine's accounts, or those under
``-R DIR`` (DIR/var/log/lastlog, DIR/etc/passwd, DIR/etc/login.defs) without needing to
chroot. ``--file``, ``--passwd`` and ``--login-defs`` name the three files one by one (the
forensic case). ``--lastlog2 DB``, or a ``--file`` that is an SQLite database, reports from
a lastlog2 database in util-linux lastlog2's format.

Messages, their order and the exit status follow shadow's ``main``: ``-R`` is looked for
first (exit 3 for its errors), then the options are handled in command-line order (so a bad
``-u`` or ``-t`` is reported before a later unknown option), then the operand and -C/-S
checks, then the file, then login.defs.
"""

from __future__ import annotations

import os
import stat
import time
from contextlib import closing
from dataclasses import dataclass

from logwarden.cli.common import LAYOUT, OUTPUT_OPTS, PASSWD, Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, Parsed, getopt_long
from logwarden.cli.main import Invocation
from logwarden.connect import lastlog as ll
from logwarden.connect import logindefs, paths
from logwarden.formats.utmp import SQLITE_MAGIC
from logwarden.sources.accounts import Accounts, FileAccounts, LocalAccounts, User
from logwarden.sources.lastlogfile import layout_named, open_lastlog, update_records
from logwarden.timefmt import LocalTime

PROG = "lastlog"
#: shadow's exit status for a bad --root (E_BAD_ARG).
EXIT_BAD_ARG = 3

USAGE = """\
Usage: lastlog [options]

Options:
  -b, --before DAYS             print only lastlog records older than DAYS
  -C, --clear                   clear lastlog record of an user (usable only with -u)
  -h, --help                    display this help message and exit
  -R, --root CHROOT_DIR         directory to chroot into
  -S, --set                     set lastlog record to current time (usable only with -u)
  -t, --time DAYS               print only lastlog records more recent than DAYS
  -u, --user LOGIN              print lastlog record of the specified LOGIN

"""

ADDITIONS = """\
logwarden additions:
      --file FILE           read FILE (a lastlog, or a lastlog2 database) instead of
                            /var/log/lastlog
      --passwd FILE         take the accounts from this passwd file (another host's)
      --login-defs FILE     take LASTLOG_UID_MAX from this login.defs
      --lastlog2 DB         report from a lastlog2 SQLite database, as lastlog2 does
      --pam-service         with a lastlog2 database: add the Service column
      --layout NAME         read the lastlog as NAME (auto, 292le, 296le, 292be, 296be)
      --json, --csv         one row per account as JSON Lines or CSV
"""

FILE = LongOpt("file", Arg.REQUIRED, "--file")
LOGIN_DEFS = LongOpt("login-defs", Arg.REQUIRED, "--login-defs")
LASTLOG2 = LongOpt("lastlog2", Arg.REQUIRED, "--lastlog2")
PAM_SERVICE = LongOpt("pam-service", Arg.NONE, "--pam-service")

#: shadow 4.13's table, in its order (the order shows in glibc's "ambiguous" messages).
CLASSIC_LONG = [
    LongOpt("before", Arg.REQUIRED, "b"),
    LongOpt("clear", Arg.NONE, "C"),
    LongOpt("help", Arg.NONE, "h"),
    LongOpt("root", Arg.REQUIRED, "R"),
    LongOpt("set", Arg.NONE, "S"),
    LongOpt("time", Arg.REQUIRED, "t"),
    LongOpt("user", Arg.REQUIRED, "u"),
]
ADDED_LONG = [*OUTPUT_OPTS, PASSWD, FILE, LOGIN_DEFS, LASTLOG2, PAM_SERVICE, LAYOUT]
SHORT = "b:ChR:St:u:"


class _Exit(Exception):
    """Stop with this status; the message has been written."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class NoAccounts:
    """A root without /etc/passwd: ``getpwent`` finds nobody, as in such a chroot."""

    live = False

    def users(self) -> list[User]:
        return []

    def by_name(self, name: bytes) -> User | None:
        return None

    def by_uid(self, uid: int) -> User | None:
        return None

    def group_name(self, gid: int) -> bytes | None:
        return None


@dataclass
class Request:
    """What the command line asked for, once the options are handled."""

    root: str | None = None
    file: str | None = None
    login_defs: str | None = None
    lastlog2: str | None = None
    pam_service: bool = False
    clear: bool = False
    set: bool = False
    user_text: str | None = None
    selection: ll.UidRange | None = None
    newer_than: int | None = None
    older_than: int | None = None

    @property
    def updating(self) -> bool:
        return self.clear or self.set


def _fail(inv: Invocation, message: str, status: int = 1, *, usage: bool = False) -> _Exit:
    inv.stderr.write(message + (USAGE if usage else ""))
    return _Exit(status)


def root_flag(inv: Invocation) -> str | None:
    """shadow's ``process_root_flag``: every ``-R DIR``, ``--root DIR`` or ``--root=DIR``
    anywhere in the arguments (before getopt sees them), checked as ``chroot`` would be."""
    root: str | None = None
    args = inv.args
    i = 0
    while i < len(args):
        arg = args[i]
        value: str | None = arg[len("--root=") :] if arg.startswith("--root=") else None
        if arg in ("-R", "--root") or value is not None:
            if root is not None:
                raise _fail(inv, f"{PROG}: multiple --root options\n", EXIT_BAD_ARG)
            if value is None:
                if i + 1 == len(args):
                    raise _fail(inv, f"{PROG}: option '{arg}' requires an argument\n", EXIT_BAD_ARG)
                i += 1
                value = args[i]
            root = value
        i += 1
    if root is None:
        return None
    if not root.startswith("/"):
        raise _fail(
            inv,
            f"{PROG}: invalid chroot path '{root}', only absolute paths are supported.\n",
            EXIT_BAD_ARG,
        )
    try:
        mode = os.stat(root).st_mode
    except OSError as e:
        raise _fail(
            inv, f"{PROG}: cannot access chroot directory {root}: {e.strerror}\n", EXIT_BAD_ARG
        ) from None
    if not stat.S_ISDIR(mode):
        raise _fail(
            inv,
            f"{PROG}: cannot chdir to chroot directory {root}: {os.strerror(20)}\n",
            EXIT_BAD_ARG,
        )
    return root


def _parse(inv: Invocation) -> tuple[Parsed, GetoptError | None]:
    """The options, and glibc's complaint if there was one.

    getopt_long stops at the first bad option, but shadow has already acted on the options
    before it (and may have exited on a bad ``-u`` or ``-t``): those come with the error.
    logwarden's long options are matched only where no classic one is, so every abbreviation
    shadow accepts (``--c`` for ``--clear``) keeps its meaning.
    """
    try:
        return getopt_long(inv.argv0, inv.args, SHORT, CLASSIC_LONG, additions=ADDED_LONG), None
    except GetoptError as error:
        return Parsed(error.options, []), error


def _accounts(extras: Extras, root: str | None) -> Accounts:
    if extras.passwd is not None:
        return extras.accounts()
    if root is not None:
        passwd = os.path.join(root, "etc/passwd")
        return FileAccounts(passwd) if os.path.exists(passwd) else NoAccounts()
    return LocalAccounts()


def _is_sqlite(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def handle_options(inv: Invocation, extras: Extras) -> tuple[Request, Accounts] | None:
    """Act on the options in order; None when ``--help`` was answered."""
    request = Request(root=root_flag(inv))
    parsed, error = _parse(inv)
    for opt, value in parsed.options:
        if extras.take(opt, value):
            continue
        if opt == "--file":
            request.file = value
        elif opt == "--login-defs":
            request.login_defs = value
        elif opt == "--lastlog2":
            request.lastlog2 = value
        elif opt == "--pam-service":
            request.pam_service = True
    if request.lastlog2 is None and request.file is not None and _is_sqlite(request.file):
        request.lastlog2 = request.file
    accounts = _accounts(extras, request.root)
    for opt, value in parsed.options:
        if opt in ("b", "t"):
            seconds = ll.parse_days(value or "")
            if seconds is None:
                raise _fail(inv, f"{PROG}: invalid numeric argument '{value}'\n")
            if opt == "b":
                request.older_than = seconds
            else:
                request.newer_than = seconds
        elif opt == "C":
            request.clear = True
        elif opt == "S":
            request.set = True
        elif opt == "h":
            inv.stdout.write((USAGE + ADDITIONS).encode())
            return None
        elif opt == "u":
            request.user_text = value
            if request.lastlog2 is None:
                request.selection = ll.select_user(value or "", accounts)
                if request.selection is None:
                    raise _fail(inv, f"{PROG}: Unknown user or range: {value}\n")
    if error is not None:
        raise _fail(inv, f"{error}\n", usage=True)
    if parsed.operands:
        raise _fail(inv, f"{PROG}: unexpected argument: {parsed.operands[0]}\n", usage=True)
    if request.clear and request.set:
        raise _fail(inv, f"{PROG}: Option -C cannot be used together with option -S\n", usage=True)
    if request.updating and request.user_text is None:
        raise _fail(
            inv, f"{PROG}: Options -C and -S require option -u to specify the user\n", usage=True
        )
    return request, accounts


def main(inv: Invocation) -> int:
    extras = Extras()
    try:
        handled = handle_options(inv, extras)
        if handled is None:
            return 0
        request, accounts = handled
        if request.lastlog2 is not None:
            return _lastlog2(inv, extras, request, accounts)
        return _classic(inv, extras, request, accounts)
    except _Exit as stop:
        return stop.status


def _login_defs(request: Request, accounts: Accounts) -> logindefs.LoginDefs:
    if request.login_defs is not None:
        path: str | None = request.login_defs
    elif request.root is not None:
        path = os.path.join(request.root, "etc/login.defs")
    else:
        # Another host's passwd without its login.defs: that host's default applies.
        path = "/etc/login.defs" if accounts.live else None
    if path is None:
        return logindefs.LoginDefs()
    try:
        with open(path, "rb") as f:
            return logindefs.parse(f.read())
    except FileNotFoundError:
        return logindefs.LoginDefs()


def _classic(inv: Invocation, extras: Extras, request: Request, accounts: Accounts) -> int:
    if request.file is not None:
        path = shown = request.file
    elif request.root is not None:
        path, shown = os.path.join(request.root, paths.LASTLOG[1:]), paths.LASTLOG
    else:
        path = shown = paths.LASTLOG
    try:
        if request.updating:  # shadow opens with "r+": the file must exist and be writable
            os.close(os.open(path, os.O_RDWR))
        source = open_lastlog(path, layout_named(extras.layout))
    except OSError as e:
        raise _fail(inv, f"{shown}: {e.strerror}\n") from None
    defs = _login_defs(request, accounts)
    for message in defs.messages:
        inv.stderr.write(message)
    uid_max, complaint = defs.ulong("LASTLOG_UID_MAX", ll.UID_MAX_DEFAULT)
    if complaint is not None:
        inv.stderr.write(complaint)
    exceeded = ll.uid_max_exceeded(request.selection, uid_max)
    now = int(time.time())
    if request.updating:
        if exceeded:
            inv.stderr.write(
                f"{PROG}: Selected uid(s) are higher than LASTLOG_UID_MAX ({uid_max}),\n"
                "\tthey will not be updated.\n"
            )
            return 0
        users = ll.selected_users(accounts, request.selection, uid_max, updating=True)
        writes = ll.updates(users, source.layout, set_now=now if request.set else None)
        update_records(path, writes)
        return 0
    if exceeded:
        inv.stderr.write(
            f"{PROG}: Selected uid(s) are higher than LASTLOG_UID_MAX ({uid_max}),\n"
            "\tthe output might be incorrect.\n"
        )
    users = ll.selected_users(accounts, request.selection, uid_max)
    rows = ll.logins(users, source.records_for, now, request.newer_than, request.older_than)
    if extras.rows:
        out = rows_out(inv, extras, ll.FIELDS)
        for login in rows:
            out.write(ll.row_of(login))
        out.close()
        return 0
    inv.stdout.write(ll.render(rows, LocalTime(), sanitizer(inv)))
    return 0


def _lastlog2(inv: Invocation, extras: Extras, request: Request, accounts: Accounts) -> int:
    """lastlog2's report; its messages carry its name, as they are its words."""
    # Imported here: the classic report does not pay for SQLite.
    import sqlite3

    from logwarden.connect import lastlog2 as ll2
    from logwarden.formats import lastlog2 as ll2db
    from logwarden.sources.lastlog2file import open_lastlog2

    path = request.lastlog2
    assert path is not None
    if request.updating:
        raise _fail(inv, f"{PROG}: -C and -S change classic lastlog files only, not {path}\n")
    now = int(time.time())
    if request.user_text is not None:
        name = request.user_text.encode("utf-8", "surrogateescape")
        if accounts.by_name(name) is None:
            raise _fail(inv, f"lastlog2: User '{request.user_text}' does not exist.\n\n")
        entry: ll2db.Entry | None = None
        try:
            with closing(open_lastlog2(path)) as db:
                entry = ll2db.read_entry(db, name)
        except sqlite3.Error:
            entry = None  # lastlog2 ignores this error: the user never logged in
        entries = [entry or ll2db.Entry(name, 0, None, None, None, None)]
    else:
        try:
            db = open_lastlog2(path)
        except sqlite3.Error as e:
            raise _fail(inv, f"lastlog2: Cannot open database ({path}): {e}\n\n") from None
        try:
            with closing(db):
                entries = ll2db.read_all(db)
        except sqlite3.Error as e:
            raise _fail(inv, f"lastlog2: SQL error: {e}\n\n") from None
    shown = [e for e in entries if ll2.passes(e, now, request.newer_than, request.older_than)]
    if extras.rows:
        out = rows_out(inv, extras, ll.FIELDS)
        for entry_shown in shown:
            out.write(ll2.row_of(entry_shown, accounts))
        out.close()
        return 0
    clean = sanitizer(inv)
    inv.stdout.write(ll2.render(shown, LocalTime(), service=request.pam_service, clean=clean))
    return 0
