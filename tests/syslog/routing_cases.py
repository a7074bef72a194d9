"""The syslog.conf bodies both daemons run in the differential routing suite, and the traffic.

``OUT`` stands for the daemon's output directory. Actions that would reach beyond the test
(walls, user terminals, remote hosts) are written as files, so that what is compared is the
selector semantics; forwarding is compared on the test's own listeners elsewhere.
"""

from __future__ import annotations

from logwarden.syslog.names import LOGGER_FACILITIES, SEVERITIES

#: The seed's table 14, as written (its actions pointed at files of the test). The seed's
#: ``*.info:mail.none;authpriv.none`` is a typo rsyslog refuses; rsyslog gets ``;``.
SEED_TABLE_14 = """\
#Log all the mail messages in one place 
mail.* OUT/maillog 

# Save mail and news errors of level err and higher in aspecial file. 
uucp,news.crit OUT/spooler 

#Everybody gets emergency messages, plus log them on anther machine 
*.emerg OUT/everybody 
*.emerg OUT/other_machine 

#Root and Tiger get alert and higher messages 
*.alert OUT/root_tiger 

#Log all kernel messages to the console 
#Logging much else clutters up the screen 
#kern.* /dev/console 

#Log anything(except mail)of level info or higher 
#Don/'t log private authentication messages! 
*.info:mail.none;authpriv.none OUT/messages 
"""  # noqa: W291 (the seed's lines end in a space)

#: The selectors the spec records from rsyslog 8.2302, and more found by running it.
TRICKY = """\
mail.info                                OUT/01
mail.=info                               OUT/02
mail.!info                               OUT/03
mail.!=info                              OUT/04
mail.*;mail.!err                         OUT/05
mail.err;mail.=debug                     OUT/06
*.info;mail.none;authpriv.none           OUT/07
local0,local1.warn                       OUT/08
*.=debug;local0.none                     OUT/09
mail.none;mail.crit                      OUT/10
mail.crit;mail.none                      OUT/11
mail,local0.!*                           OUT/13
*.*;*.!notice                            OUT/14
mail.debug;mail.!=warning;mail.!=err     OUT/15
mail.warn,err\tOUT/16
\tmail.crit;\\
   news.crit\t\tOUT/17
  uucp,news.crit OUT/18
MAIL.CRIT;Local0.=Info OUT/19
mail.3 OUT/20
*.=warn;*.=err OUT/21
mail.!none OUT/22
mail.crit,news OUT/23
mail.crit;; OUT/24
mark.* OUT/25
*.*;mail.!=info;mail.!debug;user.!* OUT/26
auth,authpriv.*;security.!warning OUT/27
local7.!none;local7.!=notice OUT/28
*.emerg;*.=alert;local2.=crit OUT/29
ftp,cron,lpr,daemon.notice OUT/30
syslog.*;syslog.!info;news.=panic OUT/31
mail.crit OUT/32 # a comment after the action
kern.*\tOUT/33
*.alert;kern.none;user.none OUT/34
"""

#: Discards and ``&``: a discarded message reaches no later rule.
DISCARDS = """\
local6.* OUT/d01
& OUT/d02
local6.* ~
local5.=info stop
*.* OUT/d03
"""

SEVERITY_NAMES = SEVERITIES


def logger_traffic() -> list[tuple[int, int, bytes]]:
    """(facility, severity, stdin line for ``logger --prio-prefix``) for every named facility."""
    lines = []
    marker = 0
    for name, code in sorted(LOGGER_FACILITIES.items(), key=lambda kv: kv[1]):
        if name in ("security", "kern", "mark"):
            continue  # an alias; kern becomes user in logger; mark has no valid PRI
        for severity, sev_name in enumerate(SEVERITIES):
            marker += 1
            pri = code + severity
            lines.append(
                (
                    code >> 3,
                    severity,
                    b"<%d>m%dx %s.%s" % (pri, marker, name.encode(), sev_name.encode()),
                )
            )
    return lines


def raw_traffic(first_marker: int) -> list[tuple[int, int, bytes]]:
    """Datagrams logger cannot send: kern, and PRIs rsyslog files as invalid (facility 24)."""
    out = []
    marker = first_marker
    for severity, sev_name in enumerate(SEVERITIES):
        marker += 1
        out.append(
            (
                0,
                severity,
                b"<%d>Nov 25 01:02:03 tst: m%dx kern.%s" % (severity, marker, sev_name.encode()),
            )
        )
    for pri_text in (b"<192>", b"<199>", b"<999>", b"<1000>", b"<0999>"):
        marker += 1
        out.append((24, 7, pri_text + b"Nov 25 01:02:03 tst: m%dx invalid" % marker))
    marker += 1
    out.append((0, 0, b"<>m%dx empty pri" % marker))
    return out
