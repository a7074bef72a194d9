"""The tools ``logwarden`` runs: name, the module that runs it, one line of what it does, and
the family of logs it belongs to (``logwarden --help`` lists them by family).

Modules are imported only when their tool runs, so that ``logwarden who`` does not pay for
numpy-heavy analysis code it never uses.
"""

from __future__ import annotations

from dataclasses import dataclass

CONNECT = "Who logged in (utmp, wtmp, btmp, lastlog)"
ACCT = "What ran (process accounting)"
SYSLOG = "What the daemons said (syslog)"
WRITERS = "qmail's log writers"
QMAIL = "What the mail system did (qmail-send's log, qmailanalog)"
TIMELINE = "One timeline of the whole host (events, the store)"
SELF = "logwarden itself"


@dataclass(frozen=True)
class Tool:
    """A command: ``module.main(invocation)`` runs it."""

    name: str
    module: str
    summary: str
    family: str
    #: Reachable under its own name through ``logwarden install-links``.
    classic: bool = True


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            "who",
            "logwarden.cli.who",
            "show who is logged on, or every login in a wtmp file",
            CONNECT,
        ),
        Tool(
            "users", "logwarden.cli.users", "print the names of users currently logged in", CONNECT
        ),
        Tool("w", "logwarden.cli.w", "show who is logged on and what they are doing", CONNECT),
        Tool("last", "logwarden.cli.last", "list logins, reboots and shutdowns from wtmp", CONNECT),
        Tool("lastb", "logwarden.cli.last", "list failed login attempts from btmp", CONNECT),
        Tool(
            "ac",
            "logwarden.cli.ac",
            "print connect time from wtmp: total, per day, per user",
            CONNECT,
        ),
        Tool(
            "lastlog",
            "logwarden.cli.lastlog",
            "report the most recent login of every user",
            CONNECT,
        ),
        Tool(
            "wtmp",
            "logwarden.cli.wtmp",
            "check a utmp/wtmp/btmp/lastlog for signs of tampering",
            CONNECT,
            classic=False,
        ),
        Tool(
            "sessions",
            "logwarden.cli.sessions",
            "login sessions from wtmp with the commands each one ran (--commands)",
            CONNECT,
            classic=False,
        ),
        Tool("accton", "logwarden.cli.accton", "turn process accounting on or off", ACCT),
        Tool("lastcomm", "logwarden.cli.lastcomm", "list the commands run, newest first", ACCT),
        Tool("sa", "logwarden.cli.sa", "summarise process accounting by command or user", ACCT),
        Tool(
            "dump-acct", "logwarden.cli.dumpacct", "print process accounting records in full", ACCT
        ),
        Tool(
            "syslogd",
            "logwarden.cli.syslogd",
            "receive syslog messages and route them by syslog.conf",
            SYSLOG,
        ),
        Tool("logger", "logwarden.cli.logger", "send a message to syslog from the shell", SYSLOG),
        Tool(
            "syslog",
            "logwarden.cli.syslog",
            "check a syslog.conf, show where a message goes, search syslog and program logs",
            SYSLOG,
            classic=False,
        ),
        Tool("splogger", "logwarden.cli.splogger", "send qmail's log lines to syslog", WRITERS),
        Tool(
            "multilog",
            "logwarden.cli.multilog",
            "write lines into rotated log directories",
            WRITERS,
        ),
        Tool(
            "tai64n",
            "logwarden.cli.tai64n",
            "put a TAI64N timestamp in front of every line",
            WRITERS,
        ),
        Tool(
            "tai64nlocal",
            "logwarden.cli.tai64nlocal",
            "turn TAI64N timestamps into local time",
            WRITERS,
        ),
        Tool(
            "qmail",
            "logwarden.cli.qmail",
            "qmail-send's logs: alerts explained, the one-pass report, a log simulator",
            QMAIL,
            classic=False,
        ),
        Tool(
            "matchup",
            "logwarden.cli.matchup",
            "pair qmail deliveries with their messages (qmailanalog)",
            QMAIL,
        ),
        Tool(
            "zoverall",
            "logwarden.cli.qmailanalog",
            "qmailanalog: basic statistics of matchup output",
            QMAIL,
        ),
        Tool(
            "zddist",
            "logwarden.cli.qmailanalog",
            "qmailanalog: distribution of delivery delays",
            QMAIL,
        ),
        Tool("zdeferrals", "logwarden.cli.qmailanalog", "qmailanalog: reasons for deferral", QMAIL),
        Tool("zfailures", "logwarden.cli.qmailanalog", "qmailanalog: reasons for failure", QMAIL),
        Tool("zsuccesses", "logwarden.cli.qmailanalog", "qmailanalog: reasons for success", QMAIL),
        Tool(
            "zrecipients",
            "logwarden.cli.qmailanalog",
            "qmailanalog: deliveries per recipient",
            QMAIL,
        ),
        Tool(
            "zrhosts",
            "logwarden.cli.qmailanalog",
            "qmailanalog: deliveries per recipient host",
            QMAIL,
        ),
        Tool(
            "zrxdelay", "logwarden.cli.qmailanalog", "qmailanalog: recipients, fastest first", QMAIL
        ),
        Tool("zsenders", "logwarden.cli.qmailanalog", "qmailanalog: messages per sender", QMAIL),
        Tool("zsuids", "logwarden.cli.qmailanalog", "qmailanalog: messages per sender uid", QMAIL),
        Tool(
            "zsendmail",
            "logwarden.cli.qmailanalog",
            "qmailanalog: matchup output as sendmail lines",
            QMAIL,
        ),
        Tool("ddist", "logwarden.cli.qmailanalog", "qmailanalog: rows of zddist", QMAIL),
        Tool("deferrals", "logwarden.cli.qmailanalog", "qmailanalog: rows of zdeferrals", QMAIL),
        Tool("failures", "logwarden.cli.qmailanalog", "qmailanalog: rows of zfailures", QMAIL),
        Tool("successes", "logwarden.cli.qmailanalog", "qmailanalog: rows of zsuccesses", QMAIL),
        Tool("recipients", "logwarden.cli.qmailanalog", "qmailanalog: rows of zrecipients", QMAIL),
        Tool("rhosts", "logwarden.cli.qmailanalog", "qmailanalog: rows of zrhosts", QMAIL),
        Tool("rxdelay", "logwarden.cli.qmailanalog", "qmailanalog: rows of zrxdelay", QMAIL),
        Tool("senders", "logwarden.cli.qmailanalog", "qmailanalog: rows of zsenders", QMAIL),
        Tool("suids", "logwarden.cli.qmailanalog", "qmailanalog: rows of zsuids", QMAIL),
        Tool(
            "columnt", "logwarden.cli.qmailanalog", "line words up in columns (qmailanalog)", QMAIL
        ),
        Tool("xqp", "logwarden.cli.xfilter", "matchup lines of the message with this qp", QMAIL),
        Tool("xsender", "logwarden.cli.xfilter", "matchup lines of mail from this sender", QMAIL),
        Tool(
            "xrecipient", "logwarden.cli.xfilter", "matchup lines of mail to this recipient", QMAIL
        ),
        Tool(
            "tai64nfrac",
            "logwarden.cli.tai64nfrac",
            "turn @tai64n labels into seconds.nanoseconds",
            QMAIL,
        ),
        Tool(
            "timeline",
            "logwarden.cli.timeline",
            "every event of a host in time order: logins, commands, su/sudo, syslog, mail",
            TIMELINE,
            classic=False,
        ),
        Tool(
            "ingest",
            "logwarden.cli.ingest",
            "load a host root's logs into the event store (DuckDB, Parquet), incrementally",
            TIMELINE,
            classic=False,
        ),
        Tool(
            "query",
            "logwarden.cli.query",
            "run SQL over the event store",
            TIMELINE,
            classic=False,
        ),
        Tool(
            "demo",
            "logwarden.cli.demo",
            "build a sample host's logs and show what logwarden reads",
            SELF,
            classic=False,
        ),
        Tool(
            "install-links",
            "logwarden.cli.links",
            "make the classic names (last, ac, ...) as links to logwarden in a directory",
            SELF,
            classic=False,
        ),
    )
}
