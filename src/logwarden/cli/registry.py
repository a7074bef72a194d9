"""The tools ``logwarden`` runs: name, the module that runs it, one line of what it does.

Modules are imported only when their tool runs, so that ``logwarden who`` does not pay for
numpy-heavy analysis code it never uses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tool:
    """A command: ``module.main(invocation)`` runs it."""

    name: str
    module: str
    summary: str
    #: Reachable under its own name through ``logwarden install-links``.
    classic: bool = True


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool("who", "logwarden.cli.who", "show who is logged on, or every login in a wtmp file"),
        Tool("users", "logwarden.cli.users", "print the names of users currently logged in"),
        Tool("w", "logwarden.cli.w", "show who is logged on and what they are doing"),
        Tool("last", "logwarden.cli.last", "list logins, reboots and shutdowns from wtmp"),
        Tool("lastb", "logwarden.cli.last", "list failed login attempts from btmp"),
        Tool("ac", "logwarden.cli.ac", "print connect time from wtmp: total, per day, per user"),
        Tool("lastlog", "logwarden.cli.lastlog", "report the most recent login of every user"),
        Tool("splogger", "logwarden.cli.splogger", "send qmail's log lines to syslog"),
        Tool("multilog", "logwarden.cli.multilog", "write lines into rotated log directories"),
        Tool("tai64n", "logwarden.cli.tai64n", "put a TAI64N timestamp in front of every line"),
        Tool("tai64nlocal", "logwarden.cli.tai64nlocal", "turn TAI64N timestamps into local time"),
        Tool("accton", "logwarden.cli.accton", "turn process accounting on or off"),
        Tool("lastcomm", "logwarden.cli.lastcomm", "list the commands run, newest first"),
        Tool("sa", "logwarden.cli.sa", "summarise process accounting by command or user"),
        Tool("dump-acct", "logwarden.cli.dumpacct", "print process accounting records in full"),
        Tool(
            "syslogd",
            "logwarden.cli.syslogd",
            "receive syslog messages and route them by syslog.conf",
        ),
        Tool("logger", "logwarden.cli.logger", "send a message to syslog from the shell"),
        Tool(
            "syslog",
            "logwarden.cli.syslog",
            "check a syslog.conf, show where a message goes, search syslog and program logs",
            classic=False,
        ),
        Tool(
            "matchup",
            "logwarden.cli.matchup",
            "pair qmail deliveries with their messages (qmailanalog)",
        ),
        Tool(
            "tai64nfrac", "logwarden.cli.tai64nfrac", "turn @tai64n labels into seconds.nanoseconds"
        ),
        Tool(
            "zoverall",
            "logwarden.cli.qmailanalog",
            "qmailanalog: basic statistics of matchup output",
        ),
        Tool("zddist", "logwarden.cli.qmailanalog", "qmailanalog: distribution of delivery delays"),
        Tool("zdeferrals", "logwarden.cli.qmailanalog", "qmailanalog: reasons for deferral"),
        Tool("zfailures", "logwarden.cli.qmailanalog", "qmailanalog: reasons for failure"),
        Tool("zsuccesses", "logwarden.cli.qmailanalog", "qmailanalog: reasons for success"),
        Tool("zrecipients", "logwarden.cli.qmailanalog", "qmailanalog: deliveries per recipient"),
        Tool("zrhosts", "logwarden.cli.qmailanalog", "qmailanalog: deliveries per recipient host"),
        Tool("zrxdelay", "logwarden.cli.qmailanalog", "qmailanalog: recipients, fastest first"),
        Tool("zsenders", "logwarden.cli.qmailanalog", "qmailanalog: messages per sender"),
        Tool("zsuids", "logwarden.cli.qmailanalog", "qmailanalog: messages per sender uid"),
        Tool(
            "zsendmail",
            "logwarden.cli.qmailanalog",
            "qmailanalog: matchup output as sendmail lines",
        ),
        Tool("ddist", "logwarden.cli.qmailanalog", "qmailanalog: rows of zddist"),
        Tool("deferrals", "logwarden.cli.qmailanalog", "qmailanalog: rows of zdeferrals"),
        Tool("failures", "logwarden.cli.qmailanalog", "qmailanalog: rows of zfailures"),
        Tool("successes", "logwarden.cli.qmailanalog", "qmailanalog: rows of zsuccesses"),
        Tool("recipients", "logwarden.cli.qmailanalog", "qmailanalog: rows of zrecipients"),
        Tool("rhosts", "logwarden.cli.qmailanalog", "qmailanalog: rows of zrhosts"),
        Tool("rxdelay", "logwarden.cli.qmailanalog", "qmailanalog: rows of zrxdelay"),
        Tool("senders", "logwarden.cli.qmailanalog", "qmailanalog: rows of zsenders"),
        Tool("suids", "logwarden.cli.qmailanalog", "qmailanalog: rows of zsuids"),
        Tool("columnt", "logwarden.cli.qmailanalog", "line words up in columns (qmailanalog)"),
        Tool("xqp", "logwarden.cli.xfilter", "matchup lines of the message with this qp"),
        Tool("xsender", "logwarden.cli.xfilter", "matchup lines of mail from this sender"),
        Tool("xrecipient", "logwarden.cli.xfilter", "matchup lines of mail to this recipient"),
        Tool(
            "qmail",
            "logwarden.cli.qmail",
            "qmail-send's logs: alerts explained, the one-pass report, a log simulator",
            classic=False,
        ),
        Tool(
            "sessions",
            "logwarden.cli.sessions",
            "login sessions from wtmp with the commands each one ran (--commands)",
            classic=False,
        ),
        Tool(
            "wtmp",
            "logwarden.cli.wtmp",
            "check a utmp/wtmp/btmp/lastlog for signs of tampering",
            classic=False,
        ),
        Tool(
            "demo",
            "logwarden.cli.demo",
            "build a sample host's logs and show what logwarden reads",
            classic=False,
        ),
        Tool(
            "install-links",
            "logwarden.cli.links",
            "make the classic names (last, ac, ...) as links to logwarden in a directory",
            classic=False,
        ),
    )
}
